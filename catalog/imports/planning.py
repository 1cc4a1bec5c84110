"""What each row of a seller's listings file would do: reading the rows, and planning a batch against the seller's
listings and the catalog's books. Nothing here writes; catalog.services.imports checks and applies with it.

A row is refused (a RowError naming its line, column and reason) when the book it names cannot be found or
created, when its status is not one the listing may take, or when its SKU is on an earlier line. Otherwise it
creates a listing, updates the fields whose values differ, or leaves the listing as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.imports.columns import (
    COLUMNS,
    ParsedRow,
    RowError,
    Vocabulary,
    cell_text,
    header_map,
    parse_row,
)
from catalog.imports.files import file_format, iter_cells, read_table
from catalog.models import Book, Listing
from catalog.services.books import book_isbn, check_book_data
from catalog.states import Actor, can_transition

Status = Listing.Status

# The file's column for each book field the services name.
BOOK_COLUMNS = {
    "isbn": "isbn",
    "title": "title",
    "authors": "author",
    "category": "category",
    "language": "language",
    "binding": "binding",
}


@dataclass
class ReadFile:
    """Every data row of a file, parsed, in order: a ParsedRow or the row's errors."""

    rows: list[ParsedRow | list[RowError]]
    skus: set[str]


def read_rows(data: bytes, name: str) -> ReadFile:
    """Parse a file's rows; raises ValidationError when the file as a whole cannot be used."""
    fmt = file_format(name)
    table = read_table(data, fmt)
    columns, missing = header_map(table.headers)
    if missing:
        raise ValidationError(
            _("The file has no column %(missing)s. The first line must name the columns: %(columns)s.")
            % {"missing": ", ".join(f"“{name}”" for name in missing), "columns": ", ".join(COLUMNS)},
            code="columns",
        )
    rows = parse_rows(
        (line, {name: cell_text(value) for name, value in raw.items()}) for line, raw in iter_cells(table, columns)
    )
    skus = {cell_text(raw.get("sku")) for _line, raw in iter_cells(table, columns)} - {""}
    return ReadFile(rows, skus)


def parse_rows(lines: Iterable[tuple[int, dict[str, str]]]) -> list[ParsedRow | list[RowError]]:
    """Parse rows given as (line, cells by column name); a SKU on an earlier line makes the later row an error."""
    vocabulary = Vocabulary()
    rows: list[ParsedRow | list[RowError]] = []
    first_line: dict[str, int] = {}
    for line, cells in lines:
        row = parse_row(line, cells, vocabulary)
        if isinstance(row, ParsedRow):
            if row.sku in first_line:
                row = [
                    RowError(
                        line,
                        "sku",
                        row.sku,
                        _("This SKU is already on line %(line)d: give each listing one row.")
                        % {"line": first_line[row.sku]},
                    )
                ]
            else:
                first_line[row.sku] = line
        rows.append(row)
    return rows


@dataclass
class Update:
    listing: Listing
    row: ParsedRow
    fields: list[str]


@dataclass
class BatchPlan:
    creates: list[ParsedRow] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    refused: int = 0


def _book_errors(row: ParsedRow, exc: ValidationError, isbn13: str | None) -> list[RowError]:
    errors = []
    for key, messages in exc.message_dict.items():
        column = BOOK_COLUMNS.get(key, key)
        if key in ("title", "authors", "category") and not row.raw.get(column):
            if isbn13:
                message = _("Our catalog does not know this ISBN yet: give the book's %(column)s.") % {
                    "column": column
                }
            else:
                message = _("A book without an ISBN needs its %(column)s.") % {"column": column}
        else:
            message = " ".join(messages)
        errors.append(RowError(row.line, column, row.raw.get(column, ""), message))
    return errors


def _status_for_new(row: ParsedRow) -> tuple[str | None, RowError | None]:
    status = row.status or (Status.ACTIVE if row.quantity else Status.DRAFT)
    if status not in (Status.ACTIVE, Status.DRAFT):
        return None, RowError(
            row.line, "status", row.raw.get("status", ""), _("A new listing is either “active” or “draft”.")
        )
    if status == Status.ACTIVE and row.quantity < 1:
        return None, RowError(
            row.line,
            "quantity",
            row.raw.get("quantity", ""),
            _("Add at least one copy in stock before putting the listing on sale."),
        )
    return status, None


