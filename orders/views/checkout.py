"""Checkout: where to ship, a carrier per seller, the server's summary, and placing the order.

One page, three POST actions: ``address`` saves a new address for reuse; ``preview`` recomputes the
summary for other choices; ``place`` places the order through ``orders.services.place_order``. The form
carries a one-time checkout token, so a double submit finds the order the first one placed, and a
fingerprint of the summary it showed, so the buyer is never charged a total they did not see.

With JavaScript the page does not reload when the buyer picks another address or carrier: ``checkout_summary``
answers with the page's parts (summary, carriers, "Place order" with the new fingerprint) computed the same way.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.verification import confirmed_email_required
from core.numbers import is_ascii_number
from orders.errors import CarrierChoiceError, CheckoutError
from orders.forms import AddressForm, CheckoutForm, carrier_field_name, choices_key
from orders.models import Address, Order
from orders.services import (
    cart_for_request,
    cart_item_count,
    checkout_preview,
    get_address_for_user,
    new_checkout_token,
    order_for_checkout_token,
    place_order,
    save_address,
    user_addresses,
)
from orders.services.checkout import TOKEN_PATTERN, CheckoutPreview
from orders.views.nav import remember_cart_count


def _posted_choice(data) -> dict[str, str]:
    """Seller id -> carrier id as posted (unchecked: the preview ignores what does not serve the route)."""
    prefix = carrier_field_name("")
    return {key[len(prefix) :]: value for key, value in data.items() if key.startswith(prefix)}


def _choose_cheapest(preview: CheckoutPreview) -> None:
    """Pre-select the cheapest carrier wherever none is (validly) chosen, so the page shows a full total."""
    for choice in preview.shipping:
        if choice.chosen is None and choice.options:
            choice.chosen = choice.options[0]


def _token_from(data) -> str:
    token = data.get("checkout_token", "")
    return token if TOKEN_PATTERN.match(token) else new_checkout_token()


def _summary_context(
    address: Address | None, preview: CheckoutPreview, errors: Mapping | None = None
) -> dict[str, object]:
    """What the summary, the carriers and the "Place order" parts of the page need (also rendered on their own)."""
    errors = errors or {}
    groups = [
        {
            "choice": choice,
            "field_name": carrier_field_name(choice.group.seller.pk),
            "errors": errors.get(carrier_field_name(choice.group.seller.pk), []),
        }
        for choice in preview.shipping
    ]
    return {
        "address": address,
        "preview": preview,
        "groups": groups,
        "confirmed_key": choices_key(address.pk if address else "", preview),
        # Copies that can be bought as they are (flagged lines are left out of the totals).
        "buyable_copies": sum(group.item_count for group in preview.summary.groups),
        "all_chosen": address is not None and all(choice.chosen for choice in preview.shipping),
    }


def _render(
    request: HttpRequest,
    *,
    addresses: list[Address],
    address: Address | None,
    preview: CheckoutPreview,
    token: str,
    form: CheckoutForm | None = None,
    address_form: AddressForm | None = None,
    problems=(),
    status: int = 200,
) -> HttpResponse:
    errors = form.errors if form is not None else {}
    context = {
        **_summary_context(address, preview, errors),
        "addresses": addresses,
        "checkout_token": token,
        "form_errors": [*errors.get("__all__", []), *errors.get("address", []), *errors.get("checkout_token", [])],
        "address_form": address_form or AddressForm(),
        "address_form_open": address_form is not None or not addresses,
        "problems": problems,
    }
    return render(request, "orders/checkout.html", context, status=status)


def _after_order(order: Order) -> HttpResponse:
    if order.is_payable:
        return redirect("orders:pay", number=order.number)
    return redirect(order)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@confirmed_email_required("checkout")
def checkout(request: HttpRequest) -> HttpResponse:
    user = request.user
    cart = cart_for_request(request)
    addresses = list(user_addresses(user))
    data = request.POST if request.method == "POST" else request.GET
    action = request.POST.get("action", "preview") if request.method == "POST" else "show"

    if action == "place":
        order = order_for_checkout_token(user, request.POST.get("checkout_token", ""))
        if order is not None:
            return _after_order(order)

    # Where to ship: the chosen saved address (only the buyer's own), else the newest.
    status = 200
    address = addresses[0] if addresses else None
    if data.get("address"):
        if request.method == "POST":
            address = next((a for a in addresses if str(a.pk) == data["address"]), None)
            if address is None:
                messages.error(request, _("Choose one of your saved addresses."))
                address, status = (addresses[0] if addresses else None), 400
        else:
            address = get_address_for_user(user, data["address"])

    choice = _posted_choice(request.POST) if request.method == "POST" else {}
    preview = checkout_preview(cart, address.country if address else "", choice)
    if preview.summary.is_empty:
        messages.info(request, _("Your cart is empty: add some books before checking out."))
        return redirect("orders:cart")
    token = _token_from(request.POST)
    page = {"addresses": addresses, "address": address, "preview": preview, "token": token}

    if action == "address":
        address_form = AddressForm(request.POST)
        if not address_form.is_valid():
            _choose_cheapest(preview)
            return _render(request, **page, address_form=address_form, status=400)
        new_address = save_address(user, address_form.cleaned_data)
        messages.success(request, _("Address saved. Now choose how each seller ships."))
        return redirect(f"{reverse('orders:checkout')}?address={new_address.pk}")

    if action != "place" or address is None or status != 200:
        _choose_cheapest(preview)
        return _render(request, **page, status=status)

    form = CheckoutForm(request.POST, addresses=addresses, preview=preview)
    if not form.is_valid():
        return _render(request, **page, form=form, status=400)
    if form.cleaned_data["confirmed"] != choices_key(address.pk, preview):
        if preview.summary.problems:
            messages.error(request, _("Some lines of your cart cannot be bought as they are."))
            _choose_cheapest(preview)
            return _render(request, **page, problems=preview.summary.problems, status=409)
        messages.info(request, _("Your cart or shipping choices changed: check the new total, then place your order."))
        return _render(request, **page)
    try:
        order = place_order(user, cart, address, form.carrier_choice(), form.cleaned_data["checkout_token"])
    except CarrierChoiceError as error:
        for seller_id in error.seller_ids:
            form.add_error(carrier_field_name(seller_id), error.message)
        return _render(request, **page, form=form, status=400)
    except CheckoutError as error:
        return _refused(request, error, page)
    remember_cart_count(request, cart_item_count(cart))
    messages.success(request, _("Order %(number)s is placed: now pay for it.") % {"number": order.number})
    return _after_order(order)


def _is_id(value: str) -> bool:
    """A primary key as typed in a URL: ASCII digits, short enough for the database's integers."""
    return is_ascii_number(value, 18)


