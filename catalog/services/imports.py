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

A batch takes a constant number of queries, whatever its rows: the seller's listings with its SKUs (locked, in
primary-key order, as every listing write locks them), the books with its ISBNs, then bulk inserts and updates.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.languages import language_of
from accounts.models import User
from catalog.book_stats import refresh_listing_books
from catalog.cache import catalog_changed
from catalog.imports.columns import ParsedRow
from catalog.imports.files import check_size, file_format
from catalog.imports.planning import (
    BOOK_COLUMNS,
    BatchPlan,
    ReadFile,
    Update,
    batch_lookups,
    plan_batch,
    read_rows,
)
from catalog.models import ImportRun, Listing
from catalog.services.batches import write_batch
from catalog.signals import listings_offered
from core.states import check_transition
from jobs.services import enqueue

__all__ = [
    "BOOK_COLUMNS",
    "IMPORT_TRANSITIONS",
    "BatchPlan",
    "ReadFile",
    "Update",
    "apply_batch",
    "apply_import_run",
    "check_upload",
    "plan_batch",
    "prune_import_runs",
    "read_rows",
    "resume_import",
    "set_run_status",
    "start_import",
]

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


def set_run_status(run: ImportRun, new: str) -> None:
    """Move ``run`` to ``new`` in memory after checking IMPORT_TRANSITIONS (core.states.IllegalTransition)."""
    check_transition("import", IMPORT_TRANSITIONS, run.status, new)
    run.status = new


# --- Batches (each planned by catalog.imports.planning) ---------------------------------------------------------


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
        existing, known = batch_lookups(seller, batch, lock=False)
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
        language=translation.get_language() or "",
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
    # The refused rows' messages and the failure are stored for the seller to read: in the language the dry run
    # wrote its messages in.
    with translation.override(run_language(run)):
        _apply_or_record_failure(run)


def run_language(run: ImportRun) -> str:
    """The language of what applying ``run`` writes and sends: the one its file was checked in, else the seller's."""
    return run.language or language_of(run.seller)


def _apply_or_record_failure(run: ImportRun) -> None:
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
                refresh_listing_books(ids)
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
