"""Plans the optimizer cannot choose alone: a narrow combination of the book's filters read book first, a narrow
price range read by price.

A shelf is one combination of the filters on the book (category, language, binding). Its pages are read from the
listing index of one of those filters, the others checked on every entry: page 3 of the mass-market copies of
science books up to 5 read 8,700 entries of the category's index at 100,000 listings to find 72 copies. When the
shelf is small, reading its books first (the book index of the combination, ``book_shelf_*_idx``) and then their
listings (listing_book_stock_idx) reads the shelf's books and copies and nothing else, whatever the page and
whatever the filters on the copies: a few hundred rows where the walk would read thousands.

Likewise a copy-view page newest first with a price range that few copies match (as-new Spanish copies up to 5)
walks the newest-first index for thousands of entries; the price index of its filter reads just the range
(reads_price_range), and then sorts it.

Which plan is cheaper is a matter of numbers the optimizer does not have: how many copies each combination holds,
and how many copies each price range. Each process keeps them (the books and copies for sale of every combination,
from the books' figures: one GROUP BY over catalog.models.BookStats, 543 rows at 100,000 listings; the copies by
whole price, from the price index), read in the background on first use and every SHELF_SECONDS. They only choose
the plan: both plans return the same rows, so numbers a few minutes old cost speed, never correctness.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import DatabaseError, connections
from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import Floor

from catalog.models import Book, BookStats, Listing

if TYPE_CHECKING:
    from catalog.search.queries import CatalogResult

logger = logging.getLogger(__name__)

SHELF_SECONDS = 300
# A shelf with more copies for sale than this is never read book first: its books and copies together would be
# more than a page may read (about 2,000 rows, with the books: book_first_rows).
SHELF_COPIES = 1_250
# The share of a shelf's copies that a price range lets through, for the estimate (the bench catalog's ranges let
# through a fifth to a half).
PRICE_RANGE_SHARE = 0.25
CONDITION_COUNT = len(Listing.Condition.values)


@dataclass(frozen=True)
class Shelf:
    """The books of one combination of the book's filters."""

    category_id: int | None = None
    language: str = ""
    binding: str = ""

    def book_filters(self) -> dict:
        filters = {"category_id": self.category_id, "language": self.language, "binding": self.binding}
        return {name: value for name, value in filters.items() if value not in (None, "")}

    def books(self) -> QuerySet:
        """The ids of the shelf's books (as ``book_id``), in the book index of its combination."""
        return Book.objects.filter(**self.book_filters()).order_by().values(book_id=F("pk"))

    def singles(self) -> list[Shelf]:
        """The shelf of each of its filters alone: the listing indexes a walk would read."""
        return [Shelf(**{name: value}) for name, value in self.book_filters().items()]


@dataclass(frozen=True)
class ShelfSize:
    books: int = 0
    copies: int = 0


class _Sizes:
    """The books and copies for sale of every combination, and the copies by whole price: read in the background
    (two queries that read every row of the books' figures and every entry of the price index: some 100 ms at
    100,000 listings), on the process's first use and again once they are SHELF_SECONDS old; requests go on
    meanwhile, with the numbers the process has, or none yet (the plans are then those of the listing indexes).
    After forget() the next use reads them at once."""

    def __init__(self):
        self._lock = threading.Lock()
        self._read_at: float | None = None  # when the last read started (or failed)
        self._reading = False
        self._at_once = False
        self.known = False  # a read has succeeded
        # The rows of the last read, and each shelf asked for since, summed from them: swapped together.
        self._snapshot: tuple[dict[tuple, ShelfSize], dict[Shelf, ShelfSize]] = ({}, {})
        self._prices: dict[int, int] = {}  # copies for sale by whole price (12.50 in 12)

    def prices(self) -> dict[int, int]:
        self.snapshot()
        return self._prices

    def snapshot(self) -> tuple[dict[tuple, ShelfSize], dict[Shelf, ShelfSize]]:
        if self._at_once:
            self._read()
            return self._snapshot
        # The numbers of now, taken before a new read may start: a quick read could swap them in before this
        # returns, and a request answers with what it saw when it asked.
        current = self._snapshot
        if self._read_at is None or time.monotonic() - self._read_at > SHELF_SECONDS:
            with self._lock:
                start, self._reading = not self._reading, True
                self._read_at = time.monotonic()
            if start:
                threading.Thread(target=self._read_apart, name="shelf-sizes", daemon=True).start()
        return current

    def _read(self) -> None:
        figures = (
            BookStats.objects.order_by()
            .values_list("category_id", "language", "binding")
            .annotate(books=Count("book_id"), copies=Sum("copies"))
        )
        rows = {
            (category, language, binding): ShelfSize(books, copies or 0)
            for category, language, binding, books, copies in figures
        }
        # Every copy on sale by its whole price, from the price index alone (no visibility rule: an estimate).
        active = Listing.objects.filter(status=Listing.Status.ACTIVE).order_by()
        prices = dict(active.values_list(Floor("price")).annotate(copies=Count("id")))
        with self._lock:
            self._snapshot, self._prices = (rows, {}), {int(price): copies for price, copies in prices.items()}
            self._read_at, self._reading, self._at_once, self.known = time.monotonic(), False, False, True

    def _read_apart(self) -> None:
        try:
            self._read()
        except DatabaseError:
            logger.warning("The catalog's shelf sizes could not be read; tried again later.", exc_info=True)
            with self._lock:
                self._reading = False
        finally:
            connections.close_all()  # this thread's own connections

    def forget(self) -> None:
        """Read the numbers again on next use, at once (tests, after changing the catalog)."""
        with self._lock:
            self._at_once = True


