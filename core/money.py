"""Money helpers: amounts are Decimals rounded to cents, in the one site currency (settings.CURRENCY)."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models

ZERO = Decimal("0.00")
CENTS = Decimal("0.01")


def to_cents(value) -> Decimal:
    """``value`` as a Decimal rounded half-up to cents. Floats are refused: they cannot hold cents exactly."""
    if isinstance(value, float):
        raise TypeError("Money must be a Decimal, an int or a string, never a float.")
    return Decimal(value).quantize(CENTS, rounding=ROUND_HALF_UP)


def currency() -> str:
    return settings.CURRENCY


def format_money(amount) -> str:
    """The amount formatted for people in the active language, as the ``money`` template filter does."""
    from core.templatetags.site_tags import money

    return money(amount)


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    """An amount of money in a model: a Decimal with cents, zero by default."""
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)
