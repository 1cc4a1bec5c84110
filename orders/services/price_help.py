"""Price help for a seller listing a copy: what the same book in the same condition asks and sold for.

The figures mix the catalog (current asking prices) and orders (what sold), so they are put together here,
above both: the catalog may not read orders. The listing form shows them through the orders app's small
page at /sell/price-help/ (orders.views.price_help).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from catalog.selectors import lowest_asking_price
from core.money import to_cents
from orders.models import OrderLine
from orders.states import OrderStatus

SOLD_WINDOW = timedelta(days=365)
# Orders whose copies were sold: paid, then on their way or arrived (not expired, not cancelled).
SOLD_STATUSES = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED)


@dataclass(frozen=True)
class PriceHelp:
    isbn13: str
    condition: str
    lowest_asking: Decimal | None  # the lowest price of a copy on sale now
    offers: int  # listings on sale now
    sold_copies: int  # copies sold in the last 12 months
    sold_median: Decimal | None
    sold_low: Decimal | None
    sold_high: Decimal | None


def price_help(isbn13: str, condition: str, *, exclude_seller_id: int | None = None, now: datetime | None = None):
    """The figures for one ISBN-13 and condition grade, in two queries.

    ``lowest_asking`` and ``offers`` count copies buyers can buy now (visible, in stock), other than
    ``exclude_seller_id``'s own; the sold figures are per copy (a line of three copies counts three times)
    over the last 12 months of paid orders, at the price each line snapshotted.
    """
    now = now or timezone.now()
    lowest, offers = lowest_asking_price(isbn13, condition, exclude_seller_id=exclude_seller_id)
    lines = OrderLine.objects.filter(
        # The listing's book leads to the lines by indexes; the snapshot guards against a book edited since.
        listing__book__isbn13=isbn13,
        isbn13=isbn13,
        condition=condition,
        order__status__in=SOLD_STATUSES,
        order__created_at__gte=now - SOLD_WINDOW,
    ).values_list("unit_price", "quantity")
    prices = sorted(price for price, quantity in lines for _ in range(quantity))
    return PriceHelp(
        isbn13=isbn13,
        condition=condition,
        lowest_asking=lowest,
        offers=offers,
        sold_copies=len(prices),
        sold_median=to_cents(statistics.median(prices)) if prices else None,
        sold_low=prices[0] if prices else None,
        sold_high=prices[-1] if prices else None,
    )
