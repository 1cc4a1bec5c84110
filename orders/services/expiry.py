"""Expiring orders left unpaid: their stock goes back on sale."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from orders.models import Order, OrderLine, Shipment, ShipmentEvent
from orders.services.payments import payment_in_progress
from orders.services.shipments import cancel_shipments
from orders.services.stock import return_stock
from orders.states import OrderStatus, ShipmentStatus


def expire_unpaid_orders(now: datetime | None = None) -> int:
    """Expire every order still awaiting payment after its deadline, and return how many were expired.

    Guarantees: each order's copies go back on sale and its shipments are cancelled, in one short
    transaction per order; an order whose payment is at the gateway right now is left for the next run (its
    outcome decides); running it again changes nothing more (idempotent).
    """
    now = now or timezone.now()
    due = Order.objects.filter(status=OrderStatus.PENDING_PAYMENT, expires_at__lte=now).order_by("pk")
    return sum(1 for pk in list(due.values_list("pk", flat=True)) if _expire(pk, now))


def _expire(pk: int, now: datetime) -> bool:
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=pk)
        if order.status != OrderStatus.PENDING_PAYMENT or order.expires_at > now:
            return False
        if payment_in_progress(order, now):
            return False
        shipments = list(
            Shipment.objects.select_for_update()
            .filter(order=order)
            .exclude(status=ShipmentStatus.CANCELLED)
            .order_by("pk")
        )
        return_stock(OrderLine.objects.filter(shipment__in=shipments))
        cancel_shipments(shipments, now, ShipmentEvent.Code.NOT_PAID_IN_TIME)
        order.transition_to(OrderStatus.EXPIRED)
        order.save(update_fields=["status", "updated_at"])
    return True
