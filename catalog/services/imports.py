"""A seller's listings file: checked first (a dry run that writes nothing), then applied in batches on the job queue.

The rules, in the order a file meets them:

- ``check_upload`` refuses a file that is too large, of another type, unreadable or without the required columns
  (ValidationError, nothing stored). Otherwise it reads every row as the apply step will, without writing, stores
  the file under a private name and returns an ImportRun (status "checked") with the counts of rows that would be
  created, updated, left unchanged and refused, and every refused row's line, column and reason.
- ``start_import`` queues the run (``apply_import_run`` as a job); ``resume_import`` queues a failed run again.
- ``apply_import_run`` reads the stored file again and applies it in batches of SELLER_IMPORT_BATCH_SIZE rows,
  each batch in one transaction together with the run's progress (``applied_rows``, the counts, the refused
  rows): a batch is written whole or not at all, and a run that stops resumes after its last committed batch.
  Rows are matched on the seller's SKU, so applying the same file twice changes nothing, and a listing is
  updated only in the fields whose values differ. Books are found or created by catalog.services.books, as the
  listing form does. With ``whole_inventory``, the seller's active listings missing from the file are paused
  at the end. Each batch that wrote something tells the catalog's page cache (catalog_changed), and the seller
  gets a summary by email through the outbox. The stored file is removed once the run is done.

``upsert_listings`` applies rows given one by one (the JSON API's bulk upsert) with the same parser and batches,
in one transaction, and answers per row: created, updated, unchanged or refused with its reasons.

A batch takes a constant number of queries, whatever its rows: the seller's listings with its SKUs (locked, in
primary-key order, as every listing write locks them), the books with its ISBNs, then bulk inserts and updates.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.cache import catalog_changed
from catalog.imports.columns import (
    COLUMNS,
    ParsedRow,
    RowError,
    Vocabulary,
    cell_text,
    header_map,
    parse_row,
)
from catalog.imports.files import check_size, file_format, iter_cells, read_table
from catalog.models import Book, ImportRun, Listing
from catalog.services.books import book_isbn, check_book_data, find_or_create_books
from catalog.signals import listings_offered
from catalog.states import Actor, can_transition
from core.states import check_transition
from jobs.services import enqueue

logger = logging.getLogger(__name__)

Status = Listing.Status
RunStatus = ImportRun.Status
# The claim of a worker (_claim, a conditional UPDATE) makes the moves into "applying", including taking over a
# run whose worker died (applying → applying once its lease ran out); the rest go through set_run_status.
IMPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    RunStatus.CHECKED: frozenset({RunStatus.QUEUED}),
    RunStatus.QUEUED: frozenset({RunStatus.APPLYING}),
    RunStatus.APPLYING: frozenset({RunStatus.DONE, RunStatus.FAILED, RunStatus.APPLYING}),
    RunStatus.FAILED: frozenset({RunStatus.QUEUED, RunStatus.APPLYING}),
}
# The file's column for each book field the services name.
BOOK_COLUMNS = {
    "isbn": "isbn",
    "title": "title",
    "authors": "author",
    "category": "category",
    "language": "language",
    "binding": "binding",
}


def set_run_status(run: ImportRun, new: str) -> None:
    """Move ``run`` to ``new`` in memory after checking IMPORT_TRANSITIONS (core.states.IllegalTransition)."""
    check_transition("import", IMPORT_TRANSITIONS, run.status, new)
    run.status = new


# --- Reading and planning ---------------------------------------------------------------------------------------


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


def _batch_lookups(seller: User, rows: Sequence[ParsedRow | list[RowError]], *, lock: bool):
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


def _batches(rows: list, start: int = 0) -> Iterable[tuple[int, list]]:
    size = settings.SELLER_IMPORT_BATCH_SIZE
    for offset in range(start, len(rows), size):
        yield offset, rows[offset : offset + size]


def _missing_active(seller: User, skus: set[str]) -> list[int]:
    """Ids of the seller's active listings whose SKU the file does not have (for "this file is my inventory")."""
    active = Listing.objects.filter(seller=seller, status=Status.ACTIVE).values_list("pk", "sku")
    return [pk for pk, sku in active if sku not in skus]


# --- Checking an upload (the dry run) ---------------------------------------------------------------------------


