"""The buyer's cart and orders: the cart and checkout services of ``orders``, as JSON.

Placing an order takes an ``Idempotency-Key`` header: the key (with the buyer) names the order's checkout token,
so a retry returns the order the first call placed (201 the first time, 200 after), as a double submit of the
checkout form does; the same key with another body is refused (422). Paying stays on the web page: an order
awaiting payment carries its ``pay_url``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status

from api.access import MAX_ID, PathId, caller, created_at, invalid, not_found, require_confirmed_email, require_reader
from api.auth import AUTH, require_scope
from api.errors import ApiError
from api.outputs import order_line_out
from api.pagination import paginate
from api.schemas import MoneyOut, ProblemOut
from api.schemas_buyer import (
    AddressIn,
    AddressOut,
    CartAddIn,
    CartLineIn,
    CartOut,
    OrderOut,
    OrderPageOut,
    PlaceOrderIn,
    ShippingOptionsOut,
)
from orders.errors import CarrierChoiceError
from orders.forms import AddressForm
from orders.models import Address, Cart, Order
from orders.services import (
    accept_current_prices,
    add_to_cart,
    buyer_orders,
    cancel_order,
    cart_summary,
    checkout_preview,
    get_address_for_user,
    get_cart,
    get_or_create_cart,
    get_order_for_buyer,
    order_is_cancellable,
    place_order,
    remove_line,
    save_address,
    set_line_quantity,
    user_addresses,
)

cart_router = Router(tags=["cart"], auth=AUTH)
orders_router = Router(tags=["orders"], auth=AUTH)

PROBLEMS = {400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 409: ProblemOut, 422: ProblemOut}
MAX_KEY_LENGTH = 255
MAX_REASON_LENGTH = 255
IdempotencyKey = Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=MAX_KEY_LENGTH)]


# --- Cart -------------------------------------------------------------------------------------------------------


def _cart(request: HttpRequest, *, create: bool = False) -> Cart | None:
    user = caller(request)
    return get_or_create_cart(user=user) if create else get_cart(user=user)


def cart_out(cart: Cart | None) -> dict:
    summary = cart_summary(cart)
    lines = []
    for group in summary.groups:
        for view in group.lines:
            lines.append(
                {
                    "id": view.line.pk,
                    "listing_id": view.listing.pk,
                    "title": view.listing.book.title,
                    "authors": view.listing.book.authors,
                    "condition": view.listing.condition,
                    "seller": group.seller_name,
                    "quantity": view.quantity,
                    "available": view.available,
                    "unit_price": MoneyOut.of(view.unit_price),
                    "price_seen": MoneyOut.of(view.price_seen),
                    "line_total": MoneyOut.of(view.line_total),
                    "problems": [{"code": p.code, "message": str(p.message)} for p in view.problems],
                }
            )
    return {
        "lines": lines,
        "copies": summary.item_count,
        "items_total": MoneyOut.of(summary.items_total),
        "can_checkout": summary.can_checkout,
    }


@cart_router.get("", response={200: CartOut, **PROBLEMS}, summary="The cart")
def read_cart(request: HttpRequest):
    """The buyer's cart with the current prices and stock; each line names what stops it from being bought."""
    require_reader(request, "buy")
    return cart_out(_cart(request))


@cart_router.post("/lines", response={201: CartOut, **PROBLEMS}, summary="Add to the cart")
def add_line(request: HttpRequest, payload: CartAddIn, response: HttpResponse):
    """Add copies of a listing (on top of any already in the cart). 409 when sold out or not for sale."""
    require_scope(request, "buy")
    cart = _cart(request, create=True)
    line = add_to_cart(cart, payload.listing_id, payload.quantity)
    created_at(request, response, reverse("api-v1:cart_line", kwargs={"line_id": line.pk}))
    return Status(201, cart_out(cart))


