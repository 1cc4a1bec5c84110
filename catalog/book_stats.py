"""Keeping each book's figures (catalog.models.BookStats) in step with its listings.

``refresh_book_stats(book_ids)`` computes the rows of those books again from their listings and writes them (or
deletes the row of a book with no copy left for sale). Call it inside the transaction that changed the listings,
once, after the change, with every book it touched: the books view then never shows a figure that the database
has not committed. It locks the books' rows first, in id order, so that two transactions changing copies of the
same book compute its row one after the other; the project's isolation level (READ COMMITTED) lets the second
see what the first committed.

A copy for sale is a visible listing (catalog.search.visible_listings) with stock. The cover is the cheapest such
copy's cover (its first photo), the lowest id breaking ties.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db import connections, router, transaction
from django.db.models import Count, Max, Min

from catalog.models import Book, BookStats, Listing
from catalog.search.books import condition_rank
from catalog.search.queries import visible_listings

# Books written per transaction by rebuild_book_stats, and per statement by refresh_book_stats.
BATCH_BOOKS = 1000

_FIGURES = ("copies", "lowest_price", "newest", "best_rank", "worst_rank", "category", "language", "binding")
UPDATE_FIELDS = (*_FIGURES, "cover", "cover_widths", "updated_at")


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def refresh_book_stats(book_ids: Iterable[int | None]) -> None:
    """Write the figures of these books again from their listings (None ids are ignored)."""
    ids = sorted({pk for pk in book_ids if pk is not None})
    if not ids:
        return
    with transaction.atomic(savepoint=False):
        for chunk in _chunks(ids, BATCH_BOOKS):
            _write(chunk)


def refresh_seller_books(seller_ids: Iterable[int]) -> None:
    """Write again the figures of every book the sellers list (a seller deactivated or back, a shop away or back)."""
    sellers = sorted(set(seller_ids))
    if not sellers:
        return
    books = Listing.objects.filter(seller_id__in=sellers).order_by().values_list("book_id", flat=True).distinct()
    refresh_book_stats(list(books))


def refresh_listing_books(listing_ids: Iterable[int]) -> None:
    """Write again the figures of the books of these listings."""
    ids = sorted(set(listing_ids))
    if ids:
        refresh_book_stats(list(Listing.objects.filter(pk__in=ids).values_list("book_id", flat=True).distinct()))


def rebuild_book_stats(batch: int = BATCH_BOOKS) -> int:
    """Write every book's figures again, ``batch`` books per transaction; return the number of rows written.

    Rows of books that have no copy for sale any more are deleted. Safe while the site runs: each batch locks
    its books as refresh_book_stats does.
    """
    written = 0
    last = 0
    while True:
        ids = list(Book.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            break
        with transaction.atomic():
            written += _write(ids)
        last = ids[-1]
    BookStats.objects.filter(book_id__gt=last).delete()
    return written


def _write(ids: list[int]) -> int:
    """Compute and store the rows of the books ``ids`` (sorted); return how many books have copies for sale.

    Four queries (lock the books, group their copies, find their covers, upsert the rows), and a delete when some
    book has no copy for sale left.
    """
    books = Book.objects.filter(pk__in=ids).order_by("pk").select_for_update()
    details = {
        pk: (category_id, language, binding)
        for pk, category_id, language, binding in books.values_list("pk", "category_id", "language", "binding")
    }
    on_sale = visible_listings().filter(book_id__in=ids, quantity__gt=0).order_by()
    groups = on_sale.values("book_id").annotate(
        copies=Count("id"),
        lowest=Min("price"),
        newest=Max("published_at"),
        best=Min(condition_rank()),
        worst=Max(condition_rank()),
    )
    covers: dict[int, tuple[str, list]] = {}
    for book_id, cover, widths in (
        on_sale.exclude(cover="").order_by("book_id", "price", "id").values_list("book_id", "cover", "cover_widths")
    ):
        covers.setdefault(book_id, (cover, widths))
    rows = []
    for group in groups:
        book_id = group["book_id"]
        if book_id not in details:
            continue
        category_id, language, binding = details[book_id]
        cover, widths = covers.get(book_id, ("", []))
        rows.append(
            BookStats(
                book_id=book_id,
                copies=group["copies"],
                lowest_price=group["lowest"],
                newest=group["newest"],
                best_rank=group["best"],
                worst_rank=group["worst"],
                category_id=category_id,
                language=language,
                binding=binding,
                cover=cover,
                cover_widths=list(widths or []),
            )
        )
    kept = [row.book_id for row in rows]
    if len(kept) < len(ids):
        BookStats.objects.filter(book_id__in=ids).exclude(book_id__in=kept).delete()
    if rows:
        db = router.db_for_write(BookStats)
        unique = ["book"] if connections[db].features.supports_update_conflicts_with_target else None
        BookStats.objects.bulk_create(rows, update_conflicts=True, update_fields=UPDATE_FIELDS, unique_fields=unique)
    return len(rows)