def check_upload(seller: User, upload: UploadedFile, *, whole_inventory: bool = False) -> ImportRun:
    """Dry-run ``upload`` for ``seller`` and keep it for applying; return the run with what applying would do.

    Nothing in the catalog is written. Raises PermissionDenied when the seller has no shop, and ValidationError
    (a message for the seller) when the file is too large, of another type, unreadable, too long or lacks a
    required column; nothing is stored then.
    """
    if not hasattr(seller, "shop"):
        raise PermissionDenied(_("Open a shop before listing books."))
    name = upload.name or "listings.csv"
    fmt = file_format(name)
    check_size(upload.size or 0)
    data = upload.read(settings.SELLER_IMPORT_MAX_BYTES + 1)
    check_size(len(data))
    read = read_rows(data, name)
    totals = BatchPlan()
    for _offset, batch in _batches(read.rows):
        existing, known = _batch_lookups(seller, batch, lock=False)
        plan = plan_batch(batch, existing, known)
        totals.creates.extend(plan.creates)
        totals.updates.extend(plan.updates)
        totals.unchanged += plan.unchanged
        totals.errors.extend(plan.errors)
        totals.refused += plan.refused
    run = ImportRun(
        seller=seller,
        original_name=name[-255:],
        file_format=fmt,
        whole_inventory=whole_inventory,
        rows_total=len(read.rows),
        created_count=len(totals.creates),
        updated_count=len(totals.updates),
        unchanged_count=totals.unchanged,
        refused_count=totals.refused,
        paused_count=len(_missing_active(seller, read.skus)) if whole_inventory else 0,
        row_errors=[error.as_dict() for error in totals.errors],
    )
    # The file is stored before the row is written (slow I/O outside the transaction) and removed if that fails.
    run.file.save(f"listings.{fmt}", ContentFile(data), save=False)
    try:
        run.save()
    except BaseException:
        run.file.storage.delete(run.file.name)
        raise
    return run


# --- Applying ---------------------------------------------------------------------------------------------------


def start_import(run: ImportRun) -> ImportRun:
    """Queue a checked run for applying (a job); raises core.states.IllegalTransition for any other status."""
    return _queue(run, RunStatus.CHECKED)


def resume_import(run: ImportRun) -> ImportRun:
    """Queue a failed run again: it goes on after its last committed batch. Raises IllegalTransition otherwise."""
    return _queue(run, RunStatus.FAILED)


def _queue(run: ImportRun, expected: str) -> ImportRun:
    with transaction.atomic():
        locked = ImportRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != expected:
            check_transition("import", {expected: IMPORT_TRANSITIONS[expected]}, locked.status, RunStatus.QUEUED)
        set_run_status(locked, RunStatus.QUEUED)
        locked.failure = ""
        locked.save(update_fields=["status", "failure", "updated_at"])
        enqueue(
            "catalog.services.imports.apply_import_run",
            key=f"import_apply:{locked.pk}:{timezone.now().isoformat()}",
            run_id=locked.pk,
        )
    return locked


