"""Shipping rules: which carriers serve a route and at what price, where a shop reaches, tracking numbers.

Nothing here knows orders: the order side (``orders.services.shipments``) asks for routes and prices and hands
parcels to carriers; the carrier simulator's steps are in ``shipping.simulator``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import to_cents
from shipping.models import Carrier, Rate


class ShippingError(Exception):
    """A carrier cannot take the parcel. ``code`` is stable (``route_not_covered``); ``message`` may be shown."""

    def __init__(self, message, *, code: str = "shipping_error"):
        self.code = code
        self.message = message
        super().__init__(str(message))


def _country_code(country) -> str:
    return str(getattr(country, "code", country) or "").upper()


# --- Routes and prices --------------------------------------------------------


def add_business_days(start: date, days: int) -> date:
    """``start`` moved forward by ``days`` weekdays (Saturdays and Sundays do not count)."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


@dataclass(frozen=True)
class CarrierQuote:
    """A carrier that serves a route, and its price for the parcel.

    ``handling_days`` is the seller's handling time (business days before the parcel leaves); ``own_price``
    says the price is the seller's own, not the carrier's rate.
    """

    carrier: Carrier
    price: Decimal
    handling_days: int = 0
    own_price: bool = False

    def delivery_window(self, start: date) -> tuple[date, date] | None:
        """(earliest, latest) expected delivery dates for a parcel paid on ``start``: the seller's handling time
        and the carrier's delivery time, in business days. None when the carrier's delivery time is unknown."""
        low, high = self.carrier.min_days, self.carrier.max_days
        if low is None and high is None:
            return None
        low = high if low is None else low
        high = low if high is None else high
        return (
            add_business_days(start, self.handling_days + low),
            add_business_days(start, self.handling_days + high),
        )

    @property
    def expected_delivery(self) -> tuple[date, date] | None:
        """The delivery window for a parcel paid today (the site's time zone)."""
        return self.delivery_window(timezone.localdate())


def best_rate(carrier: Carrier, origin_country, destination_country) -> Rate | None:
    """The rate of ``carrier`` for the route (the most specific match), or None when it does not serve it.

    Uses ``carrier.rates.all()``, so prefetching ``rates`` makes this free.
    """
    origin, destination = _country_code(origin_country), _country_code(destination_country)
    if not carrier.active or not origin or not destination or not carrier.serves_scope(origin, destination):
        return None
    matches = [rate for rate in carrier.rates.all() if rate.matches(origin, destination)]
    return max(matches, key=lambda rate: rate.specificity, default=None)


def price_for(rate, item_count: int) -> Decimal:
    """``rate``'s price (a carrier's Rate or a seller's ShopRate: ``base`` and ``per_extra_item``) for the copies."""
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
# The active carriers with their rates, for the same pages (shipping.quotes.cached_active_carriers).
CARRIERS_CACHE_KEY = "shipping:carriers:v1"


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
    """Drop the cached routes (and carriers): call after carriers or rates change, so the pages before checkout
    see it."""
    cache.delete_many([ROUTES_CACHE_KEY, CARRIERS_CACHE_KEY])


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


# --- Tracking numbers -----------------------------------------------------------

TRACKING_DIGITS = 10


def new_tracking_number(carrier: Carrier, is_taken: Callable[[str], bool]) -> str:
    """A tracking number in ``carrier``'s series (its code, then ten random digits) not in use yet.

    ``is_taken(number)`` answers for whoever stores tracking numbers (the order side's shipments).
    """
    for _attempt in range(10):
        number = f"{carrier.code}{secrets.randbelow(10**TRACKING_DIGITS):0{TRACKING_DIGITS}d}"
        if not is_taken(number):
            return number
    raise RuntimeError("Could not find a free tracking number.")
