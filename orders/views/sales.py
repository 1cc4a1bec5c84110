"""The seller's sales: their part of each order (one shipment), the buyer's address, and "mark shipped".

``orders.services.shipments.get_shipment_for_seller`` answers 404 for anyone else's shipment; a seller never sees
the other sellers' lines of the same order.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import seller_required
from accounts.models import stats_of
from core.money import ZERO
from core.views import signed_in_or_back_to
from orders.errors import ShipmentError
from orders.models import Shipment
from orders.services.earnings import sale_amounts
from orders.services.shipments import (
    carriers_for_shipment,
    get_shipment_for_seller,
    normalize_tracking_number,
    seller_sales,
)
from orders.services.shipments import mark_shipped as ship
from orders.states import ShipmentStatus
from orders.views.earnings import SalesExportForm

SALES_PAGE_SIZE = 25

# Refusals of the ship service that are about what the seller typed: shown on the form, with a 400.
FORM_ERRORS = {
    "carrier_not_serving": "carrier",
    "bad_tracking_number": "tracking_number",
    "tracking_number_taken": "tracking_number",
}

# The tabs, in the order a seller works through them.
SALES_TABS = [
    ("", gettext_lazy("All")),
    (ShipmentStatus.READY_TO_SHIP, gettext_lazy("To ship")),
    (ShipmentStatus.AWAITING_PAYMENT, ShipmentStatus.AWAITING_PAYMENT.label),
    (ShipmentStatus.SHIPPED, ShipmentStatus.SHIPPED.label),
    (ShipmentStatus.IN_TRANSIT, ShipmentStatus.IN_TRANSIT.label),
    (ShipmentStatus.OUT_FOR_DELIVERY, ShipmentStatus.OUT_FOR_DELIVERY.label),
    (ShipmentStatus.DELIVERED, ShipmentStatus.DELIVERED.label),
    (ShipmentStatus.CANCELLED, ShipmentStatus.CANCELLED.label),
]


class SalesFilterForm(forms.Form):
    """The status tab of the sales list (blank: all)."""

    status = forms.ChoiceField(required=False, choices=SALES_TABS)


class ShipForm(forms.Form):
    """The carrier the seller handed the parcel to (among those serving the route) and its tracking number."""

    carrier = forms.TypedChoiceField(label=gettext_lazy("Carrier used"), coerce=int, required=False)
    tracking_number = forms.CharField(
        label=gettext_lazy("Tracking number"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("As printed on the carrier's receipt. Leave it blank and we generate one."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, options: list, current_carrier_id: int, **kwargs):
        """``options``: the quotes of the carriers serving the route (``carriers_for_shipment``)."""
        kwargs.setdefault("initial", {"carrier": current_carrier_id})
        super().__init__(*args, **kwargs)
        self.carriers = {quote.carrier.pk: quote.carrier for quote in options}
        self.fields["carrier"].choices = [(pk, carrier.name) for pk, carrier in self.carriers.items()]
        self.current_carrier_id = current_carrier_id

    def clean_carrier(self):
        pk = self.cleaned_data.get("carrier")
        if pk in (None, ""):
            return None
        return self.carriers[pk]

    def clean(self):
        cleaned = super().clean()
        carrier = cleaned.get("carrier") or self.carriers.get(self.current_carrier_id)
        number = normalize_tracking_number(cleaned.get("tracking_number", ""))
        cleaned["tracking_number"] = number
        if number and carrier is not None and not carrier.tracking_number_matches(number):
            self.add_error(
                "tracking_number",
                _("This is not a %(carrier)s tracking number: check it on the carrier's receipt.")
                % {"carrier": carrier.name},
            )
        return cleaned


def _ship_form(shipment: Shipment, data=None) -> ShipForm:
    return ShipForm(data, options=carriers_for_shipment(shipment), current_carrier_id=shipment.carrier_id)


@require_safe
@seller_required
def sale_list(request: HttpRequest) -> HttpResponse:
    filters = SalesFilterForm(request.GET)
    status_code = 200
    if filters.is_valid():
        current = filters.cleaned_data["status"]
    else:
        current, status_code = "", 400
        messages.error(request, _("That status filter does not exist; showing all your sales."))
    counts = dict(
        Shipment.objects.filter(seller=request.user).values_list("status").annotate(n=Count("pk")).order_by()
    )
    tabs = [
        {
            "value": value,
            "label": label,
            "count": sum(counts.values()) if not value else counts.get(value, 0),
            "current": value == current,
        }
        for value, label in SALES_TABS
    ]
    paginator = Paginator(seller_sales(request.user, current or None), SALES_PAGE_SIZE)
    paginator.count = counts.get(current, 0) if current else sum(counts.values())  # counted above: no COUNT(*)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page": page,
        "tabs": tabs,
        "current": current,
        "to_ship": counts.get(ShipmentStatus.READY_TO_SHIP, 0),
        "export_form": SalesExportForm.this_month(),
        # The seller's standing over the last 90 days, as the daily job left it (accounts.ShopStats).
        "stats": stats_of(request.user.shop),
    }
    return render(request, "shipping/sale_list.html", context, status=status_code)


def _render_detail(request: HttpRequest, shipment: Shipment, form: ShipForm | None = None, status: int = 200):
    lines = list(shipment.lines.all())
    items_total = sum((line.line_total for line in lines), ZERO)
    sale, fee = sale_amounts(items_total, sum((line.fee for line in lines), ZERO), shipment.shipping_cost)
    if form is None and shipment.status == ShipmentStatus.READY_TO_SHIP:
        form = _ship_form(shipment)
    context = {
        "shipment": shipment,
        "order": shipment.order,
        "lines": lines,
        "items_total": items_total,
        # What the buyer pays for this seller's part: their books and the shipping the seller sends them with.
        "shipment_total": items_total + shipment.shipping_cost,
        # The marketplace's fee on these books, fixed per line when the order was placed, and what is left for the
        # seller: the sale and fee entries this shipment adds to the earnings ledger.
        "fee_total": fee,
        "fee_percents": sorted({line.fee_percent for line in lines}),
        "net_total": sale - fee,
        "events": list(shipment.events.all()),
        "ship_form": form,
    }
    return render(request, "shipping/sale_detail.html", context, status=status)


@require_safe
@login_required
def sale_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, get_shipment_for_seller(request.user, pk))


@require_POST
@signed_in_or_back_to("shipping:sale_detail", "pk")
def mark_shipped(request: HttpRequest, pk: int) -> HttpResponse:
    """The seller handed the parcel to a carrier: with its tracking number, or one generated; the buyer is told."""
    shipment = get_shipment_for_seller(request.user, pk)
    if shipment.status != ShipmentStatus.READY_TO_SHIP:
        form = None
    else:
        form = _ship_form(shipment, request.POST)
        if not form.is_valid():
            return _render_detail(request, shipment, form, status=400)
    try:
        shipped = ship(
            shipment,
            request.user,
            carrier=form.cleaned_data["carrier"] if form else None,
            tracking_number=form.cleaned_data["tracking_number"] if form else "",
        )
    except ShipmentError as error:
        if form is not None and error.code in FORM_ERRORS:
            form.add_error(FORM_ERRORS[error.code], error.message)
            return _render_detail(request, shipment, form, status=400)
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Marked as shipped. Tracking number: %(number)s. We told the buyer.")
            % {"number": shipped.tracking_number},
        )
    return redirect("shipping:sale_detail", pk=shipment.pk)


# --- Packing slips ----------------------------------------------------------------


def _slip_shipments(user) -> QuerySet[Shipment]:
    """The seller's shipments with what a slip prints (order, buyer, lines): not the list's events and claims."""
    return seller_sales(user).prefetch_related(None).prefetch_related("lines")


def _slip_context(shipments: list[Shipment]) -> list[dict]:
    return [
        {"shipment": shipment, "order": shipment.order, "lines": list(shipment.lines.all())} for shipment in shipments
    ]


@require_safe
@login_required
def packing_slip(request: HttpRequest, pk: int) -> HttpResponse:
    """One shipment's packing slip, to print and put in the parcel (its seller only; 404 for anyone else)."""
    # The seller's own shipments only (anyone else: 404), with the lines a slip prints and nothing more.
    shipment = get_object_or_404(_slip_shipments(request.user), pk=pk)
    shop = getattr(request.user, "shop", None)
    context = {"slips": _slip_context([shipment]), "shop": shop, "single": True}
    return render(request, "shipping/packing_slips.html", context)


@require_safe
@seller_required
def packing_slips(request: HttpRequest) -> HttpResponse:
    """The packing slips of every shipment ready to ship, one per printed page."""
    ready = _slip_shipments(request.user).filter(status=ShipmentStatus.READY_TO_SHIP)
    ready = list(ready.order_by("created_at", "id"))
    context = {"slips": _slip_context(ready), "shop": request.user.shop, "single": False}
    return render(request, "shipping/packing_slips.html", context)