def _claim(run_id: int) -> bool:
    """Mark the run applying unless another worker does it now (a stale claim is taken over after the lease)."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.JOBS_LEASE_SECONDS)
    return bool(
        ImportRun.objects.filter(
            Q(status__in=[RunStatus.QUEUED, RunStatus.FAILED]) | Q(status=RunStatus.APPLYING, updated_at__lt=stale),
            pk=run_id,
        ).update(status=RunStatus.APPLYING, updated_at=now, failure="")
    )


def apply_import_run(run_id: int) -> None:
    """The job: apply the run's file from its last committed batch on; mark it done, or failed and re-raise.

    A run that is not queued or failed (already done, or applied by another worker) is left alone.
    """
    if not _claim(run_id):
        logger.info("Import run %s is not waiting to be applied", run_id)
        return
    run = ImportRun.objects.select_related("seller").get(pk=run_id)
    try:
        _apply(run)
    except Exception as exc:
        run.refresh_from_db()  # the batch that failed rolled back: what it counted in memory is gone
        line = _next_line(run)
        ImportRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED,
            updated_at=timezone.now(),
            failure=(
                _(
                    "The import stopped before line %(line)d (%(error)s). "
                    "The rows before it are applied; resume to go on."
                )
                % {"line": line, "error": type(exc).__name__}
            ),
        )
        raise


def _next_line(run: ImportRun) -> int:
    # The line of the first row not applied; the stored errors give the lines, the rows are read again otherwise.
    try:
        with run.file.open("rb") as stored:
            read = read_rows(stored.read(), run.original_name)
        row = read.rows[run.applied_rows]
        return row.line if isinstance(row, ParsedRow) else row[0].line
    except Exception:  # noqa: BLE001 - only for the message
        return run.applied_rows + 2


def _apply(run: ImportRun) -> None:
    with run.file.open("rb") as stored:
        data = stored.read()
    read = read_rows(data, run.original_name)
    if run.applied_rows == 0:
        # The dry run's expectations give way to what is really done.
        run.created_count = run.updated_count = run.unchanged_count = run.refused_count = run.paused_count = 0
        run.row_errors = []
        run.started_at = timezone.now()
        run.rows_total = len(read.rows)
        run.save(
            update_fields=[
                "created_count", "updated_count", "unchanged_count", "refused_count", "paused_count",
                "row_errors", "started_at", "rows_total", "updated_at",
            ]
        )  # fmt: skip
    for offset, batch in _batches(read.rows, start=run.applied_rows):
        apply_batch(run, batch, offset)
    _finish(run, read.skus)


def apply_batch(run: ImportRun, batch: list, offset: int) -> None:
    """Apply one batch and record it on the run, in one transaction: all of it or none of it."""
    with transaction.atomic():
        plan = write_batch(run.seller, batch)
        run.applied_rows = offset + len(batch)
        run.created_count += len(plan.creates)
        run.updated_count += len(plan.updates)
        run.unchanged_count += plan.unchanged
        run.refused_count += plan.refused
        run.row_errors = [*run.row_errors, *(error.as_dict() for error in plan.errors)]
        run.save(
            update_fields=[
                "applied_rows", "created_count", "updated_count", "unchanged_count", "refused_count", "row_errors",
                "updated_at",
            ]
        )  # fmt: skip


def write_batch(seller: User, batch: Sequence[ParsedRow | list[RowError]]) -> BatchPlan:
    """Plan one batch against the seller's listings (locked) and the catalog's books, write it, and return the plan.

    Call it inside the caller's transaction (the listings stay locked until it ends). A constant number of queries,
    whatever the batch holds; the page cache is told when buyers could see a change.
    """
    existing, known = _batch_lookups(seller, batch, lock=True)
    plan = plan_batch(batch, existing, known)
    now = timezone.now()
    book_rows = [row.book_data() for row in plan.creates]
    book_rows += [update.row.book_data() for update in plan.updates if "book" in update.fields]
    books = iter(find_or_create_books(book_rows)) if book_rows else iter(())
    new_listings = [
        Listing(
            seller=seller,
            book=next(books),
            sku=row.sku,
            condition=row.condition,
            condition_notes=row.notes,
            price=row.price,
            quantity=row.quantity,
            status=row.status,
            published_at=now if row.status == Status.ACTIVE else None,
        )
        for row in plan.creates
    ]
    if new_listings:
        Listing.objects.bulk_create(new_listings)
    changed_fields: set[str] = set()
    visible_change = any(row.status == Status.ACTIVE for row in plan.creates)
    for update in plan.updates:
        listing, row = update.listing, update.row
        was_active = listing.status == Status.ACTIVE
        for name in update.fields:
            if name == "book":
                listing.book = next(books)
            elif name == "status":
                listing.status = row.status
                if row.status == Status.ACTIVE and listing.published_at is None:
                    listing.published_at = now
                    changed_fields.add("published_at")
            else:
                setattr(listing, name, getattr(row, "notes" if name == "condition_notes" else name))
            changed_fields.add(name)
        listing.updated_at = now
        visible_change = visible_change or was_active or listing.status == Status.ACTIVE
    if plan.updates:
        _save_updates([u.listing for u in plan.updates], sorted(changed_fields), now)
    if visible_change:
        catalog_changed()
    return plan


def _save_updates(listings: list[Listing], fields: list[str], now) -> None:
    """Write ``fields`` of ``listings`` (rows that exist, locked by the caller) and stamp them updated ``now``.

    A field with one value over all of them (a status, a stamp) is a plain UPDATE. The others are written by an
    upsert of the rows as they are in memory (INSERT ... ON CONFLICT / ON DUPLICATE KEY UPDATE of those fields
    only): every row conflicts on its primary key, so nothing is inserted, and the ORM builds it several times
    faster than bulk_update's CASE per row and field. Two queries per batch of the database's size.
    """
    uniform: dict[str, object] = {"updated_at": now}
    varying = []
    for name in fields:
        attname = Listing._meta.get_field(name).attname
        values = {getattr(listing, attname) for listing in listings}
        if len(values) == 1:
            uniform[attname] = values.pop()
        else:
            varying.append(name)
    if varying:
        target = ["pk"] if connection.features.supports_update_conflicts_with_target else None
        Listing.objects.bulk_create(listings, update_conflicts=True, update_fields=varying, unique_fields=target)
    Listing.objects.filter(pk__in=[listing.pk for listing in listings]).update(**uniform)


# --- Upserting rows given one by one (the JSON API) --------------------------------------------------------------

UPSERT_MAX_ROWS = 1000


class Outcome:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass
class RowResult:
    """What an upsert did with one row: its outcome, the listing's id (none when refused) and the row's errors."""

    line: int
    sku: str
    outcome: str
    listing_id: int | None = None
    errors: list[RowError] = field(default_factory=list)


def upsert_listings(seller: User, rows: Sequence[Mapping[str, Any]]) -> list[RowResult]:
    """Create or update ``seller``'s listings by SKU from rows keyed by the file's columns (``COLUMNS``).

    The rules of a listings file, row for row: the cells are read by the same parser, each batch of
    SELLER_IMPORT_BATCH_SIZE rows is planned and written by :func:`write_batch` (constant queries per batch), and
    a refused row leaves the others alone. Row ``n`` of ``rows`` is line ``n + 1`` in the messages. Everything is
    one transaction: an unexpected failure writes nothing. Returns one RowResult per row, in order.

    Raises PermissionDenied when the seller has no shop, ValueError for more than UPSERT_MAX_ROWS rows.
    """
    if not hasattr(seller, "shop"):
        raise PermissionDenied(_("Open a shop before listing books."))
    if len(rows) > UPSERT_MAX_ROWS:
        raise ValueError(f"at most {UPSERT_MAX_ROWS} rows in one upsert")
    parsed = parse_rows(
        (index + 1, {name: cell_text(row.get(name)) for name in COLUMNS}) for index, row in enumerate(rows)
    )
    started = timezone.now()
    results: list[RowResult] = []
    with transaction.atomic():
        for _offset, batch in _batches(parsed):
            plan = write_batch(seller, batch)
            outcomes = {row.line: Outcome.CREATED for row in plan.creates}
            outcomes.update((update.row.line, Outcome.UPDATED) for update in plan.updates)
            errors: dict[int, list[RowError]] = {}
            for error in plan.errors:
                errors.setdefault(error.line, []).append(error)
            skus = [row.sku for row in batch if isinstance(row, ParsedRow)]
            ids = dict(Listing.objects.filter(seller=seller, sku__in=skus).values_list("sku", "pk")) if skus else {}
            for row in batch:
                line = row.line if isinstance(row, ParsedRow) else row[0].line
                sku = row.sku if isinstance(row, ParsedRow) else cell_text(rows[line - 1].get("sku"))
                if line in errors:
                    results.append(RowResult(line, sku, Outcome.REFUSED, errors=errors[line]))
                else:
                    results.append(RowResult(line, sku, outcomes.get(line, Outcome.UNCHANGED), ids.get(sku)))
        if any(result.outcome in (Outcome.CREATED, Outcome.UPDATED) for result in results):
            listings_offered.send(sender=Listing, seller_id=seller.pk, since=started)
    return results


def _finish(run: ImportRun, skus: set[str]) -> None:
    with transaction.atomic():
        paused = 0
        if run.whole_inventory:
            missing = _missing_active(run.seller, skus)
            for start in range(0, len(missing), 500):
                chunk = missing[start : start + 500]
                # Locked in primary-key order, re-checked: an order may have changed one meanwhile.
                ids = list(
                    Listing.objects.select_for_update()
                    .filter(pk__in=chunk, status=Status.ACTIVE)
                    .order_by("pk")
                    .values_list("pk", flat=True)
                )
                paused += Listing.objects.filter(pk__in=ids).update(status=Status.PAUSED, updated_at=timezone.now())
            if paused:
                catalog_changed()
        set_run_status(run, RunStatus.DONE)
        run.paused_count = paused
        run.finished_at = timezone.now()
        run.failure = ""
        run.save(update_fields=["status", "paused_count", "finished_at", "failure", "updated_at"])
        enqueue("catalog.emails.send_import_summary", key=f"import_summary:{run.pk}", run_id=run.pk)
        if run.started_at is not None:
            listings_offered.send(sender=Listing, seller_id=run.seller_id, since=run.started_at)
        # The seller's file served its purpose: it is not kept once applied (a failed run keeps it to resume).
        transaction.on_commit(partial(_discard_file, run.file.name), robust=True)


def _discard_file(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:
        logger.warning("Could not remove the applied import file %s", name, exc_info=True)


# --- Housekeeping -----------------------------------------------------------------------------------------------


def prune_import_runs(now=None) -> int:
    """Forget dry runs never applied after SELLER_IMPORT_KEEP_DAYS: their rows and stored files. Returns how many.

    Applied runs keep their report (their file is gone already); failed ones wait for the seller to resume.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.SELLER_IMPORT_KEEP_DAYS)
    stale = list(ImportRun.objects.filter(status=RunStatus.CHECKED, created_at__lt=cutoff).values_list("pk", "file"))
    if not stale:
        return 0
    with transaction.atomic():
        deleted, _detail = ImportRun.objects.filter(
            pk__in=[pk for pk, _name in stale], status=RunStatus.CHECKED
        ).delete()
        for _pk, name in stale:
            transaction.on_commit(partial(_discard_file, name), robust=True)
    return deleted
