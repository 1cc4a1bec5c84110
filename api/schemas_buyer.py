"""Schemas of the buyer's endpoints: the cart, checkout and orders (amounts as MoneyOut)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, ModelSchema, Schema

from api.access import BodyId
from api.schemas import MoneyOut
from orders.models import MAX_LINE_QUANTITY, Address
from orders.services.addresses import ADDRESS_FIELDS

# --- Cart -------------------------------------------------------------------------------------------------------


class LineProblemOut(Schema):
    """Why a line cannot be bought as it is: ``not_available``, ``shop_away``, ``own_listing``, ``sold_out``,
    ``over_stock`` or ``repriced`` (accept the current prices to clear it)."""

    code: str
    message: str


class CartLineOut(Schema):
    id: int
    listing_id: int
    title: str
    authors: str
    condition: str
    seller: str
    quantity: int
    available: int
    unit_price: MoneyOut
    price_seen: MoneyOut
    line_total: MoneyOut
    problems: list[LineProblemOut]


class CartOut(Schema):
    lines: list[CartLineOut]
    copies: int
    items_total: MoneyOut
    can_checkout: bool


class CartAddIn(Schema):
    listing_id: BodyId
    quantity: int = Field(1, ge=1, le=MAX_LINE_QUANTITY)


class CartLineIn(Schema):
    quantity: int = Field(..., ge=1, le=MAX_LINE_QUANTITY)


class CarrierOptionOut(Schema):
    carrier_id: int
    code: str
    name: str
    price: MoneyOut
    delivery_time: str


class SellerShippingOut(Schema):
    seller_id: int
    seller: str
    copies: int
    subtotal: MoneyOut
    carriers: list[CarrierOptionOut]


class ShippingOptionsOut(Schema):
    country: str
    sellers: list[SellerShippingOut]


class AddressIn(ModelSchema):
    """A shipping address: the fields and lengths of orders.Address, checked as the checkout's address form checks
    it (a country we ship to, an ISO 3166 code such as CO; a phone number the carrier can call)."""

    class Meta:
        model = Address
        fields = list(ADDRESS_FIELDS)


class AddressOut(Schema):
    id: int
    full_name: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str
    phone: str


# --- Orders -----------------------------------------------------------------------------------------------------


class PlaceOrderIn(Schema):
    address_id: BodyId = Field(..., description="One of the buyer's saved addresses (GET /orders/addresses).")
    carriers: dict[BodyId, BodyId] = Field(
        ..., description="Seller id to the id of the carrier chosen for that seller's parcel (GET /cart/shipping)."
    )


class OrderLineOut(Schema):
    listing_id: int | None
    title: str
    authors: str
    isbn13: str
    condition: str
    seller: str
    unit_price: MoneyOut
    quantity: int
    line_total: MoneyOut


class TrackingEventOut(Schema):
    status: str
    description: str
    place: str
    happened_at: datetime


class ShipmentOut(Schema):
    id: int
    seller_id: int
    seller: str
    status: str
    carrier: str
    carrier_code: str
    tracking_number: str | None
    shipping_cost: MoneyOut
    copies: int
    shipped_at: datetime | None
    delivered_at: datetime | None
    events: list[TrackingEventOut]


class OrderSummaryOut(Schema):
    number: str
    status: str
    created_at: datetime
    total: MoneyOut
    copies: int


class OrderOut(Schema):
    number: str
    status: str
    created_at: datetime
    expires_at: datetime
    paid_at: datetime | None
    cancelled_at: datetime | None
    items_total: MoneyOut
    shipping_total: MoneyOut
    total: MoneyOut
    ship_to: list[str]
    lines: list[OrderLineOut]
    shipments: list[ShipmentOut]
    cancellable: bool
    pay_url: str | None = Field(None, description="Paying happens on this web page, never through the API.")


class OrderPageOut(Schema):
    items: list[OrderSummaryOut]
    next: str | None