@cart_router.patch("/lines/{line_id}", response={200: CartOut, **PROBLEMS}, url_name="cart_line")
def change_line(request: HttpRequest, line_id: PathId, payload: CartLineIn):
    """Set the number of copies on a line (404 for a line of another cart)."""
    require_scope(request, "buy")
    cart = _cart(request)
    if cart is None:
        raise not_found(_("This line is not in your cart."))
    set_line_quantity(cart, line_id, payload.quantity)
    return cart_out(cart)


@cart_router.delete("/lines/{line_id}", response={204: None, **PROBLEMS})
def delete_line(request: HttpRequest, line_id: PathId):
    """Remove a line from the cart."""
    require_scope(request, "buy")
    cart = _cart(request)
    if cart is None:
        raise not_found(_("This line is not in your cart."))
    remove_line(cart, line_id)
    return Status(204, None)


@cart_router.post("/accept-prices", response={200: CartOut, **PROBLEMS}, summary="Accept the current prices")
def accept_prices(request: HttpRequest):
    """Take the listings' current prices as seen (clears the ``repriced`` problems)."""
    require_scope(request, "buy")
    cart = _cart(request)
    if cart is not None:
        accept_current_prices(cart)
    return cart_out(cart)


class ShippingQuery(Schema):
    address_id: int | None = Field(None, ge=1, le=MAX_ID)


@cart_router.get("/shipping", response={200: ShippingOptionsOut, **PROBLEMS}, summary="Carriers per seller")
def shipping_options(request: HttpRequest, query: Query[ShippingQuery]):
    """The carriers that deliver each seller's parcel to an address (default: the newest one), with prices."""
    require_reader(request, "buy")
    user = caller(request)
    address = _address(user, query.address_id) if query.address_id else user_addresses(user).first()
    country = address.country.code if address else ""
    preview = checkout_preview(_cart(request), country)
    return {
        "country": country,
        "sellers": [
            {
                "seller_id": choice.group.seller.pk,
                "seller": choice.group.seller_name,
                "copies": choice.group.item_count,
                "subtotal": MoneyOut.of(choice.group.subtotal),
                "carriers": [
                    {
                        "carrier_id": quote.carrier.pk,
                        "code": quote.carrier.code,
                        "name": quote.carrier.name,
                        "price": MoneyOut.of(quote.price),
                        "delivery_time": quote.carrier.delivery_time,
                    }
                    for quote in choice.options
                ],
            }
            for choice in preview.shipping
        ],
    }


# --- Orders -----------------------------------------------------------------------------------------------------


def _address(user, pk) -> Address:
    try:
        return get_address_for_user(user, pk)
    except Http404:
        raise invalid({"address_id": [_("Choose one of your saved addresses.")]}) from None


def address_out(address: Address) -> dict:
    return {
        "id": address.pk,
        "full_name": address.full_name,
        "line1": address.line1,
        "line2": address.line2,
        "city": address.city,
        "region": address.region,
        "postal_code": address.postal_code,
        "country": address.country.code,
        "phone": address.phone,
    }


@orders_router.get(
    "/addresses", response={200: list[AddressOut], **PROBLEMS}, url_name="addresses", summary="Saved addresses"
)
def addresses(request: HttpRequest):
    """The buyer's saved shipping addresses, newest first."""
    require_reader(request, "buy")
    return [address_out(address) for address in user_addresses(caller(request))]


@orders_router.post("/addresses", response={201: AddressOut, **PROBLEMS}, summary="Save an address")
def add_address(request: HttpRequest, payload: AddressIn, response: HttpResponse):
    """Save a shipping address for your orders, checked as at checkout on the site (a country we ship to, a phone
    number the carrier can call). The same address again answers the one saved before. Needs ``buy``."""
    require_scope(request, "buy")
    form = AddressForm(data=payload.dict())
    if not form.is_valid():
        raise invalid({field: list(messages) for field, messages in form.errors.items()})
    address = save_address(caller(request), form.cleaned_data)
    created_at(request, response, reverse("api-v1:addresses"))
    return Status(201, address_out(address))


