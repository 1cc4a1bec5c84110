"""The cart: add copies from a listing page, change or remove lines, accept new prices.

Anyone may fill a cart (an anonymous visitor's follows them when they sign in). Every change goes
through ``orders.services.cart`` and ends with a redirect to the cart page (post/redirect/get); a refusal
shows the cart (or the add form) again with the reason next to the line, and nothing changes.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe
from django_countries.fields import Country

from catalog.models import Listing
from core import ratelimits
from orders.errors import CartError
from orders.forms import AddToCartForm, CartLineForm
from orders.services import (
    accept_current_prices,
    add_to_cart,
    cart_for_request,
    cart_item_count,
    cart_summary,
    default_ship_country,
    remove_line,
    set_line_quantity,
)
from orders.views.nav import remember_cart_count
from shipping.quotes import DEFAULT_TERMS, cached_active_carriers, cached_shop_terms_many, quotes

# How a refusal of the cart service answers: a typing mistake is a 400, a stock or status problem a 409.
CART_ERROR_STATUS = {"invalid_quantity": 400, "own_listing": 403}


def _error_status(error: CartError) -> int:
    return CART_ERROR_STATUS.get(error.code, 409)


def _unreachable_sellers(request: HttpRequest, summary) -> tuple[Country | None, set[int]]:
    """The buyer's country (of their newest address) and the sellers in the cart none of whose carriers brings
    there from (the shop's own carriers, as checkout offers them).

    Only a flag for the buyer: checkout checks the routes again for the address chosen there. Carriers and
    shops' terms come from the shared cache.
    """
    if summary.is_empty or not request.user.is_authenticated:
        return None, set()
    destination = default_ship_country(request.user)
    if not destination:
        return None, set()
    carriers = cached_active_carriers()
    terms = cached_shop_terms_many(g.shop.pk for g in summary.groups if g.shop)
    unreachable = {
        g.seller.pk
        for g in summary.groups
        if not quotes(g.origin_country, destination, 1, terms.get(g.shop.pk) if g.shop else DEFAULT_TERMS, carriers)
    }
    return Country(code=destination), unreachable


def _render_cart(request: HttpRequest, *, line_errors=None, typed=None, status: int = 200) -> HttpResponse:
    summary = cart_summary(cart_for_request(request))
    remember_cart_count(request, summary.item_count)
    destination, unreachable = _unreachable_sellers(request, summary)
    context = {
        "destination": destination,
        "unreachable": unreachable,
        "summary": summary,
        "line_errors": line_errors or {},
        "page_has_errors": bool(line_errors),
        "typed": typed or {},
        "has_repriced": any(p.code == "repriced" for p in summary.problems),
        # Copies that can be bought as they are (flagged lines are left out of the totals).
        "buyable_copies": sum(group.item_count for group in summary.groups),
    }
    return render(request, "orders/cart.html", context, status=status)


@require_safe
def cart_detail(request: HttpRequest) -> HttpResponse:
    return _render_cart(request)


def _listing_for_buyer(request: HttpRequest, listing_id: int) -> Listing:
    """The listing the visitor may try to buy: on sale, or their own (to be told why not); 404 otherwise."""
    listing = Listing.objects.select_related("book", "seller__shop").filter(pk=listing_id).first()
    if listing is None:
        raise Http404
    is_owner = request.user.is_authenticated and listing.seller_id == request.user.pk
    if not (listing.is_visible or is_owner):
        raise Http404
    return listing


@require_POST
def cart_add(request: HttpRequest, listing_id: int) -> HttpResponse:
    """Add copies of a listing (from its page) to the visitor's cart; the price is the listing's own."""
    listing = _listing_for_buyer(request, listing_id)
    if (over := ratelimits.is_limited(request, "cart_add", "user_or_ip")) is not None:
        message = _("You are adding books to your cart very fast. Your cart is as it was; please wait a little.")
        return ratelimits.too_many_requests(request, message, over, back_url=listing.get_absolute_url())
    form = AddToCartForm(request.POST, available=listing.quantity)
    status = 400
    if form.is_valid():
        quantity = form.cleaned_data["quantity"]
        cart = cart_for_request(request, create=True)
        try:
            add_to_cart(cart, listing, quantity)
        except CartError as error:
            form.add_error("quantity" if error.code in ("invalid_quantity", "over_stock") else None, error.message)
            status = _error_status(error)
        else:
            remember_cart_count(request, cart_item_count(cart))
            messages.success(
                request,
                ngettext(
                    "Added %(count)d copy of “%(title)s” to your cart.",
                    "Added %(count)d copies of “%(title)s” to your cart.",
                    quantity,
                )
                % {"count": quantity, "title": listing.book.title},
            )
            return redirect("orders:cart")
    context = {"listing": listing, "form": form, "shop": getattr(listing.seller, "shop", None)}
    return render(request, "orders/add_to_cart.html", context, status=status)


@require_POST
def cart_line(request: HttpRequest, line_id: int) -> HttpResponse:
    """Change the copies of one line of the visitor's cart, or remove it. Another cart's line is a 404."""
    cart = cart_for_request(request)
    if cart is None:
        raise Http404
    form = CartLineForm(request.POST)
    if not form.is_valid():
        if not cart.lines.filter(pk=line_id).exists():
            raise Http404
        errors = " ".join(str(e) for field_errors in form.errors.values() for e in field_errors)
        typed = {line_id: request.POST.get("quantity", "")[:10]}
        return _render_cart(request, line_errors={line_id: errors}, typed=typed, status=400)
    try:
        if form.cleaned_data["action"] == CartLineForm.REMOVE:
            remove_line(cart, line_id)
            messages.success(request, _("The line was removed from your cart."))
        else:
            set_line_quantity(cart, line_id, form.cleaned_data["quantity"])
            messages.success(request, _("Your cart was updated."))
    except CartError as error:
        if error.code == "line_not_found":
            raise Http404 from None
        typed = {line_id: str(form.cleaned_data.get("quantity") or "")}
        return _render_cart(request, line_errors={line_id: error.message}, typed=typed, status=_error_status(error))
    remember_cart_count(request, cart_item_count(cart))
    return redirect("orders:cart")


@require_POST
def cart_accept_prices(request: HttpRequest) -> HttpResponse:
    """The buyer agrees to the current prices of the lines repriced since they added them."""
    cart = cart_for_request(request)
    changed = accept_current_prices(cart) if cart is not None else 0
    if changed:
        messages.success(
            request,
            ngettext(
                "The new price of %(count)d line is accepted.",
                "The new prices of %(count)d lines are accepted.",
                changed,
            )
            % {"count": changed},
        )
    return redirect("orders:cart")
