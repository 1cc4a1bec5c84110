"""Giving stock back when copies return (cancellation, expiry); taking it is place_order's job."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from catalog.book_stats import refresh_book_stats
from catalog.cache import catalog_changed
from catalog.models import Listing
from catalog.signals import listing_offered
from orders.models import OrderLine


def return_stock(lines: Iterable[OrderLine]) -> None:
    """Put the copies of ``lines`` back on sale: quantity up, units_sold down, per listing.

    Locks the listings in primary-key order (as place_order does, so the two cannot deadlock). Lines whose
    listing was deleted are skipped. Call inside the caller's transaction.
    """
    returned: dict[int, int] = defaultdict(int)
    for line in lines:
        if line.listing_id is not None:
            returned[line.listing_id] += line.quantity
    back: set[int] = set()
    for listing in Listing.objects.select_for_update().filter(pk__in=returned).order_by("pk"):
        count = returned[listing.pk]
        back_on_sale = listing.quantity == 0
        if back_on_sale:
            catalog_changed()  # its card no longer says "Sold out"
            back.add(listing.book_id)
        listing.quantity += count
        listing.units_sold = max(0, listing.units_sold - count)
        listing.save(update_fields=["quantity", "units_sold"])
        if back_on_sale and listing.status == Listing.Status.ACTIVE:
            listing_offered.send(sender=Listing, listing=listing)  # buyers waiting for a copy hear of it
    refresh_book_stats(back)  # copies for sale again: their books' figures count them
