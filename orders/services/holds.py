"""What unpaid orders hold of each listing, for the catalog (catalog.holds; installed by OrdersConfig.ready)."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Sum

from orders.models import Order, OrderLine
from orders.states import OrderStatus


def held_copies(listing_ids: Collection[int]) -> dict[int, int]:
    """Copies of these listings in orders awaiting payment, per listing id (one query)."""
    rows = (
        OrderLine.objects.filter(listing_id__in=listing_ids, order__status=OrderStatus.PENDING_PAYMENT)
        .values("listing_id")
        .annotate(copies=Sum("quantity"))
        .values_list("listing_id", "copies")
    )
    return {listing_id: copies for listing_id, copies in rows if copies}


def seller_has_held_copies(seller_id: int) -> bool:
    """Whether an order awaiting payment holds copies of this seller's listings (one query, from the few orders
    awaiting payment, by the (status, expires_at) index, rather than from every line the seller ever sold)."""
    pending = Order.objects.filter(status=OrderStatus.PENDING_PAYMENT).values("pk")
    return OrderLine.objects.filter(order_id__in=pending, seller_id=seller_id).exists()
