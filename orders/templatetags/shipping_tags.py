"""Where a seller's parcels can go and at what price, for the listing page: told before the cart, not at checkout."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import template
from django.utils.translation import gettext as _
from django_countries.fields import Country

from orders.services import default_ship_country
from shipping.quotes import shop_delivery
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
    newest address's. At most two queries (the buyer's address, and the shop's carriers, prices and handling
    time in one); None without a shop.
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
    found = shop_delivery(shop.pk, shop.country.code, destination)
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