def order_out(request: HttpRequest, order: Order) -> dict:
    """An order fetched by ``get_order_for_buyer`` (lines, shipments and their events prefetched)."""
    shipments = []
    for shipment in order.shipments.all():
        lines = list(shipment.lines.all())
        events = sorted(shipment.events.all(), key=lambda e: (e.happened_at, e.pk))
        shipments.append(
            {
                "id": shipment.pk,
                "seller_id": shipment.seller_id,
                "seller": lines[0].seller_name if lines else shipment.seller.display_name,
                "status": shipment.status,
                "carrier": shipment.carrier.name,
                "carrier_code": shipment.carrier.code,
                "tracking_number": shipment.tracking_number,
                "shipping_cost": MoneyOut.of(shipment.shipping_cost),
                "copies": shipment.item_count,
                "shipped_at": shipment.shipped_at,
                "delivered_at": shipment.delivered_at,
                "events": [
                    {
                        "status": event.status,
                        "description": event.display_description,
                        "place": event.place,
                        "happened_at": event.happened_at,
                    }
                    for event in events
                ],
            }
        )
    pay_url = None
    if order.is_payable:
        pay_url = request.build_absolute_uri(reverse("orders:pay", kwargs={"number": order.number}))
    return {
        "number": order.number,
        "status": order.status,
        "created_at": order.created_at,
        "expires_at": order.expires_at,
        "paid_at": order.paid_at,
        "cancelled_at": order.cancelled_at,
        "items_total": MoneyOut.of(order.items_total),
        "shipping_total": MoneyOut.of(order.shipping_total),
        "total": MoneyOut.of(order.total),
        "ship_to": order.shipping_address_lines,
        "lines": [order_line_out(line) for line in order.lines.all()],
        "shipments": shipments,
        "cancellable": order_is_cancellable(order),
        "pay_url": pay_url,
    }


def _order_location(request: HttpRequest, response: HttpResponse, order: Order) -> None:
    created_at(request, response, reverse("api-v1:order", kwargs={"number": order.number}))


def checkout_token_for(user_id: int, key: str, payload: PlaceOrderIn) -> tuple[str, str]:
    """The checkout token an idempotency key names for this buyer and body, and the part naming the key alone.

    The token is the key's digest (per buyer) then the body's: a retry finds the order by the whole token, and
    the key used with another body by its first part. 62 characters, within ``checkout_token``'s pattern.
    """
    key_part = "api" + hashlib.sha256(f"{user_id}:{key}".encode()).hexdigest()[:40]
    body = json.dumps({"address_id": payload.address_id, "carriers": sorted(payload.carriers.items())})
    return f"{key_part}-", f"{key_part}-{hashlib.sha256(body.encode()).hexdigest()[:18]}"


@orders_router.post("", response={200: OrderOut, 201: OrderOut, **PROBLEMS}, summary="Place an order from the cart")
def create_order(
    request: HttpRequest,
    payload: PlaceOrderIn,
    response: HttpResponse,
    idempotency_key: IdempotencyKey,
):
    """Turn the whole cart into an order awaiting payment; pay it on the web page at ``pay_url``.

    Send a fresh ``Idempotency-Key`` (a UUID, say) per order: a retry with the same key returns the same order
    (200), the first call answers 201 with its Location. The same key with another body is a 422. 409 when a
    line cannot be bought as it is (sold out, paused, repriced: see ``errors``); 422 for a carrier that does
    not serve a seller's route, or an address that is not yours.
    """
    require_scope(request, "buy")
    user = caller(request)
    prefix, token = checkout_token_for(user.pk, idempotency_key, payload)
    existing = Order.objects.filter(buyer=user, checkout_token__startswith=prefix).only("checkout_token").first()
    if existing is not None:
        if existing.checkout_token != token:
            raise invalid(
                {"Idempotency-Key": [_("This key was used for another order: send a new key for a new order.")]},
                code="idempotency_key_reused",
            )
        order = get_order_for_buyer(user, existing.pk)
        _order_location(request, response, order)
        return Status(200, order_out(request, order))
    require_confirmed_email(request)
    address = _address(user, payload.address_id)
    cart = _cart(request)
    if cart is None:
        raise ApiError(400, "Bad Request", _("Your cart is empty."), code="cart_empty")
    started = timezone.now()
    try:
        placed = place_order(user, cart, address, payload.carriers, token)
    except CarrierChoiceError as error:
        raise invalid(
            {f"carriers.{seller_id}": [str(error.message)] for seller_id in error.seller_ids},
            code=error.code,
        ) from None
    order = get_order_for_buyer(user, placed.pk)
    _order_location(request, response, order)
    # A retry racing the first call gets the order that call placed (place_order finds it by its token).
    return Status(201 if order.created_at >= started else 200, order_out(request, order))


