"""Read-side helpers for the seller's pages: ownership checks and the queries they need.

Every seller view reaches a listing through get_listing_for_seller, so someone
else's id answers 404 in one place.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from catalog.holds import seller_has_held_copies
from catalog.isbn import try_normalize_isbn
from catalog.models import Appeal, Book, ImportRun, Listing
from catalog.search.pages import hinted_sql
from catalog.shop_stock import shop_stock_figures
from core.numbers import is_ascii_number

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


# Accepted appeals stay on the inventory this long after staff answered, so the seller sees the outcome.
APPEAL_OUTCOME_DAYS = 30


def inventory_summary(user: User) -> dict[str, int]:
    """Counts per status and the stock figures for the inventory page.

    "all" counts every listing that is not archived; "out_of_stock" counts
    active listings with no copies left; "copies" adds up the quantity of every
    listing that is not archived; "appeals_answered" counts listings that staff unhid
    on appeal in the last ``APPEAL_OUTCOME_DAYS`` (the inventory then shows the answer); "unpaid_holds" is 1 when
    orders awaiting payment may hold copies of the shop's.
    The figures are kept in the cache until the shop's listings change (catalog.shop_stock): staff accept an appeal
    by unhiding its listing, a change of status like any other. A notice so leaves the page at most
    ``shop_stock.FIGURES_SECONDS`` after its 30 days.
    """
    return shop_stock_figures(user.pk, lambda: _shop_figures(user))


def _shop_figures(user: User) -> dict[str, int]:
    """The figures of inventory_summary, in three queries: the stock from one index (seller, quantity, status),
    whatever the shop's size, the unpaid holds and the answered appeals."""
    summary = dict.fromkeys(["all", "out_of_stock", "copies", *Status.values], 0)
    per_status = (
        Listing.objects.filter(seller=user)
        .order_by()
        .values("status")
        .annotate(count=Count("id"), copies=Sum("quantity"), empty=Count("id", filter=Q(quantity=0)))
    )
    for row in per_status:
        summary[row["status"]] = row["count"]
        if row["status"] != Status.ARCHIVED:
            summary["all"] += row["count"]
            summary["copies"] += row["copies"] or 0
        if row["status"] == Status.ACTIVE:
            summary["out_of_stock"] = row["empty"]
    # Whether to ask, per page, which of its listings unpaid orders hold: a new hold takes copies out of a listing, a
    # write of the shop that renews these figures; a hold that ends by payment leaves the flag up, and a page asks.
    summary["unpaid_holds"] = int(seller_has_held_copies(user.pk))
    summary["appeals_answered"] = (
        Appeal.objects.filter(
            listing__seller=user,
            status=Appeal.Status.ACCEPTED,
            resolved_at__gte=timezone.now() - timedelta(days=APPEAL_OUTCOME_DAYS),
        )
        .values("listing_id")
        .distinct()
        .count()
    )
    return summary


MODERATION_SHOWN = 50


def moderation_notices(user: User, summary: dict[str, int]) -> list[Listing]:
    """The seller's hidden listings and those lately unhidden on appeal, each with its appeals newest first.

    Two queries, none when ``summary`` (inventory_summary) says there is nothing to show.
    """
    if not (summary.get(Status.HIDDEN) or summary.get("appeals_answered")):
        return []
    recent = timezone.now() - timedelta(days=APPEAL_OUTCOME_DAYS)
    answered = Appeal.objects.filter(status=Appeal.Status.ACCEPTED, resolved_at__gte=recent)
    return list(
        listings_for_seller(user)
        .filter(Q(status=Status.HIDDEN) | Q(pk__in=answered.values("listing_id")))
        .order_by("-updated_at", "-id")
        .prefetch_related(Prefetch("appeals", queryset=Appeal.objects.order_by("-created_at", "-id")))[
            :MODERATION_SHOWN
        ]
    )


def find_book_by_isbn(isbn13: str | None) -> Book | None:
    """The catalog's book with this ISBN-13, or None."""
    if not isbn13:
        return None
    return Book.objects.select_related("category").filter(isbn13=isbn13).first()


def book_is_shared(listing: Listing) -> bool:
    """Whether another seller also lists this listing's book (its shared data is then read-only)."""
    return Listing.objects.filter(book_id=listing.book_id).exclude(seller_id=listing.seller_id).exists()


def import_runs_for_seller(user: User) -> QuerySet[ImportRun]:
    """The seller's listings imports, newest first."""
    return ImportRun.objects.filter(seller=user).order_by("-created_at", "-id")


def get_import_run_for_seller(user: User, pk: int) -> ImportRun:
    """The seller's import with this id; raises Http404 for a missing id or anyone else's import."""
    try:
        return import_runs_for_seller(user).get(pk=pk)
    except ImportRun.DoesNotExist:
        raise Http404("No such import in your shop.") from None


# --- The inventory: search, filters and sort -----------------------------------

# Sort keys of the inventory's columns -> the model fields they order by (the listing's id breaks ties).
INVENTORY_SORTS = {
    "title": "book_title",
    "price": "price",
    "quantity": "quantity",
    "condition": "condition_rank",
    "status": "status",
    "updated": "updated_at",
}


@dataclass(frozen=True)
class InventoryFilters:
    """What the seller asked the inventory for; the defaults show every listing that is not archived."""

    q: str = ""
    status: str = "all"  # "all" (not archived) or a Listing.Status value
    condition: str = ""  # "" for any
    sort: str = "-updated"  # a key of INVENTORY_SORTS, "-" first for descending


def _isbn_digits(q: str) -> str:
    """The digits of ``q`` when it may be part of an ISBN (four digits or more, hyphens and spaces aside), else ""."""
    digits = q.replace("-", "").replace(" ", "")
    return digits if is_ascii_number(digits) and len(digits) >= 4 else ""


