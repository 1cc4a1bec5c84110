"""The payment page: a card form for an order awaiting payment, with the simulated gateway's test cards.

Each time the form is shown it carries a new idempotency key: replaying one submission (a double click,
the back button, a retry after a timeout) returns the first attempt's result and never charges twice.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import ratelimits
from orders.errors import PaymentError
from orders.forms import PaymentForm
from orders.gateway import TEST_CARDS
from orders.models import Order, Payment
from orders.services import CardDetails, get_order_for_buyer, pay_order, payment_in_progress
from orders.states import OrderStatus, PaymentStatus


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(24)


def _render(request: HttpRequest, order: Order, form: PaymentForm, *, declined=None, status: int = 200):
    context = {
        "order": order,
        "form": form,
        "idempotency_key": new_idempotency_key(),
        "test_cards": TEST_CARDS,
        "declined": declined,
        # A declined card shows a fresh form: the title still says "Error:" and focus goes to the reason.
        "page_has_errors": declined is not None,
    }
    return render(request, "orders/pay.html", context, status=status)


def _order_key(group: str, request: HttpRequest) -> str:
    return request.resolver_match.kwargs["number"]


# Card testing: declined attempts are counted per order, per buyer and per client address (as the trusted proxies
# report it: one tester with many accounts); once one is spent, no attempt reaches the gateway until its window
# ends, whatever card is tried (as allauth's sign-in lockout refuses even the right password). Approved payments
# count nothing.
DECLINE_LIMITS = (
    ("pay_declines_per_order", _order_key),
    ("pay_declines_per_user", "user"),
    ("pay_declines_per_ip", "ip"),
)


def _declines_exhausted(request: HttpRequest, order: Order) -> HttpResponse | None:
    """The 429 page when this order or buyer has used up their declined attempts, else None."""
    messages_by_limit = {
        "pay_declines_per_order": _(
            "Too many payments for this order were declined. To protect your card we have paused payments for a "
            "while; your order and its books are kept for you until then."
        ),
        "pay_declines_per_user": _(
            "Too many of your payments were declined in a short time. To protect your cards we have paused your "
            "payments for a while; your orders and their books are kept for you until then."
        ),
        "pay_declines_per_ip": _(
            "Too many payments from your network were declined in a short time. To protect the cards used we have "
            "paused payments from it for a while; your orders and their books are kept for you until then."
        ),
    }
    for name, key in DECLINE_LIMITS:
        found = ratelimits.usage(request, name, key, increment=False)
        if found is not None and found.exhausted:
            return ratelimits.too_many_requests(
                request, messages_by_limit[name], found, back_url=order.get_absolute_url()
            )
    return None


def _count_decline(request: HttpRequest) -> None:
    for name, key in DECLINE_LIMITS:
        ratelimits.usage(request, name, key, increment=True)


def _not_payable_redirect(request: HttpRequest, order: Order) -> HttpResponse:
    if order.status in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        messages.info(request, _("This order is already paid."))
    else:
        messages.error(request, _("This order can no longer be paid: it was cancelled or the time to pay ran out."))
    return redirect(order)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def pay(request: HttpRequest, number: str) -> HttpResponse:
    order = get_order_for_buyer(request.user, number)
    if request.method != "POST":
        if not order.is_payable:
            return _not_payable_redirect(request, order)
        if payment_in_progress(order):
            messages.info(request, _("A payment for this order is being processed; please wait a moment."))
            return redirect(order)
        return _render(request, order, PaymentForm())

    form = PaymentForm(request.POST)
    if not form.is_valid():
        return _render(request, order, form, status=400)
    if (refusal := _declines_exhausted(request, order)) is not None:
        return refusal
    data = form.cleaned_data
    started = timezone.now()
    card = CardDetails(number=data["number"], exp_month=data["exp_month"], exp_year=data["exp_year"], cvc=data["cvc"])
    try:
        payment = pay_order(order, card, data["idempotency_key"])
    except PaymentError as error:
        if error.code in ("already_paid", "not_payable"):
            return _not_payable_redirect(request, order)
        if error.code == "payment_in_progress":
            messages.info(request, error.message)
            return redirect(order)
        if error.code == "invalid_card":
            form.add_card_problem(error.card_code, error.message)
        else:  # an expired or reused form key, or the provider did not answer: a new attempt may work
            form.add_error(None, error.message)
        return _render(request, order, form, status=400)
    if payment.status == PaymentStatus.DECLINED and payment.created_at >= started:  # not the replay of one
        _count_decline(request)
    return _outcome(request, order, form, payment)


def _outcome(request: HttpRequest, order: Order, form: PaymentForm, payment: Payment) -> HttpResponse:
    if payment.status == PaymentStatus.DECLINED:
        # The order stays payable: the page shows why and a fresh form (new key) for another try.
        kept = {name: form.cleaned_data[name] for name in ("name", "exp_month", "exp_year")}
        return _render(request, order, PaymentForm(initial=kept), declined=payment)
    if payment.status == PaymentStatus.PENDING:
        messages.info(request, _("Your payment is being processed; this page will show the result."))
    elif payment.status == PaymentStatus.APPROVED:
        messages.success(
            request,
            _("Payment approved (%(brand)s ending in %(last4)s). Thank you! The sellers will ship your books soon.")
            % {"brand": payment.card_brand.title(), "last4": payment.card_last4},
        )
    else:  # approved, then refunded: the order stopped awaiting it meanwhile
        messages.warning(request, _("This order was no longer awaiting payment; the charge was refunded."))
    return redirect(order)
