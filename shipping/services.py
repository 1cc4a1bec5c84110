"""Shipping rules: which carriers serve a route and at what price, shipping a parcel, and the carrier simulator.

Lock order, shared with ``orders.services``: the order row, then its shipments, then listings.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from core.money import to_cents
from jobs.services import enqueue
from orders.errors import BuyingError
from orders.models import Order
from orders.states import OrderStatus
from shipping import simulator
from shipping.models import Carrier, Rate, Shipment, ShipmentEvent
from shipping.states import CARRIER_STEPS, IN_FLIGHT, LEFT_SELLER, ShipmentStatus


class ShippingError(BuyingError):
    """A shipping action was refused and nothing changed.

    Codes: ``route_not_covered``, ``not_your_shipment``, ``not_ready_to_ship``.
    """

    default_code = "shipping_error"


def _country_code(country) -> str:
    return str(getattr(country, "code", country) or "").upper()


# --- Routes and prices --------------------------------------------------------


@dataclass(frozen=True)
class CarrierQuote:
    """A carrier that serves a route, and its price for the parcel."""

    carrier: Carrier
    price: Decimal


def best_rate(carrier: Carrier, origin_country, destination_country) -> Rate | None:
    """The rate of ``carrier`` for the route (the most specific match), or None when it does not serve it.

    Uses ``carrier.rates.all()``, so prefetching ``rates`` makes this free.
    """
    origin, destination = _country_code(origin_country), _country_code(destination_country)
    if not carrier.active or not origin or not destination or not carrier.serves_scope(origin, destination):
        return None
    matches = [rate for rate in carrier.rates.all() if rate.matches(origin, destination)]
    return max(matches, key=lambda rate: rate.specificity, default=None)


def price_for(rate: Rate, item_count: int) -> Decimal:
    if item_count < 1:
        raise ValueError("A parcel holds at least one copy.")
    return to_cents(rate.base + rate.per_extra_item * (item_count - 1))


def quote(carrier: Carrier, origin_country, destination_country, item_count: int) -> Decimal:
    """What ``carrier`` charges to carry ``item_count`` copies from one country to another.

    Raises ShippingError("route_not_covered") when the carrier is inactive or does not serve the route.
    """
    rate = best_rate(carrier, origin_country, destination_country)
    if rate is None:
        raise ShippingError(
            _("%(carrier)s does not deliver from %(origin)s to %(destination)s.")
            % {
                "carrier": carrier.name,
                "origin": _country_code(origin_country) or "?",
                "destination": _country_code(destination_country) or "?",
            },
            code="route_not_covered",
        )
    return price_for(rate, item_count)


def active_carriers() -> list[Carrier]:
    """Active carriers with their rates prefetched (two queries); pass to available_carriers to reuse."""
    return list(Carrier.objects.filter(active=True).prefetch_related("rates"))


def available_carriers(
    origin_country, destination_country, item_count: int = 1, carriers: list[Carrier] | None = None
) -> list[CarrierQuote]:
    """Active carriers serving the route, each with its price for ``item_count`` copies, cheapest first.

    Two queries, or none when ``carriers`` (from :func:`active_carriers`) is given.
    """
    quotes = []
    for carrier in active_carriers() if carriers is None else carriers:
        rate = best_rate(carrier, origin_country, destination_country)
        if rate is not None:
            quotes.append(CarrierQuote(carrier=carrier, price=price_for(rate, item_count)))
    return sorted(quotes, key=lambda q: (q.price, q.carrier.name))


# --- Where a shop reaches, for the pages before checkout ------------------------

# The routes of the active carriers change only when staff edit carriers (the admin forgets them then); the
# listing and cart pages read them from the shared cache instead of querying carriers on every view.
ROUTES_CACHE_KEY = "shipping:routes:v1"
ROUTES_CACHE_SECONDS = 300


def _routes() -> list[tuple[str, str, str]]:
    """(scope, origin, destination) of every rate of an active carrier; blank countries mean "any"."""
    routes = cache.get(ROUTES_CACHE_KEY)
    if routes is None:
        routes = [
            (scope, str(origin or ""), str(destination or ""))
            for scope, origin, destination in Rate.objects.filter(carrier__active=True).values_list(
                "carrier__scope", "origin_country", "destination_country"
            )
        ]
        cache.set(ROUTES_CACHE_KEY, routes, ROUTES_CACHE_SECONDS)
    return routes


def forget_routes() -> None:
    """Drop the cached routes: call after carriers or rates change, so the pages before checkout see it."""
    cache.delete(ROUTES_CACHE_KEY)


def delivers(origin_country, destination_country) -> bool:
    """Whether some active carrier takes a parcel from one country to the other (the same rule as
    :func:`best_rate`). At most one query, none while the routes are cached.
    """
    origin, destination = _country_code(origin_country), _country_code(destination_country)
    if not origin or not destination:
        return False
    scope = Carrier.Scope.NATIONAL if origin == destination else Carrier.Scope.INTERNATIONAL
    return any(
        route_scope == scope and route_origin in ("", origin) and route_destination in ("", destination)
        for route_scope, route_origin, route_destination in _routes()
    )


@dataclass(frozen=True)
class ShopReach:
    """Where parcels from ``country`` can go: within it, and to every other country or only some."""

    country: str
    domestic: bool
    abroad_everywhere: bool
    abroad_somewhere: bool


def shop_reach(origin_country) -> ShopReach:
    """Where a shop in ``origin_country`` can send parcels, for a buyer whose country is not known yet."""
    origin = _country_code(origin_country)
    abroad = [
        destination
        for scope, route_origin, destination in _routes()
        if scope == Carrier.Scope.INTERNATIONAL and route_origin in ("", origin) and destination != origin
    ]
    return ShopReach(
        country=origin,
        domestic=delivers(origin, origin),
        abroad_everywhere=bool(origin) and "" in abroad,
        abroad_somewhere=bool(origin) and bool(abroad),
    )


# --- Helpers the order services call inside their transactions ----------------


def _add_event(
    shipment: Shipment,
    status: str,
    when: datetime,
    *,
    code: str = "",
    params: dict | None = None,
    location: str = "",
    description: str = "",
) -> ShipmentEvent:
    """Record a timeline event: a ``code`` (worded in the reader's language when shown), or free text.

    An event with a code keeps its wording in the source language in ``description``, for staff (and for a
    previous release still running during a rolling update).
    """
    event = ShipmentEvent(
        shipment=shipment,
        status=status,
        code=code,
        params=params or {},
        description=description,
        location=location,
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


def _new_tracking_number(carrier: Carrier) -> str:
    for _attempt in range(10):
        number = f"{carrier.code}{secrets.randbelow(10**10):010d}"
        if not Shipment.objects.filter(tracking_number=number).exists():
            return number
    raise RuntimeError("Could not find a free tracking number.")


def mark_shipped(shipment: Shipment, seller: User, *, now: datetime | None = None) -> Shipment:
    """The seller handed ``shipment`` to its carrier: generate a tracking number and start the timeline.

    Guarantees: only the shipment's own seller, only from ready_to_ship (the order is paid and the part not
    cancelled); the order becomes shipped when all its live shipments have; the buyer is emailed after
    commit. Returns the updated shipment.
    Raises ShippingError: ``not_your_shipment``, ``not_ready_to_ship``.
    """
    now = now or timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=shipment.order_id)
        locked = Shipment.objects.select_for_update().select_related("carrier").get(pk=shipment.pk)
        if locked.seller_id != seller.pk:
            raise ShippingError(_("This shipment is not yours."), code="not_your_shipment")
        if locked.status != ShipmentStatus.READY_TO_SHIP:
            message = {
                ShipmentStatus.AWAITING_PAYMENT: _("The buyer has not paid yet: do not ship."),
                ShipmentStatus.CANCELLED: _("This shipment was cancelled: do not ship."),
            }.get(locked.status, _("This shipment was already shipped."))
            raise ShippingError(message, code="not_ready_to_ship")
        locked.transition_to(ShipmentStatus.SHIPPED)
        locked.tracking_number = _new_tracking_number(locked.carrier)
        locked.shipped_at = locked.status_changed_at = now
        locked.save(update_fields=["status", "tracking_number", "shipped_at", "status_changed_at", "updated_at"])
        code, params, location = simulator.shipped_event(locked)
        _add_event(locked, ShipmentStatus.SHIPPED, now, code=code, params=params, location=location)
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
        code, params, location = simulator.carrier_event(shipment, new_status, rng)
        shipment.transition_to(new_status)
        shipment.status_changed_at = now
        fields = ["status", "status_changed_at", "updated_at"]
        if new_status == ShipmentStatus.DELIVERED:
            shipment.delivered_at = now
            fields.append("delivered_at")
        shipment.save(update_fields=fields)
        _add_event(shipment, new_status, now, code=code, params=params, location=location)
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

    ``status`` filters on one shipment status. Lines are prefetched; order, buyer and carrier joined.
    """
    sales = (
        Shipment.objects.filter(seller=user)
        .select_related("order", "order__buyer", "carrier")
        .prefetch_related("lines")
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
            Shipment.objects.select_related("order", "order__buyer", "carrier")
            .prefetch_related("lines", "events")
            .get(pk=int(pk), seller=user)
        )
    except (Shipment.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
