"""The marketplace's fee on what sellers sell: which rate applies, and how an amount is rounded.

The rate is ``settings.MARKETPLACE_FEE_PERCENT`` unless staff set one for the book's category (FeeRate).
Checkout fixes it on each order line (``fee_percent`` and ``fee``), so later changes of a rate never touch
orders already placed. The fee is on the items only: shipping goes to the seller untouched.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from core.money import to_cents
from orders.models import FeeRate

HUNDRED = Decimal(100)


def fee_for(amount: Decimal, percent: Decimal) -> Decimal:
    """The fee on ``amount`` at ``percent``: the one rounding rule, half up to the cent (``core.money``)."""
    return to_cents(Decimal(amount) * Decimal(percent) / HUNDRED)


def default_fee_percent() -> Decimal:
    return Decimal(settings.MARKETPLACE_FEE_PERCENT)


def fee_rates(category_ids) -> dict[int, Decimal]:
    """The staff-set rates of these categories, by category id (one query); others use the default."""
    ids = {pk for pk in category_ids if pk is not None}
    if not ids:
        return {}
    return dict(FeeRate.objects.filter(category_id__in=ids).values_list("category_id", "percent"))


def fee_percent_for(category_id: int | None, rates: dict[int, Decimal]) -> Decimal:
    """The rate for a book of ``category_id``, given the ``rates`` :func:`fee_rates` read."""
    return rates.get(category_id, default_fee_percent())
