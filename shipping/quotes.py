"""The one shipping quote: which carriers a seller sends a parcel with, at what price, and when it should arrive.

Checkout, the cart, the listing page (and later the API) all ask :func:`quotes` with a shop's terms
(:class:`ShopTerms`: the seller's carriers, own prices per zone and handling time). A shop without shipping
settings ships with every carrier serving the route, at the carriers' rates, after the default handling time.
Carriers still decide which routes exist (their rates); a seller's price only replaces the carrier's on a route
the carrier serves.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery

from core import cache_batch
from shipping.models import DEFAULT_HANDLING_DAYS, Carrier, Rate, ShopRate, ShopShipping
from shipping.services import (
    CARRIERS_CACHE_KEY,
    CarrierQuote,
    ShopReach,
    _country_code,
    active_carriers,
    best_rate,
    price_for,
)
from shipping.zones import INTERNATIONAL_ZONES, NATIONAL_ZONES, Zone, zone_for

_Price = namedtuple("_Price", "base per_extra_item")

# The pages before checkout read carriers and shop terms from the shared cache (checkout reads the database).
TERMS_CACHE_KEY = "shipping:shop-terms:v1:{}"
CACHE_SECONDS = 300


@dataclass(frozen=True)
class ShopTerms:
    """How one shop ships: handling time, the carriers it uses (None: every one) and its own prices."""

    handling_days: int = DEFAULT_HANDLING_DAYS
    carrier_ids: frozenset[int] | None = None
    # (carrier id, zone) -> (first copy, each extra copy)
    prices: Mapping[tuple[int, str], tuple[Decimal, Decimal]] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: ShopShipping) -> ShopTerms:
        """Reads ``settings.carriers.all()`` and ``settings.rates.all()``: prefetch them."""
        return cls(
            handling_days=settings.handling_days,
            carrier_ids=frozenset(carrier.pk for carrier in settings.carriers.all()),
            prices={(rate.carrier_id, rate.zone): (rate.base, rate.per_extra_item) for rate in settings.rates.all()},
        )


DEFAULT_TERMS = ShopTerms()


def shop_terms(shop_ids: Iterable[int]) -> dict[int, ShopTerms]:
    """Each shop's terms by shop id (the default terms for a shop without settings).

    Three queries, none without ids.
    """
    ids = {pk for pk in shop_ids if pk}
    terms = dict.fromkeys(ids, DEFAULT_TERMS)
    if ids:
        for settings in ShopShipping.objects.filter(shop_id__in=ids).prefetch_related("carriers", "rates"):
            terms[settings.shop_id] = ShopTerms.from_settings(settings)
    return terms


def cached_shop_terms(shop_id: int) -> ShopTerms:
    """One shop's terms from the shared cache (up to three queries when it lacks them)."""
    key = TERMS_CACHE_KEY.format(shop_id)
    terms = cache.get(key)
    if terms is None:
        terms = shop_terms([shop_id]).get(shop_id, DEFAULT_TERMS)
        cache.set(key, terms, CACHE_SECONDS)
    return terms


def cached_shop_terms_many(shop_ids: Iterable[int]) -> dict[int, ShopTerms]:
    """Several shops' terms by shop id from the shared cache; those it lacks in three queries."""
    keys = {TERMS_CACHE_KEY.format(pk): pk for pk in set(shop_ids) if pk}
    found = {keys[key]: terms for key, terms in cache.get_many(list(keys)).items()}
    missing = [pk for pk in keys.values() if pk not in found]
    if missing:
        loaded = shop_terms(missing)
        cache.set_many({TERMS_CACHE_KEY.format(pk): terms for pk, terms in loaded.items()}, CACHE_SECONDS)
        found.update(loaded)
    return found


def forget_shop_terms(shop_id: int) -> None:
    """Drop a shop's cached terms once the caller's transaction commits (call after its settings change)."""
    transaction.on_commit(lambda: cache.delete(TERMS_CACHE_KEY.format(shop_id)))


