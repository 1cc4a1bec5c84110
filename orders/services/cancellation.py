"""Cancelling an order, or one seller's part of it, before it ships: stock returns and money goes back."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.money import ZERO, to_cents
from jobs.services import enqueue
from orders.errors import CancellationError
from orders.models import Order, OrderLine, Payment, Refund, Shipment, ShipmentEvent
from orders.services.payments import create_refund, payment_in_progress, process_refund
from orders.services.shipments import cancel_shipments, sync_order_with_shipments
from orders.services.stock import return_stock
from orders.states import OrderStatus, PaymentStatus, RefundStatus, ShipmentStatus

CANCELLABLE_ORDER_STATUSES = (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID)


def may_cancel(order: Order, user: User | None) -> bool:
    """Whether ``user`` may cancel (parts of) ``order``: its buyer or staff."""
    return bool(user and user.is_authenticated and (user.pk == order.buyer_id or user.is_staff))


def cancellable_shipments(order: Order) -> list[Shipment]:
    """The parts of ``order`` that can still be cancelled (uses prefetched ``shipments`` when present)."""
    if order.status not in CANCELLABLE_ORDER_STATUSES:
        return []
    return [s for s in order.shipments.all() if s.is_cancellable]


def order_is_cancellable(order: Order) -> bool:
    """The whole order can be cancelled: awaiting payment or paid, and nothing has shipped."""
    if order.status not in CANCELLABLE_ORDER_STATUSES:
        return False
    live = [s for s in order.shipments.all() if s.status != ShipmentStatus.CANCELLED]
    return bool(live) and all(s.is_cancellable for s in live)


def cancel_order(order: Order, by: User, *, reason: str = "", by_staff: bool = False) -> Order:
    """Cancel the whole ``order`` for its buyer or for staff (``by``) and return it, updated.

    Guarantees: only before any part has shipped; every copy goes back on sale (quantity up, units_sold
    down); every shipment is cancelled; if the order was paid, what was paid is refunded through the
    gateway (after commit, with no lock held); the buyer, and the sellers once told of the sale, are
    emailed after commit. The tracking timeline shows ``reason`` when given, else that the order was
    cancelled (``by_staff``: by our staff, from the back office), worded in the reader's language.
    Raises CancellationError: ``not_allowed``, ``not_cancellable`` (already shipped, or closed),
    ``payment_in_progress``.
    """
    return _cancel(order, by, seller=None, reason=reason, by_staff=by_staff)


def cancel_seller_part(order: Order, seller: User, by: User, *, reason: str = "") -> Order:
    """Cancel one seller's part of ``order`` (their lines and shipment) and return the order, updated.

    As :func:`cancel_order`, for that part only: its copies go back on sale, its items and shipping are
    refunded if paid, and the order's totals drop by that much. The order stays alive while other parts
    remain (becoming shipped or delivered if all of them already are); cancelling its last part cancels it.
    Raises CancellationError: ``not_allowed``, ``no_such_part``, ``not_cancellable``, ``payment_in_progress``.
    """
    return _cancel(order, by, seller=seller, reason=reason)


def _cancel(order: Order, by: User, *, seller: User | None, reason: str, by_staff: bool = False) -> Order:
    if not may_cancel(order, by):
        raise CancellationError(_("You cannot cancel this order."), code="not_allowed")
    now = timezone.now()
    refund = None
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status not in CANCELLABLE_ORDER_STATUSES:
            raise CancellationError(
                _("This order is %(status)s and can no longer be cancelled.")
                % {"status": locked.get_status_display().lower()},
                code="not_cancellable",
            )
        if payment_in_progress(locked, now):
            raise CancellationError(
                _("A payment for this order is being processed; please try again in a moment."),
                code="payment_in_progress",
            )
        live = list(
            Shipment.objects.select_for_update()
            .filter(order=locked)
            .exclude(status=ShipmentStatus.CANCELLED)
            .order_by("pk")
        )
        targets = live if seller is None else [s for s in live if s.seller_id == seller.pk]
        if not targets:
            raise CancellationError(_("This order has no such part left to cancel."), code="no_such_part")
        shipped = [s for s in targets if not s.is_cancellable]
        if shipped:
            names = ", ".join(_seller_name(s) for s in shipped)
            raise CancellationError(
                _("Already shipped by %(sellers)s: that part can no longer be cancelled.") % {"sellers": names},
                code="not_cancellable",
            )

        lines = list(OrderLine.objects.filter(shipment__in=targets))
        return_stock(lines)
        event = ShipmentEvent.Code.CANCELLED_BY_STAFF if by_staff else ShipmentEvent.Code.ORDER_CANCELLED
        cancel_shipments(targets, now, event, reason=reason)

        was_paid = locked.status == OrderStatus.PAID
        items = to_cents(sum((line.line_total for line in lines), ZERO))
        shipping = to_cents(sum((s.shipping_cost for s in targets), ZERO))
        locked.items_total -= items
        locked.shipping_total -= shipping
        locked.total -= items + shipping
        if len(targets) == len(live):
            locked.transition_to(OrderStatus.CANCELLED)
            locked.cancelled_at = now
        locked.save(update_fields=["items_total", "shipping_total", "total", "status", "cancelled_at", "updated_at"])
        if locked.status != OrderStatus.CANCELLED:
            sync_order_with_shipments(locked)  # the parts left may all have shipped already

        refunded = ZERO
        if was_paid:
            payment = (
                Payment.objects.select_for_update()
                .filter(order=locked, status__in=[PaymentStatus.APPROVED, PaymentStatus.PARTIALLY_REFUNDED])
                .first()
            )
            if payment is not None:
                owed = sum((r.amount for r in payment.refunds.exclude(status=RefundStatus.SUCCEEDED)), ZERO)
                refunded = min(items + shipping, payment.refundable_amount - owed)
                if refunded > 0:
                    default_reason = _("Cancelled by our staff.") if by_staff else _("Cancelled before shipping.")
                    refund = create_refund(payment, refunded, reason or default_reason, by, shipments=targets)
        target_ids = sorted(s.pk for s in targets)
        # A shipment is cancelled once, so the shipments cancelled together name this cancellation.
        enqueue(
            "orders.emails.send_cancellation",
            key=f"order_cancelled:{locked.pk}:{'-'.join(map(str, target_ids))}",
            order_id=locked.pk,
            shipment_ids=target_ids,
            refund_amount=str(refunded),
        )
        if was_paid:  # the sellers were told of the sale: they hear it is off
            for shipment_id in target_ids:
                enqueue(
                    "orders.emails.send_sale_cancelled", key=f"sale_cancelled:{shipment_id}", shipment_id=shipment_id
                )
    if refund is not None:
        process_refund(refund)
    return Order.objects.get(pk=order.pk)


def _seller_name(shipment: Shipment) -> str:
    shop = getattr(shipment.seller, "shop", None)
    return shop.name if shop else shipment.seller.display_name


def refunds_of(order: Order) -> list[Refund]:
    """Every refund made (or attempted) on ``order``, newest first."""
    return list(Refund.objects.filter(payment__order=order).order_by("-created_at", "-id"))