class OrderListQuery(Schema):
    cursor: str | None = None
    limit: int = Field(20, ge=1, le=100)


@orders_router.get("", response={200: OrderPageOut, **PROBLEMS}, summary="Your orders")
def list_orders(request: HttpRequest, query: Query[OrderListQuery]):
    """The buyer's orders, newest first; follow ``next`` as ``cursor`` for the next page."""
    require_reader(request, "buy")
    rows, next_cursor = paginate(
        request, buyer_orders(caller(request)), ordering=("-created_at", "-id"), limit=query.limit,
        cursor=query.cursor,
    )  # fmt: skip
    items = [
        {
            "number": order.number,
            "status": order.status,
            "created_at": order.created_at,
            "total": MoneyOut.of(order.total),
            "copies": order.copies or 0,
        }
        for order in rows
    ]
    return {"items": items, "next": next_cursor}


@orders_router.get("/{number}", response={200: OrderOut, **PROBLEMS}, url_name="order", summary="An order")
def read_order(request: HttpRequest, number: str):
    """One of the buyer's orders with its lines, shipments and their tracking timelines (404 for anyone else's)."""
    require_reader(request, "buy")
    return order_out(request, get_order_for_buyer(caller(request), number))


CANCEL_BODY = {
    "required": False,
    "content": {"application/json": {"schema": {"type": "object", "properties": {
        "reason": {"type": "string", "maxLength": MAX_REASON_LENGTH, "description": "Shown on the timeline."},
    }}}},
}  # fmt: skip


def _cancel_reason(request: HttpRequest) -> str:
    """The optional ``reason`` of a cancel request's JSON body (the body itself may be left out)."""
    if request.content_type != "application/json" or not request.body.strip():
        return ""
    try:
        data = json.loads(request.body)
    except ValueError:
        raise ApiError(400, "Bad Request", _("The body is not JSON."), code="invalid_json") from None
    reason = data.get("reason", "") if isinstance(data, dict) else None
    if not isinstance(reason, str) or len(reason) > MAX_REASON_LENGTH:
        message = _("Give the reason as text of at most %(max)d characters.") % {"max": MAX_REASON_LENGTH}
        raise invalid({"reason": [message]})
    return reason.strip()


@orders_router.post(
    "/{number}/cancel",
    response={200: OrderOut, **PROBLEMS},
    summary="Cancel an order",
    openapi_extra={"requestBody": CANCEL_BODY},
)
def cancel(request: HttpRequest, number: str):
    """Cancel the whole order before anything has shipped; what was paid is refunded. 409 once it has shipped.
    An optional JSON body ``{"reason": "..."}`` is shown on the tracking timeline."""
    require_scope(request, "buy")
    user = caller(request)
    order = get_order_for_buyer(user, number)
    cancel_order(order, user, reason=_cancel_reason(request))
    return order_out(request, get_order_for_buyer(user, order.pk))
