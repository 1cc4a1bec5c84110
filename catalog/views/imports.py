"""The seller's listings files under /sell/: the import page (columns, template, upload), an import's report and
progress, applying and resuming it, and the inventory export.

Views stay thin: catalog.services.imports holds the rules, catalog.selectors.get_import_run_for_seller answers
404 for anyone else's import.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.decorators import seller_required
from accounts.verification import confirmed_email_required
from catalog.forms.imports import ImportUploadForm
from catalog.imports.columns import COLUMNS, REQUIRED_COLUMNS, Vocabulary
from catalog.imports.resource import EXPORT_FORMATS, export_inventory, template_file
from catalog.models import Book, ImportRun, Listing
from catalog.selectors import get_import_run_for_seller, import_runs_for_seller
from catalog.services.imports import check_upload, resume_import, start_import
from core.states import IllegalTransition

RunStatus = ImportRun.Status
# The report lists this many refused rows; the count says how many there are in all.
ERRORS_SHOWN = 500
RECENT_RUNS = 10
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _download(content: bytes | str, filename: str, fmt: str) -> HttpResponse:
    if fmt == "csv":
        # With the byte-order mark, Excel opens a UTF-8 file as UTF-8 (accents intact); the import skips it.
        content = "\ufeff" + content
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@seller_required
@confirmed_email_required("list_book")
def import_page(request: HttpRequest) -> HttpResponse:
    """The columns, the template and sample, the upload form (a POST dry-runs the file) and recent imports."""
    status_code = 200
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                run = check_upload(
                    request.user, form.cleaned_data["file"], whole_inventory=form.cleaned_data["whole_inventory"]
                )
            except ValidationError as exc:
                form.add_error("file", exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("sell:import_run", pk=run.pk)
        status_code = 413 if form.has_error("file", "file_size") else 400
    else:
        form = ImportUploadForm()
    vocabulary = Vocabulary()
    context = {
        "form": form,
        "columns": COLUMNS,
        "required_columns": REQUIRED_COLUMNS,
        "conditions": Listing.Condition.choices,
        "languages": Book.Language.choices,
        "bindings": Book.Binding.choices,
        "statuses": [
            (value, label) for value, label in Listing.Status.choices if value in ("draft", "active", "paused")
        ],
        "categories": sorted({category.name for category in vocabulary.categories.values()}),
        "runs": import_runs_for_seller(request.user)[:RECENT_RUNS],
        "batch_size": settings.SELLER_IMPORT_BATCH_SIZE,
        "max_rows": settings.SELLER_IMPORT_MAX_ROWS,
    }
    return render(request, "sell/import.html", context, status=status_code)


@require_safe
@seller_required
def import_file(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """The empty template or the sample file, as CSV or XLSX."""
    if kind not in ("template", "sample") or fmt not in EXPORT_FORMATS:
        raise Http404("No such file.")
    name = _("listings-template") if kind == "template" else _("listings-sample")
    return _download(template_file(fmt, sample=kind == "sample"), f"{name}.{fmt}", fmt)


@require_safe
@seller_required
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    """One import: the dry run's report and the apply button, then its progress, then what it did."""
    run = get_import_run_for_seller(request.user, pk)
    context = {
        "run": run,
        "errors": run.row_errors[:ERRORS_SHOWN],
        "errors_hidden": max(len(run.row_errors) - ERRORS_SHOWN, 0),
        "in_progress": run.status in (RunStatus.QUEUED, RunStatus.APPLYING),
    }
    return render(request, "sell/import_run.html", context)


@require_safe
@seller_required
def import_run_status(request: HttpRequest, pk: int) -> JsonResponse:
    """The progress the import page's script polls."""
    run = get_import_run_for_seller(request.user, pk)
    return JsonResponse(
        {
            "status": run.status,
            "status_label": run.get_status_display(),
            "applied": run.applied_rows,
            "total": run.rows_total,
            "percent": run.percent,
            "finished": run.status in (RunStatus.DONE, RunStatus.FAILED),
        }
    )


def _queue_action(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    run = get_import_run_for_seller(request.user, pk)
    try:
        action(run)
    except IllegalTransition:
        messages.error(
            request, _("This import cannot be started now: it is “%(status)s”.") % {"status": run.get_status_display()}
        )
        return redirect("sell:import_run", pk=run.pk)
    messages.success(request, done)
    return redirect("sell:import_run", pk=run.pk)


@require_POST
@seller_required
@confirmed_email_required("list_book")
def import_apply(request: HttpRequest, pk: int) -> HttpResponse:
    return _queue_action(request, pk, start_import, _("Your file is being applied."))


@require_POST
@seller_required
@confirmed_email_required("list_book")
def import_resume(request: HttpRequest, pk: int) -> HttpResponse:
    return _queue_action(request, pk, resume_import, _("The import goes on from where it stopped."))


@require_safe
@seller_required
def inventory_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The seller's whole inventory (not the archived listings) in the import's columns."""
    if fmt not in EXPORT_FORMATS:
        raise Http404("No such format.")
    name = _("inventory")
    stamp = timezone.localdate().isoformat()
    return _download(export_inventory(request.user, fmt), f"{name}-{stamp}.{fmt}", fmt)