def cached_active_carriers() -> list[Carrier]:
    """The active carriers with their rates, from the shared cache (two queries when it lacks them).

    ``shipping.services.forget_routes`` (called whenever staff change carriers) forgets them too.
    """
    carriers = cache.get(CARRIERS_CACHE_KEY)
    if carriers is None:
        carriers = active_carriers()
        cache.set(CARRIERS_CACHE_KEY, carriers, CACHE_SECONDS)
    return carriers


def quotes(
    origin_country,
    destination_country,
    item_count: int = 1,
    terms: ShopTerms = DEFAULT_TERMS,
    carriers: list[Carrier] | None = None,
) -> list[CarrierQuote]:
    """The carriers a shop with ``terms`` sends ``item_count`` copies with on the route, cheapest first.

    Only the shop's carriers (all when it has no settings) that serve the route (their rates); each at the
    seller's own price for the destination zone when set, else at the carrier's rate; each quote carries the
    shop's handling time. Two queries, or none when ``carriers`` (from ``active_carriers``) is given.
    """
    origin, destination = _country_code(origin_country), _country_code(destination_country)
    zone = zone_for(origin, destination)
    result = []
    for carrier in active_carriers() if carriers is None else carriers:
        if terms.carrier_ids is not None and carrier.pk not in terms.carrier_ids:
            continue
        rate = best_rate(carrier, origin, destination)
        if rate is None:
            continue
        own = terms.prices.get((carrier.pk, zone))
        price = price_for(_Price(*own) if own else rate, item_count)
        result.append(
            CarrierQuote(carrier=carrier, price=price, handling_days=terms.handling_days, own_price=bool(own))
        )
    return sorted(result, key=lambda q: (q.price, q.carrier.name))


def quote_for(
    carrier: Carrier, origin_country, destination_country, item_count: int, terms: ShopTerms = DEFAULT_TERMS
) -> CarrierQuote | None:
    """``carrier``'s quote for the shop with ``terms`` on the route, or None when the shop does not use it or it
    does not serve the route. Reads ``carrier.rates.all()``: prefetch it."""
    found = quotes(origin_country, destination_country, item_count, terms, [carrier])
    return found[0] if found else None


def zones_for(carrier: Carrier) -> tuple[Zone, ...]:
    """The destination zones a carrier may take a parcel to (a seller prices each)."""
    return NATIONAL_ZONES if carrier.scope == Carrier.Scope.NATIONAL else INTERNATIONAL_ZONES


def carriers_from(origin_country, carriers: list[Carrier] | None = None) -> list[Carrier]:
    """Active carriers that take parcels from ``origin_country`` somewhere (a seller there chooses among them).

    Reads each carrier's prefetched rates; two queries when ``carriers`` is not given.
    """
    origin = _country_code(origin_country)
    found = []
    for carrier in active_carriers() if carriers is None else carriers:
        rates = carrier.rates.all()
        if carrier.scope == Carrier.Scope.NATIONAL:
            serves = best_rate(carrier, origin, origin) is not None
        else:
            serves = any(
                str(rate.origin_country or "") in ("", origin) and str(rate.destination_country or "") != origin
                for rate in rates
            )
        if serves:
            found.append(carrier)
    return sorted(found, key=lambda c: (c.scope != Carrier.Scope.NATIONAL, c.name))


# --- One shop, one query: the listing page ------------------------------------


@dataclass(frozen=True)
class ShopDelivery:
    """What a listing page tells about one shop's parcels: where they reach, and the quotes to one country."""

    reach: ShopReach
    quotes: list[CarrierQuote]
    terms: ShopTerms