SUMMARY_PARTS = {
    "summary": "orders/_checkout_summary.html",
    "actions": "orders/_checkout_actions.html",
    "bar": "orders/_checkout_bar.html",
    "shipping": "orders/_checkout_shipping.html",
}


@require_safe
@login_required
@confirmed_email_required("checkout")
def checkout_summary(request: HttpRequest) -> HttpResponse:
    """The checkout's summary for other choices, as the page's parts (JSON of HTML), so the page updates in place.

    Read-only and computed as the checkout page computes it (``checkout_preview`` from the buyer's cart, the prices
    and carriers on the server); the query string only says which of the buyer's addresses and which carriers.
    """
    user = request.user
    raw_address = request.GET.get("address", "")
    if raw_address and not _is_id(raw_address):
        return JsonResponse({"error": _("Choose one of your saved addresses.")}, status=400)
    choice = _posted_choice(request.GET)
    if not all(_is_id(seller) and _is_id(carrier) for seller, carrier in choice.items()):
        return JsonResponse({"error": _("Choose one of the carriers shown.")}, status=400)
    address = get_address_for_user(user, raw_address) if raw_address else user_addresses(user).first()
    cart = cart_for_request(request)
    preview = checkout_preview(cart, address.country if address else "", choice)
    if preview.summary.is_empty:
        return JsonResponse({"error": _("Your cart is empty: add some books before checking out.")}, status=409)
    _choose_cheapest(preview)
    context = _summary_context(address, preview)
    parts = {name: render_to_string(template, context, request) for name, template in SUMMARY_PARTS.items()}
    return JsonResponse({**parts, "total": str(preview.total), "ready": preview.ready})


def _refused(request: HttpRequest, error: CheckoutError, page: dict) -> HttpResponse:
    """Show why the order could not be placed; nothing was taken."""
    if error.code == "cart_empty":
        messages.info(request, error.message)
        return redirect("orders:cart")
    messages.error(request, error.message)
    if error.code == "invalid_token":
        page = {**page, "token": new_checkout_token()}
    # The page shows the cart as it is now: the lines that failed are flagged there too.
    preview = checkout_preview(cart_for_request(request), page["address"].country, _posted_choice(request.POST))
    _choose_cheapest(preview)
    status = 409 if error.code in ("lines_unavailable", "cart_changed") else 400
    return _render(request, **{**page, "preview": preview}, problems=error.problems, status=status)
