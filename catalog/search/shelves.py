"""Reading a narrow combination of the book's filters book first.

A shelf is one combination of the filters on the book (category, language, binding). Its pages are read from the
listing index of one of those filters, the others checked on every entry: page 3 of the mass-market copies of
science books up to 5 read 8,700 entries of the category's index at 100,000 listings to find 72 copies. When the
shelf is small, reading its books first (the book index of the combination, ``book_shelf_*_idx``) and then their
listings (listing_book_stock_idx) reads the shelf's books and copies and nothing else, whatever the page and
whatever the filters on the copies: a few hundred rows where the walk would read thousands.

Which plan is cheaper is a matter of numbers the optimizer does not have: how many copies each combination holds.
Each process keeps them (the books and copies for sale of every combination, from the books' figures: one GROUP BY
over catalog.models.BookStats, 543 rows at 100,000 listings), read again in the background every SHELF_SECONDS.
They only choose the plan: both plans return the same rows, so numbers a few minutes old cost speed, never
correctness.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.db import DatabaseError, connections
from django.db.models import Count, F, QuerySet, Sum

from catalog.models import Book, BookStats, Listing

logger = logging.getLogger(__name__)

SHELF_SECONDS = 300
# A shelf with more copies for sale than this is never read book first: its books and copies together would be
# more than a page may read (about 2,000 rows, with the books: book_first_rows).
SHELF_COPIES = 1_250
# The share of a shelf's copies that a price range lets through, for the estimate (the bench catalog's ranges let
# through a fifth to a half).
PRICE_RANGE_SHARE = 0.25
CONDITION_COUNT = len(Listing.Condition.values)
# Copies a book read by the books view's walk from the dearest copy (catalog.search.books.DESC_PER_BOOK).
DESC_WALK_PER_BOOK = 6


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
    """The books and copies for sale of every combination: read on first use, then again in the background once
    they are SHELF_SECONDS old (one query, which reads every row of the books' figures: the process's requests go
    on with the numbers they have meanwhile)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._read_at: float | None = None
        self._reading = False
        # The rows of the last read, and each shelf asked for since, summed from them: swapped together.
        self._snapshot: tuple[dict[tuple, ShelfSize], dict[Shelf, ShelfSize]] = ({}, {})

    def snapshot(self) -> tuple[dict[tuple, ShelfSize], dict[Shelf, ShelfSize]]:
        if self._read_at is None:
            self._read()
        elif time.monotonic() - self._read_at > SHELF_SECONDS:
            with self._lock:
                start, self._reading = not self._reading, True
            if start:
                threading.Thread(target=self._read_apart, name="shelf-sizes", daemon=True).start()
        return self._snapshot

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
        with self._lock:
            self._snapshot, self._read_at, self._reading = (rows, {}), time.monotonic(), False

    def _read_apart(self) -> None:
        try:
            self._read()
        except DatabaseError:
            logger.warning("The catalog's shelf sizes could not be read again; the previous ones stay.", exc_info=True)
            with self._lock:
                self._read_at, self._reading = time.monotonic(), False
        finally:
            connections.close_all()  # this thread's own connections

    def forget(self) -> None:
        """Read the numbers again on next use, at once (tests, after changing the catalog)."""
        with self._lock:
            self._read_at = None


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


def copy_share(conditions: int, price_range: bool) -> float:
    """The share of a shelf's copies that filters on the copies let through, by estimate."""
    share = min(conditions, CONDITION_COUNT) / CONDITION_COUNT if conditions else 1.0
    return share * (PRICE_RANGE_SHARE if price_range else 1.0)


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
    if size.copies > SHELF_COPIES:
        return False
    matches = size.copies * share
    if matches < 1:
        return True  # nothing or nearly nothing matches: the walk would read its whole index
    entries = max(shelf_size(single).copies for single in shelf.singles())
    walked = min(rows, matches) * entries / matches
    return book_first_rows(size) < walked


def shelf_books(shelf: Shelf | None, share: float, rows: int) -> QuerySet | None:
    """The books of ``shelf`` (a query of one column, ``book_id``) when its first ``rows`` matching copies are to
    be read book first (reads_book_first), else None."""
    return shelf.books() if shelf is not None and reads_book_first(shelf, share, rows) else None


def shelf_books_for_books(shelf: Shelf | None, share: float, books: int, *, descending: bool) -> QuerySet | None:
    """As shelf_books, for the first ``books`` books of the books view. Walking by price descending reads some
    DESC_WALK_PER_BOOK copies a book (catalog.search.books); the other orders the book's matching copies."""
    if shelf is None:
        return None
    size = shelf_size(shelf)
    per_book = DESC_WALK_PER_BOOK if descending else max(1.0, share * size.copies / max(size.books, 1))
    return shelf_books(shelf, share, round(books * per_book))
