"""The seller's part of an order: releasing, cancelling and shipping shipments, and the carrier simulator's runs.

Also what a seller may reach of their sales. Locks follow the order written in ``orders.services``; carriers,
routes, prices and tracking numbers come from ``shipping``.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from jobs.services import enqueue
from orders.errors import ShipmentError
from orders.models import Order, Shipment, ShipmentEvent
from orders.states import CARRIER_STEPS, IN_FLIGHT, LEFT_SELLER, OrderStatus, ShipmentStatus
from shipping import simulator
from shipping.models import Carrier
from shipping.services import CarrierQuote, available_carriers, best_rate, new_tracking_number

# --- Helpers the order services call inside their transactions ----------------


def _add_event(
    shipment: Shipment,
    status: str,
    when: datetime,
    *,
    code: str = "",
    params: dict | None = None,
    place: simulator.Place = ("", ""),
    description: str = "",
) -> ShipmentEvent:
    """Record a timeline event: a ``code`` (worded in the reader's language when shown), or free text.

    An event with a code keeps its wording in the source language in ``description``, for staff (and for a
    previous release still running during a rolling update). ``place`` is (city or hub, country code).
    """
    city, country = place
    event = ShipmentEvent(
        shipment=shipment,
        status=status,
        code=code,
        params=params or {},
        description=description,
        location=city[:120],
        country=country,
        happened_at=when,
    )
    if code:
        with translation.override(None):
            event.description = event.display_description[:255]
    event.save()
    return event


def release_shipments(order: Order, now: datetime) -> list[Shipment]:
    """Move the order's shipments awaiting payment to ready_to_ship (the order was just paid).

    Call inside the transaction that holds the order's row lock. Returns the shipments released.
    """
    released = []
    for shipment in Shipment.objects.select_for_update().filter(order=order, status=ShipmentStatus.AWAITING_PAYMENT):
        shipment.transition_to(ShipmentStatus.READY_TO_SHIP)
        shipment.status_changed_at = now
        shipment.save(update_fields=["status", "status_changed_at", "updated_at"])
        released.append(shipment)
    return released


def cancel_shipments(
    shipments: list[Shipment],
    now: datetime,
    code: str = ShipmentEvent.Code.SHIPMENT_CANCELLED,
    *,
    reason: str = "",
) -> None:
    """Cancel shipments that have not left their sellers (IllegalTransition for one that has).

    The timeline says why: ``code`` (a ``ShipmentEvent.Code``), or ``reason`` when someone wrote one.
    Call inside the transaction that holds the order's row lock, with the shipments locked.
    """
    for shipment in shipments:
        shipment.transition_to(ShipmentStatus.CANCELLED)
        shipment.cancelled_at = shipment.status_changed_at = now
        shipment.save(update_fields=["status", "cancelled_at", "status_changed_at", "updated_at"])
        if reason:
            _add_event(shipment, ShipmentStatus.CANCELLED, now, description=reason[:255])
        else:
            _add_event(shipment, ShipmentStatus.CANCELLED, now, code=code)


def sync_order_with_shipments(order: Order) -> bool:
    """Move ``order`` to shipped once all its live shipments left their sellers, to delivered once all arrived.

    Cancelled shipments do not count. Call inside the transaction that holds the order's row lock; saves
    the order when it changes and returns whether it did.
    """
    statuses = list(
        Shipment.objects.filter(order=order).exclude(status=ShipmentStatus.CANCELLED).values_list("status", flat=True)
    )
    if not statuses:
        return False
    changed = False
    if order.status == OrderStatus.PAID and all(s in LEFT_SELLER for s in statuses):
        order.transition_to(OrderStatus.SHIPPED)
        changed = True
    if order.status == OrderStatus.SHIPPED and all(s == ShipmentStatus.DELIVERED for s in statuses):
        order.transition_to(OrderStatus.DELIVERED)
        changed = True
    if changed:
        order.save(update_fields=["status", "updated_at"])
    return changed


# --- Sellers ship, carriers carry ----------------------------------------------


def _tracking_number_taken(number: str) -> bool:
    return Shipment.objects.filter(tracking_number=number).exists()


def normalize_tracking_number(number: str) -> str:
    """A tracking number as carriers print it, without the spaces and dashes people type: upper case."""
    return "".join(ch for ch in str(number or "") if ch not in " -\t").upper()


def carriers_for_shipment(shipment: Shipment) -> list[CarrierQuote]:
    """The active carriers that serve ``shipment``'s route (the seller may hand the parcel to any of them).

    Reads ``shipment.order``: join it. Two queries.
    """
    destination = shipment.order.ship_country.code if shipment.order.ship_country else ""
    origin = shipment.origin_country.code if shipment.origin_country else ""
    return available_carriers(origin, destination)


def mark_shipped(
    shipment: Shipment,
    seller: User,
    *,
    carrier: Carrier | None = None,
    tracking_number: str = "",
    now: datetime | None = None,
) -> Shipment:
    """The seller handed ``shipment`` to a carrier: record it and its tracking number, and start the timeline.

    ``carrier`` is the one actually used (default: the one the buyer chose); it must serve the shipment's
    route. ``tracking_number`` is the one the carrier gave (spaces and dashes dropped, upper case), checked
    against the carrier's format; blank, one is generated in the carrier's series. The buyer's shipping
    price does not change.

    Guarantees: only the shipment's own seller, only from ready_to_ship (the order is paid and the part not
    cancelled); the order becomes shipped when all its live shipments have; the buyer is emailed after
    commit. Returns the updated shipment.
    Raises ShipmentError: ``not_your_shipment``, ``not_ready_to_ship``, ``carrier_not_serving``,
    ``bad_tracking_number``, ``tracking_number_taken``.
    """
    now = now or timezone.now()
    number = normalize_tracking_number(tracking_number)
    if carrier is not None:
        carrier = Carrier.objects.prefetch_related("rates").get(pk=carrier.pk)
    try:
        return _mark_shipped(shipment, seller, carrier, number, now)
    except IntegrityError:
        # Another parcel took the same tracking number between the check and the write.
        raise ShipmentError(
            _("This tracking number is already used by another parcel."), code="tracking_number_taken"
        ) from None


def _mark_shipped(shipment: Shipment, seller: User, carrier: Carrier | None, number: str, now: datetime) -> Shipment:
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=shipment.order_id)
        locked = Shipment.objects.select_for_update().select_related("carrier").get(pk=shipment.pk)
        if locked.seller_id != seller.pk:
            raise ShipmentError(_("This shipment is not yours."), code="not_your_shipment")
        if locked.status != ShipmentStatus.READY_TO_SHIP:
            message = {
                ShipmentStatus.AWAITING_PAYMENT: _("The buyer has not paid yet: do not ship."),
                ShipmentStatus.CANCELLED: _("This shipment was cancelled: do not ship."),
            }.get(locked.status, _("This shipment was already shipped."))
            raise ShipmentError(message, code="not_ready_to_ship")
        locked.order = order
        if carrier is not None and carrier.pk != locked.carrier_id:
            origin = locked.origin_country.code if locked.origin_country else ""
            destination = order.ship_country.code if order.ship_country else ""
            if best_rate(carrier, origin, destination) is None:
                raise ShipmentError(
                    _("%(carrier)s does not deliver this parcel's route.") % {"carrier": carrier.name},
                    code="carrier_not_serving",
                )
            locked.carrier = carrier
        if number:
            if not locked.carrier.tracking_number_matches(number):
                raise ShipmentError(
                    _("This is not a %(carrier)s tracking number: check it on the carrier's receipt.")
                    % {"carrier": locked.carrier.name},
                    code="bad_tracking_number",
                )
            if _tracking_number_taken(number):
                raise ShipmentError(
                    _("This tracking number is already used by another parcel."), code="tracking_number_taken"
                )
            locked.tracking_number = number
        else:
            locked.tracking_number = new_tracking_number(locked.carrier, _tracking_number_taken)
        locked.transition_to(ShipmentStatus.SHIPPED)
        locked.shipped_at = locked.status_changed_at = now
        locked.save(
            update_fields=["status", "carrier", "tracking_number", "shipped_at", "status_changed_at", "updated_at"]
        )
        code, params, place = simulator.shipped_event(locked.parcel())
        _add_event(locked, ShipmentStatus.SHIPPED, now, code=code, params=params, place=place)
        sync_order_with_shipments(order)
        enqueue("orders.emails.send_shipment_shipped", key=f"shipment_shipped:{locked.pk}", shipment_id=locked.pk)
    return locked


def _advance_one(pk: int, now: datetime, rng: random.Random, cutoff: datetime | None) -> bool:
    with transaction.atomic():
        order_id = Shipment.objects.filter(pk=pk).values_list("order_id", flat=True).first()
        if order_id is None:
            return False
        order = Order.objects.select_for_update().get(pk=order_id)
        shipment = Shipment.objects.select_for_update().select_related("carrier").get(pk=pk)
        if shipment.status not in IN_FLIGHT:
            return False  # another run moved it meanwhile
        if cutoff is not None and shipment.status_changed_at and shipment.status_changed_at > cutoff:
            return False
        new_status = CARRIER_STEPS[shipment.status]
        shipment.order = order
        code, params, place = simulator.carrier_event(shipment.parcel(), new_status, rng)
        shipment.transition_to(new_status)
        shipment.status_changed_at = now
        fields = ["status", "status_changed_at", "updated_at"]
        if new_status == ShipmentStatus.DELIVERED:
            shipment.delivered_at = now
            fields.append("delivered_at")
        shipment.save(update_fields=fields)
        _add_event(shipment, new_status, now, code=code, params=params, place=place)
        sync_order_with_shipments(order)
        if new_status == ShipmentStatus.DELIVERED:
            enqueue(
                "orders.emails.send_shipment_delivered",
                key=f"shipment_delivered:{shipment.pk}",
                shipment_id=shipment.pk,
            )
    return True


def advance_shipments(
    now: datetime | None = None,
    rng: random.Random | None = None,
    *,
    min_hours: float | None = None,
    push_all: bool = False,
) -> int:
    """Simulate the carriers: move each shipped / in-transit / out-for-delivery shipment one step.

    A shipment moves when at least ``min_hours`` (default ``settings.SHIPMENT_STEP_HOURS``) passed since its
    last step, or always with ``push_all``. Each step adds a timeline event stamped ``now`` with a plausible
    place; orders become delivered when all their live shipments are; the buyer is emailed on delivery.
    One short transaction per shipment, so a run can be interrupted and repeated safely. Returns how many
    shipments moved.
    """
    now = now or timezone.now()
    rng = rng or random.Random()  # noqa: S311 - simulated places, not security  # nosec B311
    hours = settings.SHIPMENT_STEP_HOURS if min_hours is None else min_hours
    cutoff = None if push_all else now - timedelta(hours=hours)
    candidates = Shipment.objects.filter(status__in=IN_FLIGHT)
    if cutoff is not None:
        candidates = candidates.filter(status_changed_at__lte=cutoff)
    pks = list(candidates.order_by("pk").values_list("pk", flat=True))
    return sum(1 for pk in pks if _advance_one(pk, now, rng, cutoff))


# --- What a seller may reach ----------------------------------------------------


def seller_sales(user: User, status: str | None = None) -> QuerySet[Shipment]:
    """The shipments ``user`` sells (their part of each order), newest first, ready for a list page.

    ``status`` filters on one shipment status. Lines and claims are prefetched; order, buyer and carrier joined.
    """
    sales = (
        Shipment.objects.filter(seller=user)
        .select_related("order", "order__buyer", "carrier")
        .prefetch_related("lines", "claims")
        .order_by("-created_at", "-id")
    )
    if status:
        sales = sales.filter(status=status)
    return sales


def get_shipment_for_seller(user: User, pk) -> Shipment:
    """The shipment ``pk`` if ``user`` is its seller, with order, carrier, lines and events; Http404 otherwise."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    try:
        return (
            Shipment.objects.select_related("order", "order__buyer", "carrier", "feedback")
            .prefetch_related("lines", "events", "claims")
            .get(pk=int(pk), seller=user)
        )
    except (Shipment.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
