"""Output schemas shared by every router. Money is a decimal string with its currency, never a float."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Schema

from core.money import currency


class ProblemOut(Schema):
    """RFC 9457 problem details; ``code`` is stable, ``errors`` names each bad field."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    code: str | None = None
    errors: dict[str, list[str]] | None = None


class MoneyOut(Schema):
    amount: str  # "12.50"
    currency: str  # ISO 4217, the site's one currency

    @classmethod
    def of(cls, amount: Decimal) -> MoneyOut:
        return cls(amount=f"{amount:.2f}", currency=currency())


class CategoryOut(Schema):
    slug: str
    name: str


class BookBriefOut(Schema):
    id: int
    isbn13: str | None
    title: str
    authors: str


class BookOut(BookBriefOut):
    publisher: str
    year: int | None
    language: str
    binding: str
    category: CategoryOut
    description: str


class ShopBriefOut(Schema):
    slug: str
    name: str
    city: str
    country: str


class ListingOut(Schema):
    """One seller's copy of a book."""

    id: int
    book: BookBriefOut
    condition: str
    condition_notes: str
    price: MoneyOut
    quantity: int
    shop: ShopBriefOut | None
    published_at: datetime | None
    url: str  # the listing's page on the site


class PhotoOut(Schema):
    url: str
    thumbnail_url: str
    width: int
    height: int


class ListingDetailOut(ListingOut):
    status: str
    book_details: BookOut
    photos: list[PhotoOut]


class ListingPageOut(Schema):
    items: list[ListingOut]
    next: str | None  # the cursor of the next page, null on the last


class BookSummaryOut(Schema):
    """A book of the catalog's books view, with what its matching copies have in common."""

    book: BookOut
    copies: int
    lowest_price: MoneyOut
    best_condition: str
    worst_condition: str


class BookPageOut(Schema):
    items: list[BookSummaryOut]
    next: str | None


class BookDetailOut(BookOut):
    copies: list[ListingOut]


class RatingOut(Schema):
    average: float | None  # 1 to 5, one decimal; null without ratings
    count: int
    positive_percent_12m: int | None
    on_time_percent_90d: int | None


class ShopOut(ShopBriefOut):
    about: str
    region: str
    away_until: date | None
    rating: RatingOut
    url: str


class CarrierOut(Schema):
    code: str
    name: str
    scope: str
    min_days: int | None
    max_days: int | None


class QuoteOut(Schema):
    carrier: CarrierOut
    price: MoneyOut
    handling_days: int
    own_price: bool  # the seller's own price rather than the carrier's rate
    earliest_delivery: date | None  # for a parcel paid today
    latest_delivery: date | None


class ShippingQuoteOut(Schema):
    listing_id: int
    origin: str
    destination: str
    ships: bool
    quotes: list[QuoteOut]
