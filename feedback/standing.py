"""The seller's standing: their figures over the last 90 days, stored on ``accounts.ShopStats`` by a daily job.

- orders: their parts of orders paid in the window (one shipment each);
- shipped within 2 business days: of those parts that were due to ship by now (paid more than 2 business days
  ago, or already shipped) and not cancelled, the share shipped within 2 business days (Monday to Friday) of
  payment;
- cancellations by the seller: parts cancelled after payment other than by the buyer or by expiry (sellers
  cannot cancel on the website yet: these are staff's cancellations, which they make for a seller who cannot
  ship, and any made by a seller's own cancel should one be added with the ``shipment_cancelled`` code);
- claims: claims buyers opened in the window on the seller's parcels, whatever became of them;
- rating: the average of the visible ratings given in the window.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone

from accounts.models import Shop, ShopStats
from claims.models import Claim
from feedback.models import Feedback
from feedback.services import lock_shop
from orders.models import Shipment, ShipmentEvent
from orders.states import LEFT_SELLER, ShipmentStatus

STANDING_WINDOW = timedelta(days=90)
SHIP_WITHIN_BUSINESS_DAYS = 2
# Cancellations of a paid part that count against its seller (the buyer's own and expiry's do not).
SELLER_CANCELLATION_CODES = (ShipmentEvent.Code.SHIPMENT_CANCELLED, ShipmentEvent.Code.CANCELLED_BY_STAFF)


def ship_by(paid_at: datetime, business_days: int = SHIP_WITHIN_BUSINESS_DAYS) -> datetime:
    """When a part paid at ``paid_at`` should have shipped: that many weekdays later, same time of day (local)."""
    moment = timezone.localtime(paid_at)
    counted = 0
    while counted < business_days:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            counted += 1
    return moment


def _shipping_figures(since: datetime, now: datetime) -> dict[int, dict[str, int]]:
    figures: dict[int, dict[str, int]] = defaultdict(lambda: {"orders": 0, "due": 0, "on_time": 0})
    rows = Shipment.objects.filter(order__paid_at__gte=since, order__paid_at__lte=now).values_list(
        "seller_id", "status", "order__paid_at", "shipped_at"
    )
    for seller_id, status, paid_at, shipped_at in rows.iterator():
        mine = figures[seller_id]
        mine["orders"] += 1
        if status == ShipmentStatus.CANCELLED:
            continue
        deadline = ship_by(paid_at)
        shipped = status in LEFT_SELLER and shipped_at is not None
        if shipped or deadline <= now:
            mine["due"] += 1
            if shipped and shipped_at <= deadline:
                mine["on_time"] += 1
    return figures


def compute_standing(now: datetime | None = None) -> dict[int, dict]:
    """Every shop's standing figures (by shop id) for the window ending ``now``; shops without any are left out."""
    now = now or timezone.now()
    since = now - STANDING_WINDOW
    shop_of = dict(Shop.objects.values_list("owner_id", "pk"))
    result: dict[int, dict] = {}

    def row(shop_id: int) -> dict:
        return result.setdefault(
            shop_id,
            {
                "orders_90d": 0,
                "due_90d": 0,
                "shipped_on_time_90d": 0,
                "on_time_percent_90d": None,
                "cancelled_by_seller_90d": 0,
                "claims_90d": 0,
                "rated_90d": 0,
                "rating_90d": None,
            },
        )

    for seller_id, counts in _shipping_figures(since, now).items():
        if seller_id not in shop_of:
            continue
        figures = row(shop_of[seller_id])
        figures["orders_90d"] = counts["orders"]
        figures["due_90d"] = counts["due"]
        figures["shipped_on_time_90d"] = counts["on_time"]
        if counts["due"]:
            figures["on_time_percent_90d"] = round(100 * counts["on_time"] / counts["due"])

    cancelled = (
        Shipment.objects.filter(
            status=ShipmentStatus.CANCELLED,
            cancelled_at__gte=since,
            order__paid_at__isnull=False,
            events__status=ShipmentStatus.CANCELLED,
            events__code__in=SELLER_CANCELLATION_CODES,
        )
        .values("seller_id")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    for item in cancelled:
        if item["seller_id"] in shop_of:
            row(shop_of[item["seller_id"]])["cancelled_by_seller_90d"] = item["n"]

    claims = (
        Claim.objects.filter(created_at__gte=since, created_at__lte=now)
        .values("shipment__seller_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for item in claims:
        if item["shipment__seller_id"] in shop_of:
            row(shop_of[item["shipment__seller_id"]])["claims_90d"] = item["n"]

    ratings = (
        Feedback.objects.filter(is_hidden=False, created_at__gte=since)
        .values("shop_id")
        .annotate(n=Count("pk"), average=Avg("stars"))
        .order_by()
    )
    for item in ratings:
        figures = row(item["shop_id"])
        figures["rated_90d"] = item["n"]
        figures["rating_90d"] = Decimal(str(item["average"])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return result


def refresh_standing(now: datetime | None = None) -> int:
    """Store every shop's standing on its ShopStats row; shops with nothing in the window go back to zero.

    Touches only the standing columns, so ratings given meanwhile are kept. Returns how many rows were written.
    """
    now = now or timezone.now()
    figures = compute_standing(now)
    empty = {
        "orders_90d": 0,
        "due_90d": 0,
        "shipped_on_time_90d": 0,
        "on_time_percent_90d": None,
        "cancelled_by_seller_90d": 0,
        "claims_90d": 0,
        "rated_90d": 0,
        "rating_90d": None,
    }
    # Shops that had figures and now have none in the window go back to zero.
    stale = ShopStats.objects.exclude(shop_id__in=list(figures)).exclude(standing_updated_at=None)
    updates = dict.fromkeys(stale.values_list("shop_id", flat=True), empty)
    updates.update(figures)
    written = 0
    for shop_id in sorted(updates):
        # One short transaction per shop, behind its lock as every change of its figures (feedback.services).
        with transaction.atomic():
            lock_shop(shop_id)
            ShopStats.ensure(shop_id)
            written += ShopStats.objects.filter(shop_id=shop_id).update(**updates[shop_id], standing_updated_at=now)
    return written
