"""Model instances as the shared output schemas' data (plain dicts, built once, without further queries).

Each function says what its caller must have fetched with the row.
"""

from __future__ import annotations

from django.http import HttpRequest

from accounts.models import Shop, stats_of
from api.schemas import MoneyOut
from catalog.models import Book, Listing
from catalog.search.books import CONDITION_ORDER, BookSummary
from shipping.models import Carrier
from shipping.services import CarrierQuote


def book_brief(book: Book) -> dict:
    return {"id": book.pk, "isbn13": book.isbn13, "title": book.title, "authors": book.authors}


def book_out(book: Book) -> dict:
    """Needs ``book.category``."""
    return {
        **book_brief(book),
        "publisher": book.publisher,
        "year": book.year,
        "language": book.language,
        "binding": book.binding,
        "category": {"slug": book.category.slug, "name": book.category.name},
        "description": book.description,
    }


def shop_brief(shop: Shop | None) -> dict | None:
    if shop is None:
        return None
    return {"slug": shop.slug, "name": shop.name, "city": shop.city, "country": str(shop.country)}


def listing_out(request: HttpRequest, listing: Listing) -> dict:
    """Needs ``listing.book`` and ``listing.seller.shop`` (catalog.search.CARD_RELATIONS)."""
    return {
        "id": listing.pk,
        "book": book_brief(listing.book),
        "condition": listing.condition,
        "condition_notes": listing.condition_notes,
        "price": MoneyOut.of(listing.price),
        "quantity": listing.quantity,
        "shop": shop_brief(getattr(listing.seller, "shop", None)),
        "published_at": listing.published_at,
        "url": request.build_absolute_uri(listing.get_absolute_url()),
    }


def listing_detail_out(request: HttpRequest, listing: Listing) -> dict:
    """Needs CARD_RELATIONS and the prefetched ``photos``."""
    photos = [
        {
            "url": request.build_absolute_uri(photo.image.url),
            "thumbnail_url": request.build_absolute_uri(photo.thumbnail.url),
            "width": photo.width,
            "height": photo.height,
        }
        for photo in listing.photos.all()
    ]
    return {
        **listing_out(request, listing),
        "status": listing.status,
        "book_details": book_out(listing.book),
        "photos": photos,
    }


def book_summary_out(summary: BookSummary) -> dict:
    return {
        "book": book_out(summary.book),
        "copies": summary.copies,
        "lowest_price": MoneyOut.of(summary.lowest_price),
        "best_condition": CONDITION_ORDER[summary.best_rank],
        "worst_condition": CONDITION_ORDER[summary.worst_rank],
    }


def shop_out(request: HttpRequest, shop: Shop) -> dict:
    """Needs ``shop.stats``."""
    stats = stats_of(shop)
    rating = {
        "average": stats.average if stats else None,
        "count": stats.rating_count if stats else 0,
        "positive_percent_12m": stats.positive_percent_12m if stats else None,
        "on_time_percent_90d": stats.on_time_percent_90d if stats else None,
    }
    return {
        **shop_brief(shop),
        "about": shop.about,
        "region": shop.region,
        "away_until": shop.away_until,
        "rating": rating,
        "url": request.build_absolute_uri(shop.get_absolute_url()),
    }


def carrier_out(carrier: Carrier) -> dict:
    return {
        "code": carrier.code,
        "name": carrier.name,
        "scope": carrier.scope,
        "min_days": carrier.min_days,
        "max_days": carrier.max_days,
    }


def quote_out(quote: CarrierQuote) -> dict:
    window = quote.expected_delivery
    return {
        "carrier": carrier_out(quote.carrier),
        "price": MoneyOut.of(quote.price),
        "handling_days": quote.handling_days,
        "own_price": quote.own_price,
        "earliest_delivery": window[0] if window else None,
        "latest_delivery": window[1] if window else None,
    }


def order_line_out(line) -> dict:
    """A line of an order or of a seller's shipment (orders.OrderLine), as the buyer and the seller see it."""
    return {
        "listing_id": line.listing_id,
        "title": line.title,
        "authors": line.authors,
        "isbn13": line.isbn13,
        "condition": line.condition,
        "seller": line.seller_name,
        "unit_price": MoneyOut.of(line.unit_price),
        "quantity": line.quantity,
        "line_total": MoneyOut.of(line.line_total),
    }
