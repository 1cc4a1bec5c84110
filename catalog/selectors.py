"""Read-side helpers for the seller's pages: ownership checks and the queries they need.

Every seller view reaches a listing through get_listing_for_seller, so someone
else's id answers 404 in one place.
"""

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.models import User
from catalog.models import Book, Listing

Status = Listing.Status


def listings_for_seller(user: User) -> QuerySet[Listing]:
    """The seller's own listings with their book and category, newest change first."""
    return Listing.objects.filter(seller=user).select_related("book", "book__category").order_by("-updated_at", "-id")


def get_listing_for_seller(user: User, pk: int) -> Listing:
    """The seller's listing with this id; raises Http404 for a missing id or anyone else's listing."""
    try:
        return listings_for_seller(user).get(pk=pk)
    except Listing.DoesNotExist:
        raise Http404("No such listing in your shop.") from None


def inventory_summary(user: User) -> dict[str, int]:
    """Counts per status and the stock figures for the inventory page, in one query.

    "all" counts every listing that is not archived; "out_of_stock" counts
    active listings with no copies left; "copies" adds up the quantity of every
    listing that is not archived.
    """
    per_status = {status.value: Count("id", filter=Q(status=status)) for status in Status}
    return Listing.objects.filter(seller=user).aggregate(
        all=Count("id", filter=~Q(status=Status.ARCHIVED)),
        out_of_stock=Count("id", filter=Q(status=Status.ACTIVE, quantity=0)),
        copies=Coalesce(Sum("quantity", filter=~Q(status=Status.ARCHIVED)), 0),
        **per_status,
    )


def find_book_by_isbn(isbn13: str | None) -> Book | None:
    """The catalog's book with this ISBN-13, or None."""
    if not isbn13:
        return None
    return Book.objects.select_related("category").filter(isbn13=isbn13).first()


def book_is_shared(listing: Listing) -> bool:
    """Whether another seller also lists this listing's book (its shared data is then read-only)."""
    return Listing.objects.filter(book_id=listing.book_id).exclude(seller_id=listing.seller_id).exists()
