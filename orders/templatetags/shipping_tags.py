"""Where a seller's parcels can go and at what price, for the listing page: told before the cart, not at checkout."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import template
from django.utils.translation import gettext as _
from django_countries.fields import Country

from orders.services import default_ship_country
from shipping.quotes import (
    DEFAULT_TERMS,
    cached_active_carriers,
    cached_shop_delivery,
    cached_shop_terms_many,
    quotes,
)
from shipping.services import CarrierQuote, ShopReach

register = template.Library()


@dataclass(frozen=True)
class Delivery:
    """Where a shop ships, and whether it reaches the buyer's country when that is known, at what price and by
    when.

    ``destination`` is the country the visitor picked (``?ship_to=``), else the country of the signed-in buyer's
    newest address (the one checkout starts with); ``ships`` is None when there is none. ``quotes`` are the
    shop's carriers to it, cheapest first (the seller's own prices and handling time included).
    """

    origin: Country
    reach: ShopReach
    destination: Country | None = None
    ships: bool | None = None
    quotes: list[CarrierQuote] = field(default_factory=list)
    picked: bool = False

    @property
    def cheapest(self) -> CarrierQuote | None:
        return self.quotes[0] if self.quotes else None

    @property
    def reach_text(self) -> str:
        """Where the shop ships, in words, for a buyer whose country is not known."""
        country = self.origin.name
        reach = self.reach
        if reach.domestic and reach.abroad_everywhere:
            return _("Ships within %(country)s and to every other country.") % {"country": country}
        if reach.domestic and reach.abroad_somewhere:
            return _("Ships within %(country)s and to some countries abroad.") % {"country": country}
        if reach.domestic:
            return _("Ships only within %(country)s.") % {"country": country}
        if reach.abroad_everywhere:
            return _("Ships abroad only, not within %(country)s.") % {"country": country}
        if reach.abroad_somewhere:
            return _("Ships only to some countries abroad.")
        return _("No carrier takes parcels from this shop at the moment.")


@register.simple_tag(takes_context=True)
def delivery_for(context, listing) -> Delivery | None:
    """Where ``listing``'s seller ships, with the price and expected delivery to the viewer's country.

    The country is ``ship_to`` from the context (the view validated ``?ship_to=``), else the signed-in buyer's
    newest address's. One query for the buyer's address; the carriers and the shop's terms come from the shared
    cache in one round trip (shipping.quotes.cached_shop_delivery). None without a shop.
    """
    shop = getattr(listing.seller, "shop", None)
    if shop is None or not shop.country:
        return None
    user = context.get("user")
    destination = context.get("ship_to") or ""
    picked = bool(destination)
    own = user is not None and user.is_authenticated and listing.seller_id == user.pk
    if not destination and user is not None and user.is_authenticated and not own:
        destination = default_ship_country(user) or ""
    found = cached_shop_delivery(shop.pk, shop.country.code, destination)
    if not destination:
        return Delivery(origin=shop.country, reach=found.reach)
    return Delivery(
        origin=shop.country,
        reach=found.reach,
        destination=Country(code=destination),
        ships=bool(found.quotes),
        quotes=found.quotes,
        picked=picked,
    )


@dataclass(frozen=True)
class CopyRow:
    """One copy on a book page, with its cheapest shipping to the buyer's country (None: unknown or no carrier)."""

    listing: object
    quote: CarrierQuote | None
    ships: bool | None

    @property
    def total(self):
        return self.listing.price + self.quote.price if self.quote else None


@dataclass(frozen=True)
class CopyRows:
    destination: Country | None
    picked: bool
    rows: list[CopyRow]


@register.simple_tag(takes_context=True)
def copies_delivery(context, copies, sort="") -> CopyRows:
    """Each copy of a book page with its shop's cheapest quote to the viewer's country (``ship_to`` in the
    context, else the signed-in buyer's newest address's), through the one quote service (shipping.quotes).

    At most one query for the buyer's address; carriers and shop terms come from the shared cache (a few queries
    when it lacks them, however many copies). ``sort="shipping"`` orders the rows by price with shipping, copies
    that do not ship last.
    """
    user = context.get("user")
    destination = context.get("ship_to") or ""
    picked = bool(destination)
    if not destination and user is not None and user.is_authenticated:
        destination = default_ship_country(user) or ""
    if not destination:
        return CopyRows(destination=None, picked=False, rows=[CopyRow(copy, None, None) for copy in copies])
    shops = [getattr(copy.seller, "shop", None) for copy in copies]
    terms = cached_shop_terms_many(shop.pk for shop in shops if shop is not None)
    carriers = cached_active_carriers()
    rows = []
    for copy, shop in zip(copies, shops, strict=True):
        if shop is None or not shop.country:
            rows.append(CopyRow(copy, None, None))
            continue
        found = quotes(shop.country.code, destination, 1, terms.get(shop.pk, DEFAULT_TERMS), carriers)
        rows.append(CopyRow(copy, found[0] if found else None, bool(found)))
    if sort == "shipping":
        rows.sort(key=lambda row: (row.total is None, row.total or 0, row.listing.pk))
    return CopyRows(destination=Country(code=destination), picked=picked, rows=rows)
