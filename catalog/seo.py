"""What search engines and chat apps read about a book: descriptions, absolute links and schema.org data.

Pages include templates/catalog/_book_meta.html, which uses these through the catalog_seo tags; the
sitemaps are in catalog.sitemaps.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from catalog.models import Book, Listing
from core.money import format_money

DESCRIPTION_CHARS = 160

# https://schema.org/OfferItemCondition has new, used, refurbished and damaged; a used book is UsedCondition
# whatever its grade, except an as-new copy (still second-hand) and a poor one (damaged).
SCHEMA_CONDITIONS = {
    Listing.Condition.AS_NEW: "https://schema.org/UsedCondition",
    Listing.Condition.FINE: "https://schema.org/UsedCondition",
    Listing.Condition.VERY_GOOD: "https://schema.org/UsedCondition",
    Listing.Condition.GOOD: "https://schema.org/UsedCondition",
    Listing.Condition.FAIR: "https://schema.org/UsedCondition",
    Listing.Condition.POOR: "https://schema.org/DamagedCondition",
}


def absolute_url(path: str) -> str:
    """``path`` as an absolute URL on SITE_URL (unchanged when it already is one, e.g. an S3 address)."""
    if not path or path.startswith(("http://", "https://")):
        return path
    if path.startswith("//"):
        return f"{settings.SITE_URL.split(':', 1)[0]}:{path}"
    return f"{settings.SITE_URL}{path}"


def shorten(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(DESCRIPTION_CHARS)


def listing_description(listing: Listing) -> str:
    """One sentence for search results: title, author, condition, price and shop of this copy."""
    book = listing.book
    shop = getattr(listing.seller, "shop", None)
    values = {
        "title": book.title,
        "authors": book.authors,
        "condition": listing.get_condition_display(),
        "price": format_money(listing.price),
    }
    if shop:
        text = _(
            "%(title)s by %(authors)s: a second-hand copy in %(condition)s condition for %(price)s from %(shop)s."
        )
        values["shop"] = shop.name
    else:
        text = _("%(title)s by %(authors)s: a second-hand copy in %(condition)s condition for %(price)s.")
    return shorten(text % values)


def book_description(book: Book) -> str:
    """One sentence for a book's page (all its copies): title, author and what the catalog knows."""
    return shorten(
        _("%(title)s by %(authors)s: second-hand copies from readers and bookshops on BookStore.")
        % {"title": book.title, "authors": book.authors}
    )


def shop_description(shop) -> str:
    """The shop's own words when it has some, else where it sells from."""
    place = ", ".join(part for part in (shop.city, shop.region, str(shop.country.name)) if part)
    text = _("%(shop)s sells second-hand books from %(place)s on BookStore.") % {"shop": shop.name, "place": place}
    if shop.about:
        text = f"{text} {shop.about}"
    return shorten(text)


def _offer(listing: Listing) -> dict:
    in_stock = listing.is_visible and listing.in_stock
    offer = {
        "@type": "Offer",
        "url": absolute_url(listing.get_absolute_url()),
        "price": str(listing.price.quantize(Decimal("0.01"))),
        "priceCurrency": settings.CURRENCY,
        "availability": "https://schema.org/InStock" if in_stock else "https://schema.org/OutOfStock",
        "itemCondition": SCHEMA_CONDITIONS.get(listing.condition, "https://schema.org/UsedCondition"),
    }
    shop = getattr(listing.seller, "shop", None)
    if shop:
        offer["seller"] = {"@type": "Organization", "name": shop.name, "url": absolute_url(shop.get_absolute_url())}
    return offer


def book_data(book: Book, listings: Iterable[Listing] = (), *, url: str = "", image: str = "") -> dict:
    """schema.org Book with an Offer per listing (one on a listing page, several on a book page)."""
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Book",
        "name": book.title,
        "author": [{"@type": "Person", "name": name.strip()} for name in book.authors.split(",") if name.strip()],
        "bookFormat": {
            Book.Binding.HARDCOVER: "https://schema.org/Hardcover",
            Book.Binding.PAPERBACK: "https://schema.org/Paperback",
            Book.Binding.MASS_MARKET: "https://schema.org/Paperback",
        }.get(book.binding),
        "inLanguage": book.language if book.language != Book.Language.OTHER else None,
        "isbn": book.isbn13 or None,
        "publisher": {"@type": "Organization", "name": book.publisher} if book.publisher else None,
        "datePublished": str(book.year) if book.year else None,
        "url": url or None,
        "image": image or None,
    }
    offers = [_offer(listing) for listing in listings]
    if len(offers) == 1:
        data["offers"] = offers[0]
    elif offers:
        data["offers"] = offers
    return {key: value for key, value in data.items() if value is not None}
