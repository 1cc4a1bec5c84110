"""Money helpers: amounts are Decimals rounded to cents, in the one site currency (settings.CURRENCY)."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

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
    from bookstore.templatetags.site_tags import money

    return money(amount)