def _search(q: str) -> Q:
    """Every word of ``q`` in the book's title or authors (accents and case aside), or the start of the listing's
    SKU; an ISBN (10 or 13, hyphens allowed) is the book's.

    Words are checked in the listing's own copies of its book's title and authors (Listing.book_title and
    book_authors), among the shop's rows only, so the cost follows the shop's size, never the catalog's: checked
    on the book (an EXISTS), MariaDB turned it into an IN over every book of the catalog. Digits that may be part
    of an ISBN are checked on the book. An ISBN is one book, found by its unique index.
    """
    isbn13 = try_normalize_isbn(q)
    if isbn13:
        # The book's id read once by its unique ISBN (a scalar subquery): compared with a join, MariaDB then finds
        # the shop's copies of it from an index instead of reading every listing of the shop.
        book_id = Subquery(Book.objects.filter(isbn13=isbn13).values("pk")[:1])
        return Q(book_id=book_id) | Q(sku__iexact=q.strip())
    digits = _isbn_digits(q)
    words = Q()
    for word in q.split():
        # Ignoring accents and case on every database (catalog.folding), as the catalog's search does.
        words &= Q(book_title__unaccent_icontains=word) | Q(book_authors__unaccent_icontains=word)
    if digits:
        # The start or the middle of an ISBN as printed on the back cover.
        words |= Q(Exists(Book.objects.filter(isbn13__contains=digits, pk=OuterRef("book_id"))))
    # The seller's own code, whole or its start (unique per seller: the (seller, sku) index).
    return words | Q(sku__istartswith=q.strip())


def inventory_ordering(sort: str) -> tuple[str, ...]:
    """The fields the inventory orders by for ``sort`` (a key of INVENTORY_SORTS, "-" first for descending).

    Every order reads a page from an index that starts with the seller: (seller, book_title), (seller, price),
    and where the index also holds the status, ties go by status, then id: (seller, quantity, status),
    (seller, condition_rank, status), (seller, updated_at, status). No order sorts the whole shop.
    """
    key = sort.lstrip("-")
    sign = "-" if sort.startswith("-") else ""
    ties = ("status", "id") if key in ("quantity", "condition", "updated") else ("id",)
    return tuple(f"{sign}{name}" for name in (INVENTORY_SORTS[key], *ties))


def inventory_listings(user: User, filters: InventoryFilters) -> QuerySet[Listing]:
    """The seller's listings that match ``filters``, with book and category, in the asked order.

    Only the seller's own rows are ever read (``seller`` leads every index this uses: see Listing.Meta).
    """
    listings = Listing.objects.filter(seller=user)
    if filters.status == "all":
        listings = listings.exclude(status=Status.ARCHIVED)
    else:
        listings = listings.filter(status=filters.status)
    if filters.condition:
        # By the grade's rank (Listing.condition_rank, one per grade): the shop's copies of a grade are then
        # counted from the (seller, condition_rank, status) index alone, never from the rows.
        listings = listings.filter(condition_rank=Listing.Condition.values.index(filters.condition))
    if filters.q:
        listings = listings.filter(_search(filters.q))
    listings = listings.order_by(*inventory_ordering(filters.sort))
    return listings.select_related("book", "book__category")


def inventory_page(user: User, filters: InventoryFilters, number, per_page: int, *, count: int | None = None) -> Page:
    """One page of :func:`inventory_listings`, in two or three queries whatever the shop's size.

    The page's ids come from the listing table alone when neither the search nor the sort needs the book (an
    index walk that stops after the page; joining the books first made MariaDB sort every listing of the shop),
    then the page's rows are read with their books by primary key. The count, when not given, is a second pass
    over the shop's listings; a search reads every matching id in one pass instead, which counts them too: its
    words are checked on every listing of the shop either way, so a second pass would cost as much again.
    """
    ids = inventory_listings(user, filters).values_list("pk", flat=True)
    if count is None and filters.q:
        ids = _searched_ids(ids, filters.q)
    paginator = Paginator(ids, per_page)
    if count is not None:
        # Known already (the status tabs count every status): no second pass over the shop's listings.
        paginator.count = count
    page = paginator.get_page(number)
    rows = Listing.objects.select_related("book").in_bulk(list(page.object_list))
    page.object_list = [rows[pk] for pk in page.object_list if pk in rows]
    return page


def _searched_ids(ids: QuerySet, q: str) -> list[int]:
    """Every id a search of one shop matches, in order.

    On MariaDB/MySQL a search by words is read from the shop's search index alone (Listing.Meta:
    listing_seller_search_idx): the optimizer prefers the index of the sort order, then reads the shop's rows one by
    one, at twice the time (26 ms against 13 at 20,000 listings). An ISBN, whole or in part, starts from the books.
    """
    connection = connections[ids.db]
    if connection.vendor != "mysql" or try_normalize_isbn(q) or _isbn_digits(q):
        return list(ids)
    sql, params = hinted_sql(ids, ("listing_seller_search_idx",), force=True)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def lowest_asking_price(isbn13: str, condition: str, *, exclude_seller_id: int | None = None):
    """(lowest price, number of listings) of the copies buyers can buy now of this ISBN-13 and condition, other
    than ``exclude_seller_id``'s; (None, 0) when there is none. One query."""
    listings = Listing.objects.visible().filter(book__isbn13=isbn13, condition=condition, quantity__gt=0)
    if exclude_seller_id is not None:
        listings = listings.exclude(seller_id=exclude_seller_id)
    figures = listings.aggregate(lowest=Min("price"), offers=Count("id"))
    return figures["lowest"], figures["offers"]