def shop_delivery(shop_id: int, origin_country, destination_country=None, item_count: int = 1) -> ShopDelivery:
    """Where ``shop_id``'s parcels go with its own carriers, and its quotes to ``destination_country`` (none
    without one). One query: the active carriers' rates, each with the shop's handling time, whether the shop
    uses the carrier and its own price for the destination zone.
    """
    origin = _country_code(origin_country)
    destination = _country_code(destination_country)
    zone = zone_for(origin, destination) if destination else Zone.DOMESTIC
    own = ShopRate.objects.filter(settings__shop_id=shop_id, carrier=OuterRef("carrier_id"), zone=zone)
    uses = ShopShipping.carriers.through.objects.filter(shopshipping__shop_id=shop_id, carrier=OuterRef("carrier_id"))
    rows = list(
        Rate.objects.filter(carrier__active=True)
        .select_related("carrier")
        .annotate(
            shop_handling=Subquery(ShopShipping.objects.filter(shop_id=shop_id).values("handling_days")[:1]),
            shop_uses=Exists(uses),
            own_base=Subquery(own.values("base")[:1]),
            own_extra=Subquery(own.values("per_extra_item")[:1]),
        )
        .order_by("carrier_id", "pk")
    )
    carriers: dict[int, Carrier] = {}
    used, prices = set(), {}
    handling = None
    for rate in rows:
        carrier = carriers.setdefault(rate.carrier_id, rate.carrier)
        carrier._prefetched_objects_cache = getattr(carrier, "_prefetched_objects_cache", {})
        carrier._prefetched_objects_cache.setdefault("rates", []).append(rate)
        handling = rate.shop_handling
        if rate.shop_uses:
            used.add(rate.carrier_id)
        if rate.own_base is not None and rate.own_extra is not None:
            prices[(rate.carrier_id, zone.value)] = (rate.own_base, rate.own_extra)
    terms = DEFAULT_TERMS if handling is None else ShopTerms(handling, frozenset(used), prices)
    return _delivery(terms, list(carriers.values()), origin, destination, item_count)


def delivery_keys(shop_id: int) -> tuple[str, str]:
    """The cache keys :func:`cached_shop_delivery` reads for ``shop_id``, for a page to read them with its own
    (core.cache_batch.reading): the active carriers, the shop's terms."""
    return CARRIERS_CACHE_KEY, TERMS_CACHE_KEY.format(shop_id)


def cached_shop_delivery(shop_id: int, origin_country, destination_country=None, item_count: int = 1) -> ShopDelivery:
    """:func:`shop_delivery` from the shared cache, for the listing page: the active carriers and the shop's terms
    in one round trip (none when the page's batch read them: core.cache_batch), the database asked only for what the
    cache lacks (up to five queries, then kept).

    The same keys as :func:`cached_active_carriers` and :func:`cached_shop_terms`, so staff's changes to carriers
    (``forget_routes``) and a seller's to their shipping settings (``forget_shop_terms``) show here too.
    """
    carriers_key, terms_key = delivery_keys(shop_id)
    found = cache_batch.get_many([carriers_key, terms_key])
    carriers, terms = found.get(carriers_key), found.get(terms_key)
    missing = {}
    if carriers is None:
        carriers = missing[carriers_key] = active_carriers()
    if terms is None:
        terms = missing[terms_key] = shop_terms([shop_id]).get(shop_id, DEFAULT_TERMS)
    if missing:
        cache_batch.set_many(missing, CACHE_SECONDS)
    origin, destination = _country_code(origin_country), _country_code(destination_country)
    return _delivery(terms, carriers, origin, destination, item_count)


def _delivery(
    terms: ShopTerms, carriers: list[Carrier], origin: str, destination: str, item_count: int
) -> ShopDelivery:
    offered = [c for c in carriers if terms.carrier_ids is None or c.pk in terms.carrier_ids]
    found = quotes(origin, destination, item_count, terms, offered) if destination else []
    return ShopDelivery(reach=reach_of(origin, offered), quotes=found, terms=terms)


def reach_of(origin_country, carriers: list[Carrier]) -> ShopReach:
    """Where parcels from ``origin_country`` can go with ``carriers`` (their rates prefetched)."""
    origin = _country_code(origin_country)
    abroad = [
        str(rate.destination_country or "")
        for carrier in carriers
        if carrier.scope == Carrier.Scope.INTERNATIONAL
        for rate in carrier.rates.all()
        if str(rate.origin_country or "") in ("", origin) and str(rate.destination_country or "") != origin
    ]
    domestic = any(best_rate(carrier, origin, origin) is not None for carrier in carriers)
    return ShopReach(
        country=origin,
        domestic=bool(origin) and domestic,
        abroad_everywhere=bool(origin) and "" in abroad,
        abroad_somewhere=bool(origin) and bool(abroad),
    )
