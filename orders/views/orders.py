"""The buyer's orders: the list, one order with its shipments and their tracking timelines, cancelling.

``orders.services.get_order_for_buyer`` answers 404 for anyone else's order, by number or by id.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.views import signed_in_or_back_to
from orders.errors import CancellationError
from orders.services import (
    buyer_orders,
    cancel_order,
    cancel_seller_part,
    cancellable_shipments,
    get_order_for_buyer,
    order_is_cancellable,
)

ORDERS_PAGE_SIZE = 20


@require_safe
@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(buyer_orders(request.user), ORDERS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "orders/order_list.html", {"page": page})


@require_safe
@login_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = get_order_for_buyer(request.user, number)
    payments = list(order.payments.all())  # newest first, refunds prefetched
    latest = payments[0] if payments else None
    cancellable = cancellable_shipments(order)
    live_shipments = [s for s in order.shipments.all() if not s.is_cancelled]
    context = {
        "order": order,
        "shipments": list(order.shipments.all()),
        "latest_payment": latest,
        "refunds": [refund for payment in payments for refund in payment.refunds.all()],
        "can_cancel_order": order_is_cancellable(order),
        # Cancelling "one seller's part" only means something while the order has more than one part.
        "cancellable_part_ids": {s.pk for s in cancellable} if len(live_shipments) > 1 else set(),
    }
    return render(request, "orders/order_detail.html", context)


def _cancel(request: HttpRequest, order, do_cancel, done_message: str) -> HttpResponse:
    try:
        do_cancel()
    except CancellationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done_message)
    return redirect(order)


@require_POST
@signed_in_or_back_to("orders:order_detail", "number")
def order_cancel(request: HttpRequest, number: str) -> HttpResponse:
    """Cancel the whole order (before anything ships): stock returns, any payment is refunded."""
    order = get_order_for_buyer(request.user, number)
    return _cancel(
        request,
        order,
        lambda: cancel_order(order, by=request.user),
        _("Order %(number)s is cancelled. Anything you paid is refunded to your card.") % {"number": order.number},
    )


@require_POST
@signed_in_or_back_to("orders:order_detail", "number")
def order_cancel_part(request: HttpRequest, number: str, shipment_id: int) -> HttpResponse:
    """Cancel one seller's part of the order (their books and shipping), before it ships."""
    order = get_order_for_buyer(request.user, number)
    shipment = next((s for s in order.shipments.all() if s.pk == shipment_id), None)
    if shipment is None:
        raise Http404
    seller_name = shipment.lines.all()[0].seller_name if shipment.lines.all() else shipment.seller.display_name
    return _cancel(
        request,
        order,
        lambda: cancel_seller_part(order, shipment.seller, by=request.user),
        _("The books from %(seller)s are cancelled; their price and shipping are refunded if you paid.")
        % {"seller": seller_name},
    )
