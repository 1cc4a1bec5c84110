"""Public, read-only endpoints: the catalog, books, listings, shops, carriers and shipping quotes.

Each one validates with the web page's form and reads through the same selectors (catalog.search,
shipping.quotes), so the API lists exactly what the site shows; only the pages differ: a cursor instead of a
page number, so a client paging through results while listings are published never sees one twice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal
from urllib.parse import urlencode

from django.db.models import Case, FloatField, Max, QuerySet, Value, When
from django.http import HttpRequest, QueryDict
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from accounts.models import Shop
from api.errors import ApiError
from api.outputs import (
    book_out,
    book_summary_out,
    carrier_out,
    listing_detail_out,
    listing_out,
    quote_out,
    shop_out,
)
from api.pagination import paginate
from api.schemas import (
    BookDetailOut,
    BookPageOut,
    CarrierOut,
    ListingDetailOut,
    ListingPageOut,
    ProblemOut,
    ShippingQuoteOut,
    ShopOut,
)
from catalog.cache import catalog_version_token
from catalog.cache.kept import Kept
from catalog.cache.rankings import kept_ranking, ranking_key
from catalog.forms.book import BookCopiesForm
from catalog.forms.browse import MAX_QUERY_LENGTH, BrowseForm, ShopListingsForm
from catalog.models import MAX_PRICE, Book, Listing
from catalog.search import CARD_RELATIONS, CatalogQuery, CatalogResult, find_listings
from catalog.search.books import _GROUP_ORDERINGS, BookSummary, _grouped, book_copies, book_rows
from catalog.search.queries import SORT_RELEVANCE
from catalog.views.detail import get_listing_for_viewer
from catalog.views.shop import get_public_shop
from core.numbers import MAX_ID
from shipping.quotes import cached_active_carriers, shop_delivery
from shipping.zones import is_served_country

catalog_router = Router(tags=["catalog"])
books_router = Router(tags=["books"])
listings_router = Router(tags=["listings"])
shops_router = Router(tags=["shops"])
carriers_router = Router(tags=["carriers"])

# The problems a public endpoint answers (bad parameters, not found, too many requests).
PROBLEMS = frozenset({400, 404, 429})
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
DEFAULT_LIMIT = 24
MAX_LIMIT = 100

ConditionIn = Literal[tuple(Listing.Condition.values)]
LanguageIn = Literal[("", *Book.Language.values)]
BindingIn = Literal[("", *Book.Binding.values)]
SortIn = Literal["", "relevance", "newest", "price_asc", "price_desc"]


class CatalogFilters(Schema):
    """The catalog page's query string (/books/): the same words, filters and sort orders."""

    q: str = Field(
        "", max_length=MAX_QUERY_LENGTH, description="Words of the title, authors or description; or an ISBN"
    )
    category: str = Field("", max_length=90, description="A category's slug")
    condition: list[ConditionIn] = Field([], description="Any of these conditions (repeat the parameter)")
    language: LanguageIn = ""
    binding: BindingIn = ""
    price_min: Decimal | None = Field(None, ge=0, le=MAX_PRICE, decimal_places=2)
    price_max: Decimal | None = Field(None, ge=0, le=MAX_PRICE, decimal_places=2)
    sort: SortIn = Field("", description="Best match for a search, else newest first")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, max_length=1000, description="The `next` of the previous page")


def _form_errors(form) -> ApiError:
    errors = {field: [str(message) for message in messages] for field, messages in form.errors.items()}
    return ApiError(400, "Bad Request", _("The request has invalid fields."), errors=errors, code="invalid")


def _catalog_query(request: HttpRequest) -> CatalogQuery:
    """The catalog's query for the query string, validated by the catalog page's own form."""
    form = BrowseForm(request.GET)
    if not form.is_valid():
        raise _form_errors(form)
    return form.catalog_query()


def _kept_ranking(query: CatalogQuery) -> Kept | None:
    """Where a search's ranking is kept (catalog.cache.rankings): a client paging through a search, or asking it
    sorted otherwise, ranks it once per catalog version."""
    if not query.q:
        return None
    scope = {"q": query.q, "category": query.category_id or "", "language": query.language, "binding": query.binding}
    return kept_ranking(ranking_key("api", QueryDict(urlencode(scope))), catalog_version_token())