_sizes = _Sizes()
forget_sizes = _sizes.forget


def shelf_size(shelf: Shelf) -> ShelfSize:
    """How many books and copies for sale the shelf holds (as of at most SHELF_SECONDS ago)."""
    rows, sums = _sizes.snapshot()
    if (known := sums.get(shelf)) is not None:
        return known
    books = copies = 0
    for (category, language, binding), size in rows.items():
        if (
            (shelf.category_id is None or category == shelf.category_id)
            and (not shelf.language or language == shelf.language)
            and (not shelf.binding or binding == shelf.binding)
        ):
            books += size.books
            copies += size.copies
    sums[shelf] = ShelfSize(books, copies)
    return sums[shelf]


def price_share(price_min: Decimal | None, price_max: Decimal | None) -> float:
    """The share of the copies on sale whose price is in the range, from the process's numbers by whole price
    (PRICE_RANGE_SHARE when it has none)."""
    if price_min is None and price_max is None:
        return 1.0
    prices = _sizes.prices()
    total = sum(prices.values())
    if not total:
        return PRICE_RANGE_SHARE
    low = math.floor(price_min) if price_min is not None else -math.inf
    high = math.floor(price_max) if price_max is not None else math.inf
    return sum(copies for price, copies in prices.items() if low <= price <= high) / total


def copy_share(conditions: int, price_min: Decimal | None = None, price_max: Decimal | None = None) -> float:
    """The share of a shelf's copies that filters on the copies let through, by estimate: the conditions (as if
    equally common) and the price range (as the whole catalog's prices)."""
    share = min(conditions, CONDITION_COUNT) / CONDITION_COUNT if conditions else 1.0
    return share * price_share(price_min, price_max)


def book_first_rows(size: ShelfSize) -> int:
    """The rows reading a shelf book first reads, by estimate: each book's entry in the book index, a lookup and an
    end in the listing index, and each copy (measured at 100,000 listings: 2,900 to 3,700 for 360 books and 1,800
    copies, with the page's sort)."""
    return 3 * size.books + size.copies


def reads_book_first(shelf: Shelf | None, share: float, rows: int) -> bool:
    """Whether ``rows`` matching copies of ``shelf`` (the first rows of a page, or of a count) are cheaper to read
    book first than by walking a listing index of one of its filters, ``share`` of the shelf's copies matching the
    filters on the copies.

    The walk reads the index of one of its filters (the optimizer's choice, so the largest, to be safe) until it
    has found ``rows``: that index's entries for each match. Book first reads the shelf's books and all their
    copies: at most SHELF_COPIES and their books, whatever the page.
    """
    if shelf is None:
        return False
    size = shelf_size(shelf)
    if not _sizes.known or size.copies > SHELF_COPIES:
        return False
    matches = size.copies * share
    if matches < 1:
        return True  # nothing or nearly nothing matches: the walk would read its whole index
    entries = max(shelf_size(single).copies for single in shelf.singles())
    walked = min(rows, matches) * entries / matches
    return book_first_rows(size) < walked


def share_of(result: CatalogResult) -> float:
    """copy_share of the result's filters on the copies."""
    return copy_share(result.conditions, result.price_min, result.price_max)


def shelf_books(result: CatalogResult, rows: int) -> QuerySet | None:
    """The books of the result's shelf (a query of one column, ``book_id``) when its first ``rows`` matching copies
    are to be read book first (reads_book_first), else None."""
    shelf = result.shelf
    return shelf.books() if shelf is not None and reads_book_first(shelf, share_of(result), rows) else None


def reads_price_range(
    shelf: Shelf | None, conditions: int, price_min: Decimal | None, price_max: Decimal | None, rows: int
) -> bool:
    """Whether the first ``rows`` matching copies newest first are cheaper to read from a price index, every copy
    of the price range (then sorted), than by walking a newest-first index until ``rows`` match.

    The two read the same filter's index (a book filter's, a single condition's, or the catalog's), in the
    optimizer's choice, so its largest by estimate: the range reads that index's entries in the price range, the
    walk its entries for each match. The range wins when matches are few (a narrow price range of a narrow
    shelf: 7,511 rows read newest first, 198 by price, at 100,000 listings), the walk when they are many
    ("from 20" alone: 65 rows against 79,352).
    """
    if price_min is None and price_max is None:
        return False
    total = shelf_size(Shelf()).copies
    if not _sizes.known:
        return False
    entries = [shelf_size(single).copies for single in shelf.singles()] if shelf is not None else []
    if conditions == 1:
        entries.append(total / CONDITION_COUNT)
    index = max(entries, default=total)
    share = price_share(price_min, price_max)
    matches = (shelf_size(shelf).copies if shelf is not None else total) * copy_share(conditions) * share
    if matches < 1:
        return True  # nearly nothing matches: the walk would read its whole index
    walked = min(rows, matches) * index / matches
    return index * share < walked
