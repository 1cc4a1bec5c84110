"""Schemas of the seller's endpoints: inventory, listings, bulk upsert, photos and sales."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema

from api.schemas import MoneyOut
from api.schemas_buyer import OrderLineOut, TrackingEventOut
from catalog.services.upserts import UPSERT_MAX_ROWS

# --- Listings ---------------------------------------------------------------------------------------------------


class SellerBookOut(Schema):
    id: int
    isbn13: str | None
    title: str
    authors: str
    publisher: str
    year: int | None
    language: str
    binding: str
    category: str | None


class PhotoOut(Schema):
    id: int
    url: str
    thumbnail_url: str
    width: int
    height: int
    position: int


class SellerListingOut(Schema):
    id: int
    sku: str
    status: str
    condition: str
    condition_notes: str
    price: MoneyOut
    quantity: int
    units_sold: int
    book: SellerBookOut
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None


class SellerListingDetailOut(SellerListingOut):
    photos: list[PhotoOut]


class InventoryPageOut(Schema):
    items: list[SellerListingOut]
    next: str | None


class ListingIn(Schema):
    """A copy and its book, as the listing form takes them. An ISBN the catalog knows selects its book (title,
    authors and category may then be left out); otherwise they are required."""

    isbn: str = Field("", max_length=20, description="ISBN-10 or ISBN-13, hyphens allowed; empty for none.")
    title: str = ""
    authors: str = ""
    publisher: str = ""
    year: int | None = None
    language: str = "en"
    binding: str = "paperback"
    category: str | None = Field(None, description="The category's slug.")
    description: str = ""
    sku: str = Field("", description="Your stock code, unique in your shop; empty makes one.")
    condition: str
    condition_notes: str = ""
    price: Decimal
    quantity: int
    publish: bool = Field(False, description="Put it on sale now (it needs a copy in stock); else a draft.")


class ListingPatchIn(Schema):
    """The fields to change; the others keep their values. The book's fields change only while no other seller
    lists the book."""

    isbn: str | None = Field(None, max_length=20)
    title: str | None = None
    authors: str | None = None
    publisher: str | None = None
    year: int | None = None
    language: str | None = None
    binding: str | None = None
    category: str | None = None
    description: str | None = None
    sku: str | None = None
    condition: str | None = None
    condition_notes: str | None = None
    price: Decimal | None = None
    quantity: int | None = None
    publish: bool = Field(False, description="Put a draft on sale.")


class DeletedOut(Schema):
    deleted: bool
    archived: bool


# --- Bulk upsert ------------------------------------------------------------------------------------------------

Cell = str | int | Decimal | None


class BulkItemIn(Schema):
    """One listing, keyed by your ``sku``, with the columns of a listings file (and their words: a condition as
    ``very_good`` or "Very Good", a price as 12.50 or "12,50", a status as ``active``, ``draft`` or ``paused``)."""

    sku: Cell = None
    isbn: Cell = None
    title: Cell = None
    author: Cell = None
    condition: Cell = None
    price: Cell = None
    quantity: Cell = None
    notes: Cell = None
    language: Cell = None
    binding: Cell = None
    category: Cell = None
    status: Cell = None


class BulkIn(Schema):
    items: list[BulkItemIn] = Field(..., min_length=1, max_length=UPSERT_MAX_ROWS)


class BulkErrorOut(Schema):
    field: str
    value: str
    message: str


class BulkResultOut(Schema):
    index: int
    sku: str
    outcome: str = Field(..., description="created, updated, unchanged or refused")
    listing_id: int | None
    errors: list[BulkErrorOut]


class BulkOut(Schema):
    created: int
    updated: int
    unchanged: int
    refused: int
    results: list[BulkResultOut]


# --- Sales ------------------------------------------------------------------------------------------------------


class SaleOut(Schema):
    id: int
    order_number: str
    status: str
    created_at: datetime
    buyer: str
    ship_to: list[str]
    carrier: str
    carrier_code: str
    tracking_number: str | None
    shipping_cost: MoneyOut
    copies: int
    shipped_at: datetime | None
    delivered_at: datetime | None
    lines: list[OrderLineOut]


class SaleDetailOut(SaleOut):
    events: list[TrackingEventOut]


class SalePageOut(Schema):
    items: list[SaleOut]
    next: str | None


class ShipIn(Schema):
    carrier: str | None = Field(
        None, description="The code of the carrier used (default: the one the buyer chose); it must serve the route."
    )
    tracking_number: str = Field(
        "", max_length=64, description="As the carrier printed it, in its format; empty makes one in its series."
    )