def _catalog_result(request: HttpRequest, query: CatalogQuery | None = None) -> CatalogResult:
    query = query or _catalog_query(request)
    return find_listings(query, ranking=_kept_ranking(query))


def _ranked(result: CatalogResult) -> QuerySet:
    """The listings of a search over the whole catalog, each with its book's relevance (as the catalog page:
    the copies of the SEARCH_BOOKS best books). One query for the books; the relevance rides in the rows."""
    best = result.best_books.best()
    if not best:
        return result.queryset.none().annotate(relevance=Value(0.0, output_field=FloatField()))
    relevance = Case(*(When(book_id=pk, then=Value(float(score))) for pk, score in best), output_field=FloatField())
    return result.queryset.filter(book_id__in=[pk for pk, _score in best]).annotate(relevance=relevance)


def _listing_page(request: HttpRequest, queryset: QuerySet, ordering, limit: int, cursor, tag: str) -> dict:
    """A page of listings: their sort keys first (the sort order's index), then the rows a card shows."""
    fields = ["id", *(f.lstrip("-") for f in ordering if f.lstrip("-") != "id")]
    keys, next_cursor = paginate(
        request, queryset.values(*fields), ordering=ordering, limit=limit, cursor=cursor, tag=tag
    )
    ids = [row["id"] for row in keys]
    rows = Listing.objects.select_related(*CARD_RELATIONS).in_bulk(ids) if ids else {}
    return {"items": [listing_out(request, rows[pk]) for pk in ids if pk in rows], "next": next_cursor}


@catalog_router.get("/listings", response={200: ListingPageOut, PROBLEMS: ProblemOut}, summary="Search copies")
def search_listings(request: HttpRequest, filters: Query[CatalogFilters]):
    """The catalog's copies view: every visible copy that matches, in the sort order asked for."""
    result = _catalog_result(request)
    if result.no_usable_words:
        return {"items": [], "next": None}
    queryset = _ranked(result) if result.best_books is not None else result.queryset
    return _listing_page(request, queryset, result.ordering, filters.limit, filters.cursor, result.sort)


RELEVANCE_GROUP_ORDERING = ("-relevance", "-newest", "-book_id")


@catalog_router.get("/books", response={200: BookPageOut, PROBLEMS: ProblemOut}, summary="Search books")
def search_books(request: HttpRequest, filters: Query[CatalogFilters]):
    """The catalog's books view: each book once, with how many of its copies match and the lowest price."""
    query = _catalog_query(request)
    result = _catalog_result(request, query)
    if result.no_usable_words:
        return {"items": [], "next": None}
    tag = f"books-{result.sort}"
    if result.best_books is None:
        rows, ordering, figures = book_rows(query, result)
        if figures:
            # The books' figures, as the web page reads them when no copy filter applies.
            page, next_cursor = paginate(
                request, rows.select_related("book", "book__category"), ordering=ordering,
                limit=filters.limit, cursor=filters.cursor, tag=f"{tag}-figures",
            )  # fmt: skip
            summaries = [BookSummary.of_figures(row) for row in page]
            return {"items": [book_summary_out(summary) for summary in summaries], "next": next_cursor}
        groups = rows
    else:
        # The copies in stock of the best books, as the web page counts them (catalog.search.books).
        groups = _grouped(_ranked(result).filter(quantity__gt=0)).annotate(relevance=Max("relevance"))
        ordering = RELEVANCE_GROUP_ORDERING if result.sort == SORT_RELEVANCE else _GROUP_ORDERINGS[result.sort]
    rows, next_cursor = paginate(
        request, groups, ordering=ordering, limit=filters.limit, cursor=filters.cursor, tag=tag
    )
    books = Book.objects.select_related("category").in_bulk([row["book_id"] for row in rows]) if rows else {}
    summaries = [BookSummary.of_group(row, books[row["book_id"]]) for row in rows if row["book_id"] in books]
    return {"items": [book_summary_out(summary) for summary in summaries], "next": next_cursor}


