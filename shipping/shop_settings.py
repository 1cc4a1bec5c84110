"""Saving a seller's shipping settings (the page is shipping.views; the quotes that use them are shipping.quotes)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Shop
from core.money import ZERO, to_cents
from shipping.models import MAX_HANDLING_DAYS, Carrier, ShopRate, ShopShipping
from shipping.quotes import carriers_from, forget_shop_terms, zones_for


class ShopSettingsError(Exception):
    def __init__(self, message, *, code: str):
        self.code = code
        self.message = message
        super().__init__(str(message))


def get_shop_shipping(shop: Shop) -> ShopShipping | None:
    """The shop's settings with carriers and rates prefetched, or None (three queries at most)."""
    return ShopShipping.objects.filter(shop=shop).prefetch_related("carriers", "rates").first()


def save_shop_shipping(
    shop: Shop,
    handling_days: int,
    carriers: Mapping[Carrier, Mapping[str, tuple[Decimal, Decimal]]],
) -> ShopShipping:
    """Replace ``shop``'s shipping settings: the carriers used (the mapping's keys) and, for each, the seller's
    own prices by zone ((first copy, each extra copy), in cents). Zones not priced use the carrier's rate.

    Guarantees: one transaction; only carriers that take parcels from the shop's country and only zones
    they serve; at least one carrier; prices not negative, rounded to cents; handling time 0 to 10 business
    days. The pages before checkout see the change once it commits.
    Raises ShopSettingsError: ``no_carrier``, ``carrier_not_available``, ``bad_zone``, ``bad_price``,
    ``bad_handling_days``.
    """
    if not isinstance(handling_days, int) or not 0 <= handling_days <= MAX_HANDLING_DAYS:
        raise ShopSettingsError(_("The handling time is 0 to 10 business days."), code="bad_handling_days")
    if not carriers:
        raise ShopSettingsError(_("Choose at least one carrier."), code="no_carrier")
    allowed = {carrier.pk for carrier in carriers_from(shop.country.code)}
    rates = []
    for carrier, prices in carriers.items():
        if carrier.pk not in allowed:
            raise ShopSettingsError(
                _("%(carrier)s does not take parcels from your country.") % {"carrier": carrier.name},
                code="carrier_not_available",
            )
        zones = {zone.value for zone in zones_for(carrier)}
        for zone, (base, extra) in prices.items():
            if zone not in zones:
                raise ShopSettingsError(_("This carrier does not serve that zone."), code="bad_zone")
            if base is None or extra is None or base < ZERO or extra < ZERO:
                raise ShopSettingsError(_("Prices cannot be negative."), code="bad_price")
            rates.append(ShopRate(carrier=carrier, zone=zone, base=to_cents(base), per_extra_item=to_cents(extra)))
    with transaction.atomic():
        settings, _created = ShopShipping.objects.select_for_update().get_or_create(shop=shop)
        settings.handling_days = handling_days
        settings.save()
        settings.carriers.set(list(carriers))
        settings.rates.all().delete()
        for rate in rates:
            rate.settings = settings
        ShopRate.objects.bulk_create(rates)
        forget_shop_terms(shop.pk)
    return settings
