"""The seller's earnings: balances and ledger (/sell/earnings/), and the sales of a period as a file.

Both pages show only the signed-in seller's own money: the ledger and the sales are read by seller, never by
an id from the request, so there is nothing of anyone else's to reach.
"""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from accounts.decorators import seller_required
from orders.models import LedgerEntry
from orders.services.earnings import balances, sales_csv, sales_xlsx, seller_ledger, seller_sales_rows

LEDGER_PAGE_SIZE = 25
# The longest period one export covers: a year of sales is one file.
EXPORT_MAX_DAYS = 366
EARLIEST = date(2000, 1, 1)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class PeriodForm(forms.Form):
    """From one day to another, both included; either may be left out (here)."""

    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        for name, value in (("start", start), ("end", end)):
            if value is not None and not EARLIEST <= value <= timezone.localdate() + timedelta(days=1):
                self.add_error(name, _("Choose a date between 2000 and today."))
        if start and end and start > end:
            self.add_error("end", _("The end of the period must not be before its start."))
        return cleaned


class LedgerFilterForm(PeriodForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("All")), *LedgerEntry.Kind.choices],
    )


class SalesExportForm(PeriodForm):
    """The period of sales to export (both ends required) and the file's format."""

    FORMATS = [("csv", "CSV"), ("xlsx", "XLSX (Excel)")]

    start = forms.DateField(label=gettext_lazy("From"), widget=DateInput())
    end = forms.DateField(label=gettext_lazy("To"), widget=DateInput())
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=FORMATS, initial="csv")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and not self.errors and (end - start).days >= EXPORT_MAX_DAYS:
            self.add_error("end", _("A file covers at most one year; choose a shorter period."))
        return cleaned

    @classmethod
    def this_month(cls) -> SalesExportForm:
        today = timezone.localdate()
        return cls(initial={"start": today.replace(day=1), "end": today, "format": "csv"})


@require_safe
@seller_required
def earnings(request: HttpRequest) -> HttpResponse:
    filters = LedgerFilterForm(request.GET)
    status_code = 200
    start = end = None
    kind = ""
    if filters.is_valid():
        start, end, kind = filters.cleaned_data["start"], filters.cleaned_data["end"], filters.cleaned_data["kind"]
    else:
        status_code = 400
        messages.error(request, _("That period or kind is not valid; showing all your entries."))
    entries = seller_ledger(request.user, start, end)
    if kind:
        entries = entries.filter(kind=kind)
    page = Paginator(entries, LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "balances": balances(request.user),
        "page": page,
        "filters": filters,
        "filtered": bool(start or end or kind),
        "hold_days": settings.EARNINGS_HOLD_DAYS,
    }
    return render(request, "shipping/earnings.html", context, status=status_code)


@require_safe
@seller_required
def sales_export(request: HttpRequest) -> HttpResponse:
    """The seller's sales of a period as CSV or XLSX; without a period, the form to choose one."""
    if not request.GET:
        return render(request, "shipping/sales_export.html", {"form": SalesExportForm.this_month()})
    form = SalesExportForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("Choose a valid period to export."))
        return render(request, "shipping/sales_export.html", {"form": form}, status=400)
    start, end, file_format = form.cleaned_data["start"], form.cleaned_data["end"], form.cleaned_data["format"]
    rows = seller_sales_rows(request.user, start, end)
    name = f"sales-{start.isoformat()}-{end.isoformat()}.{file_format}"
    if file_format == "xlsx":
        response = HttpResponse(
            sales_xlsx(rows), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        response = HttpResponse(sales_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