@listings_router.get("/{listing_id}", response={200: ListingDetailOut, PROBLEMS: ProblemOut}, summary="A listing")
def get_listing(request: HttpRequest, listing_id: Id):
    """A copy on sale with its photos and its book; 404 for one that is not on sale."""
    return listing_detail_out(request, get_listing_for_viewer(request, listing_id))


class QuoteQuery(Schema):
    country: str = Field(..., min_length=2, max_length=2, description="ISO 3166 code of the destination")
    quantity: int = Field(1, ge=1, le=999, description="Copies in the parcel")


@listings_router.get(
    "/{listing_id}/shipping", response={200: ShippingQuoteOut, PROBLEMS: ProblemOut}, summary="Shipping quotes"
)
def shipping_quote(request: HttpRequest, listing_id: Id, query: Query[QuoteQuery]):
    """The carriers the seller sends this copy with to ``country``, cheapest first, with the expected delivery
    for a parcel paid today (the listing page's quote)."""
    listing = get_listing_for_viewer(request, listing_id)
    destination = query.country.upper()
    if not is_served_country(destination):
        message = _("We do not know that country. Use its ISO 3166 code, such as CO or US.")
        raise ApiError(400, "Bad Request", message, errors={"country": [message]}, code="invalid")
    shop = getattr(listing.seller, "shop", None)
    if shop is None or not shop.country:
        found = []
        origin = ""
    else:
        origin = shop.country.code
        found = shop_delivery(shop.pk, origin, destination, query.quantity).quotes
    return {
        "listing_id": listing.pk,
        "origin": origin,
        "destination": destination,
        "ships": bool(found),
        "quotes": [quote_out(quote) for quote in found],
    }


class CopiesQuery(Schema):
    condition: list[ConditionIn] = Field([], description="Any of these conditions (repeat the parameter)")
    sort: Literal["price", "condition", "newest"] = "price"


@books_router.get("/{book_id}", response={200: BookDetailOut, PROBLEMS: ProblemOut}, summary="A book and its copies")
def get_book(request: HttpRequest, book_id: Id, query: Query[CopiesQuery]):
    """The book with every visible copy in stock (the book page's list)."""
    book = get_object_or_404(Book.objects.select_related("category"), pk=book_id)
    form = BookCopiesForm(request.GET)
    if not form.is_valid():
        raise _form_errors(form)
    copies = book_copies(book, tuple(form.cleaned_data["condition"]), form.cleaned_data["sort"])
    for copy in copies:
        copy.book = book  # the copies' book is this one: no query per copy
    return {**book_out(book), "copies": [listing_out(request, copy) for copy in copies]}


@shops_router.get("/{slug}", response={200: ShopOut, PROBLEMS: ProblemOut}, summary="A shop and its rating")
def get_shop(request: HttpRequest, slug: Annotated[str, Path(max_length=90)]):
    return shop_out(request, get_public_shop(slug))


class ShopListingsQuery(Schema):
    sort: Literal["newest", "price_asc", "price_desc", ""] = Field("", description="Newest first by default")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, max_length=1000)


@shops_router.get("/{slug}/listings", response={200: ListingPageOut, PROBLEMS: ProblemOut}, summary="A shop's copies")
def shop_listings(request: HttpRequest, slug: Annotated[str, Path(max_length=90)], query: Query[ShopListingsQuery]):
    """The shop's copies on sale (its page's list)."""
    shop: Shop = get_public_shop(slug)
    form = ShopListingsForm(request.GET)
    if not form.is_valid():
        raise _form_errors(form)
    result = find_listings(form.catalog_query(), base=Listing.objects.filter(seller_id=shop.owner_id))
    return _listing_page(request, result.queryset, result.ordering, query.limit, query.cursor, f"shop-{result.sort}")


@carriers_router.get("", response={200: list[CarrierOut], PROBLEMS: ProblemOut}, summary="Carriers")
def list_carriers(request: HttpRequest):
    """The active carriers, with their delivery times in business days."""
    return [carrier_out(carrier) for carrier in sorted(cached_active_carriers(), key=lambda c: (c.scope, c.name))]