def _status_error(listing: Listing, row: ParsedRow) -> RowError | None:
    """Why ``row`` may not give ``listing`` its status, or None when it may (or keeps it)."""
    if not row.status or row.status == listing.status:
        return None
    value = row.raw.get("status", "")
    if listing.status == Status.HIDDEN:
        return RowError(row.line, "status", value, _("Our staff hid this listing; its status cannot change here."))
    if row.status == Status.ARCHIVED:
        return RowError(row.line, "status", value, _("Delete or archive a listing from your inventory page."))
    if not can_transition(listing.status, row.status, Actor.SELLER):
        return RowError(
            row.line,
            "status",
            value,
            _("A listing that is “%(current)s” cannot become “%(target)s”.")
            % {"current": Status(listing.status).label, "target": Status(row.status).label},
        )
    if row.status == Status.ACTIVE and row.quantity < 1:
        return RowError(
            row.line,
            "quantity",
            row.raw.get("quantity", ""),
            _("Add at least one copy in stock before putting the listing on sale."),
        )
    return None


def plan_batch(rows: Sequence[ParsedRow | list[RowError]], existing: dict[str, Listing], known: dict[str, Book]):
    """What a batch would do, given the seller's listings with its SKUs and the catalog's books with its ISBNs."""
    plan = BatchPlan()
    for row in rows:
        if not isinstance(row, ParsedRow):
            plan.errors.extend(row)
            plan.refused += 1
            continue
        errors: list[RowError] = []
        listing = existing.get(row.sku)
        isbn13 = None
        try:
            isbn13 = book_isbn(row.book_data())
        except ValidationError as exc:
            errors.append(RowError(row.line, "isbn", row.raw.get("isbn", ""), " ".join(exc.message_dict["isbn"])))
        if listing is None:
            if not errors:
                try:
                    check_book_data(row.book_data(), known)
                except ValidationError as exc:
                    errors.extend(_book_errors(row, exc, isbn13))
            status, error = _status_for_new(row)
            if error:
                errors.append(error)
            if not errors:
                row.status = status
                plan.creates.append(row)
        elif listing.status == Status.ARCHIVED:
            errors.append(
                RowError(row.line, "sku", row.sku, _("This SKU is an archived listing, which can no longer change."))
            )
        else:
            changed = [
                name
                for name, value in (
                    ("condition", row.condition),
                    ("condition_notes", row.notes),
                    ("price", row.price),
                    ("quantity", row.quantity),
                )
                if getattr(listing, name) != value
            ]
            if not errors and isbn13 and isbn13 != listing.book.isbn13:
                try:
                    check_book_data(row.book_data(), known)
                except ValidationError as exc:
                    errors.extend(_book_errors(row, exc, isbn13))
                changed.append("book")
            error = _status_error(listing, row)
            if error:
                errors.append(error)
            elif row.status and row.status != listing.status:
                changed.append("status")
            if not errors:
                if changed:
                    plan.updates.append(Update(listing, row, changed))
                else:
                    plan.unchanged += 1
        if errors:
            plan.errors.extend(errors)
            plan.refused += 1
    return plan


def batch_lookups(seller: User, rows: Sequence[ParsedRow | list[RowError]], *, lock: bool):
    """The seller's listings with the rows' SKUs (locked in primary-key order if ``lock``) and the known books with
    their ISBNs, by SKU and by ISBN: what plan_batch needs."""
    parsed = [row for row in rows if isinstance(row, ParsedRow)]
    skus = [row.sku for row in parsed]
    listings = Listing.objects.filter(seller=seller, sku__in=skus).select_related("book").order_by("pk")
    if lock:
        listings = listings.select_for_update()
    existing = {listing.sku: listing for listing in listings} if skus else {}
    isbns = set()
    for row in parsed:
        try:
            isbn13 = book_isbn(row.book_data())
        except ValidationError:
            continue
        if isbn13:
            isbns.add(isbn13)
    known = {book.isbn13: book for book in Book.objects.filter(isbn13__in=isbns)} if isbns else {}
    return existing, known
