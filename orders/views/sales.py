"""The seller's sales: their part of each order (one shipment), the buyer's address, and "mark shipped".

``orders.services.shipments.get_shipment_for_seller`` answers 404 for anyone else's shipment; a seller never sees
the other sellers' lines of the same order.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import seller_required
from accounts.models import stats_of
from core.money import ZERO
from core.views import signed_in_or_back_to
from orders.errors import ShipmentError
from orders.models import Shipment
from orders.services.shipments import get_shipment_for_seller, seller_sales
from orders.services.shipments import mark_shipped as ship
from orders.states import ShipmentStatus
from orders.views.earnings import SalesExportForm

SALES_PAGE_SIZE = 25

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


@require_safe
@login_required
def sale_detail(request: HttpRequest, pk: int) -> HttpResponse:
    shipment = get_shipment_for_seller(request.user, pk)
    lines = list(shipment.lines.all())
    items_total = sum((line.line_total for line in lines), ZERO)
    context = {
        "shipment": shipment,
        "order": shipment.order,
        "lines": lines,
        "items_total": items_total,
        # What the buyer pays for this seller's part: their books and the shipping the seller sends them with.
        "shipment_total": items_total + shipment.shipping_cost,
        "events": list(shipment.events.all()),
    }
    return render(request, "shipping/sale_detail.html", context)


@require_POST
@signed_in_or_back_to("shipping:sale_detail", "pk")
def mark_shipped(request: HttpRequest, pk: int) -> HttpResponse:
    """The seller handed the parcel to the carrier: a tracking number is generated and the buyer told."""
    shipment = get_shipment_for_seller(request.user, pk)
    try:
        shipped = ship(shipment, request.user)
    except ShipmentError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Marked as shipped. Tracking number: %(number)s. We told the buyer.")
            % {"number": shipped.tracking_number},
        )
    return redirect("shipping:sale_detail", pk=shipment.pk)
