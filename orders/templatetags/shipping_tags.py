"""Where a seller's parcels can go, for the listing page: told before the cart, not at checkout."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.utils.translation import gettext as _
from django_countries.fields import Country

from orders.services import default_ship_country
from shipping.services import ShopReach, delivers, shop_reach

register = template.Library()


@dataclass(frozen=True)
class Delivery:
    """Where a shop ships, and whether it reaches the buyer's country when that is known.

    ``destination`` is the country of the signed-in buyer's newest address (the one checkout starts with);
    ``ships`` is None when there is none.
    """

    origin: Country
    reach: ShopReach
    destination: Country | None = None
    ships: bool | None = None

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
    """Where ``listing``'s seller ships, checked against the viewer's own country when they saved an address.

    At most two queries (the buyer's address, and the carriers' routes unless cached); None without a shop.
    """
    shop = getattr(listing.seller, "shop", None)
    if shop is None or not shop.country:
        return None
    delivery = Delivery(origin=shop.country, reach=shop_reach(shop.country.code))
    user = context.get("user")
    if user is None or not user.is_authenticated or listing.seller_id == user.pk:
        return delivery
    destination = default_ship_country(user)
    if not destination:
        return delivery
    return Delivery(
        origin=shop.country,
        reach=delivery.reach,
        destination=Country(code=destination),
        ships=delivers(shop.country.code, destination),
    )
