"""Finding or creating the Book a seller's copy is of: one set of rules for the listing form, imports and the API.

A book is the work as published and is shared by every seller's copy. The rules:

- the ISBN may be given as ISBN-10 or ISBN-13, with or without hyphens; it is stored as ISBN-13, and a wrong
  check digit or a value that is no ISBN is refused (catalog.isbn);
- an ISBN the catalog knows selects that book as it is: its title, authors and shelf are never changed by a
  seller, and only an empty publisher, year or description is filled in from what the seller gave;
- otherwise (no ISBN, or one the catalog does not know) a new book is created, which needs a title, authors and
  a category, within the model's limits.

``book_data`` is a mapping with the keys ``isbn`` (any form above, or empty; ``isbn13`` is read when ``isbn`` is
absent), ``title``, ``authors``, ``category`` (a Category) and optionally ``publisher``, ``year``, ``language``,
``binding``, ``description``. Errors are ``ValidationError`` keyed by those names (the ISBN's under ``isbn``).
"""

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.isbn import normalize_isbn
from catalog.models import Book, Category

REQUIRED_BOOK_FIELDS = ("title", "authors", "category")
# A book the catalog already has keeps its data; only these, when empty, may be filled in.
FILLABLE_BOOK_FIELDS = ("publisher", "year", "description")
NEW_BOOK_FIELDS = ("title", "authors", "publisher", "year", "language", "binding", "category", "description")
_LANGUAGES = frozenset(Book.Language.values)
_BINDINGS = frozenset(Book.Binding.values)
_MAX_LENGTHS = {name: Book._meta.get_field(name).max_length for name in ("title", "authors", "publisher")}


@lru_cache(maxsize=65536)
def _normalized(raw: str) -> str:
    # Imports look each ISBN up several times (dry run, batch, books); python-stdnum's check is not free.
    return normalize_isbn(raw)


def book_isbn(book_data: Mapping[str, Any]) -> str | None:
    """The ISBN-13 of ``book_data``, or None when it gives none; raises ValidationError {"isbn": ...} when bad."""
    raw = book_data["isbn"] if "isbn" in book_data else book_data.get("isbn13")
    raw = (raw or "").strip() if isinstance(raw, str) else raw
    if not raw:
        return None
    try:
        return _normalized(str(raw))
    except ValidationError as exc:
        raise ValidationError({"isbn": exc.messages}, code=exc.code) from exc


def check_new_book(book_data: Mapping[str, Any]) -> None:
    """Raise ValidationError keyed by field unless ``book_data`` can make a new book (required fields, limits)."""
    errors: dict[str, Any] = {}
    for name in REQUIRED_BOOK_FIELDS:
        if not book_data.get(name):
            errors[name] = _("This field is required.")
    for name, limit in _MAX_LENGTHS.items():
        value = book_data.get(name) or ""
        if name not in errors and len(value) > limit:
            errors[name] = _("Keep this under %(max)d characters (it has %(length)d).") % {
                "max": limit,
                "length": len(value),
            }
    if book_data.get("language") and book_data["language"] not in _LANGUAGES:
        errors["language"] = _("Unknown language.")
    if book_data.get("binding") and book_data["binding"] not in _BINDINGS:
        errors["binding"] = _("Unknown binding.")
    category = book_data.get("category")
    if category and not isinstance(category, Category):
        errors["category"] = _("Unknown category.")
    if errors:
        raise ValidationError(errors)


def check_book_data(book_data: Mapping[str, Any], known: Mapping[str, Book] | None = None) -> str | None:
    """Check ``book_data`` without writing anything; return its ISBN-13 (or None).

    ``known`` maps ISBN-13s to the catalog's books when the caller looked them up already (imports look up a
    whole batch in one query); without it the catalog is asked. A known ISBN needs no other field.
    Raises ValidationError keyed by field name.
    """
    isbn13 = book_isbn(book_data)
    if isbn13 is not None:
        exists = isbn13 in known if known is not None else Book.objects.filter(isbn13=isbn13).exists()
        if exists:
            return isbn13
    check_new_book(book_data)
    return isbn13


def find_or_create_book(book_data: Mapping[str, Any]) -> Book:
    """The catalog's book for ``book_data``: the one with its ISBN (empty publisher, year, description filled in),
    or a new one. Runs in the caller's transaction when there is one. Raises ValidationError keyed by field name.
    """
    return find_or_create_books([book_data])[0]


def find_or_create_books(rows: Sequence[Mapping[str, Any]]) -> list[Book]:
    """``find_or_create_book`` for many rows at once, in a constant number of queries (for imports).

    Returns one Book per row, in order. Rows with the same new ISBN share one new book (the first row's data);
    each row without an ISBN gets a book of its own, as the listing form does. Every row is checked before
    anything is written: one bad row raises ValidationError (keyed by field name) and nothing is saved.
    A book another process creates meanwhile with the same ISBN is reused, not duplicated.
    """
    isbns = [book_isbn(row) for row in rows]
    wanted = {isbn for isbn in isbns if isbn}
    known = {book.isbn13: book for book in Book.objects.filter(isbn13__in=wanted)} if wanted else {}
    for row, isbn13 in zip(rows, isbns, strict=True):
        if isbn13 is None or isbn13 not in known:
            check_new_book(row)
    with transaction.atomic():
        _fill_empty_fields(rows, isbns, known)
        new_by_isbn: dict[str, Book] = {}
        without_isbn: list[Book] = []
        books: list[Book | None] = []
        for row, isbn13 in zip(rows, isbns, strict=True):
            if isbn13 in known:
                books.append(known[isbn13])
            elif isbn13 is not None:
                new_by_isbn.setdefault(isbn13, _new_book(row, isbn13))
                books.append(None)
            else:
                book = _new_book(row, None)
                without_isbn.append(book)
                books.append(book)
        if new_by_isbn:
            # Another seller may add the same ISBN at this moment: their book wins and is reused.
            Book.objects.bulk_create(new_by_isbn.values(), ignore_conflicts=True)
            known.update({book.isbn13: book for book in Book.objects.filter(isbn13__in=new_by_isbn)})
        if without_isbn:
            Book.objects.bulk_create(without_isbn)
    return [book if book is not None else known[isbn13] for book, isbn13 in zip(books, isbns, strict=True)]


def _new_book(row: Mapping[str, Any], isbn13: str | None) -> Book:
    values = {name: row[name] for name in NEW_BOOK_FIELDS if row.get(name) not in (None, "")}
    for name in ("publisher", "description"):
        values.setdefault(name, "")
    return Book(isbn13=isbn13, **values)


def _fill_empty_fields(rows: Sequence[Mapping[str, Any]], isbns: list[str | None], known: dict[str, Book]) -> None:
    changed: dict[int, Book] = {}
    fields: set[str] = set()
    for row, isbn13 in zip(rows, isbns, strict=True):
        book = known.get(isbn13) if isbn13 else None
        if book is None:
            continue
        for name in FILLABLE_BOOK_FIELDS:
            if row.get(name) and not getattr(book, name):
                setattr(book, name, row[name])
                book.updated_at = timezone.now()
                changed[book.pk] = book
                fields.add(name)
    if changed:
        Book.objects.bulk_update(changed.values(), [*sorted(fields), "updated_at"])
