"""From what a buyer asked (CatalogQuery) to an ordered queryset of visible listings (CatalogResult).

Text search uses the FULLTEXT index ``catalog_book_fulltext`` on MySQL/MariaDB and a LIKE fallback elsewhere. A
search over the whole catalog ranks books rather than listings (``best_books``, see catalog.search.pages).
"""

import functools
import operator
from dataclasses import dataclass
from decimal import Decimal

from django.db import NotSupportedError, connections
from django.db.models import Case, FloatField, Func, IntegerField, Q, QuerySet, Subquery, Value, When

from accounts.models import HiddenSeller
from catalog.cache.kept import Kept
from catalog.isbn import try_normalize_isbn
from catalog.models import Book, Listing
from catalog.search.ranked import RankedBooks
from catalog.search.shelves import Shelf
from catalog.search.words import BOOK_SEARCH_FIELDS, boolean_mode_query, is_indexable, search_words


class FullTextMatch(Func):
    """``MATCH (columns) AGAINST (query IN BOOLEAN MODE)``: the relevance score, 0 when no match."""

    output_field = FloatField()

    def __init__(self, *columns: str, against: str):
        super().__init__(*columns, Value(against))

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError("Full-text MATCH needs MySQL or MariaDB.")

    def as_mysql(self, compiler, connection, **extra_context):
        *columns, against = self.get_source_expressions()
        sql_parts, params = [], []
        for column in columns:
            column_sql, column_params = compiler.compile(column)
            sql_parts.append(column_sql)
            params.extend(column_params)
        against_sql, against_params = compiler.compile(against)
        params.extend(against_params)
        return f"MATCH ({', '.join(sql_parts)}) AGAINST ({against_sql} IN BOOLEAN MODE)", params


def _word_anywhere(word: str, prefix: str = "book__") -> Q:
    """The word appears in the title, authors, description or ISBN-13.

    prefix leads from the queried model to the book ("" for a query on the books themselves).
    """
    q = Q(**{f"{prefix}isbn13__icontains": word})
    for field in BOOK_SEARCH_FIELDS:
        q |= Q(**{f"{prefix}{field}__unaccent_icontains": word})
    return q


def _title_and_author_hits(words: list[str], prefix: str = "book__"):
    """A rough relevance where the full-text index is unavailable: title hits weigh more than author hits.

    prefix leads from the queried model to the book ("" for a query on the books themselves).
    """
    scores = [
        Case(
            When(**{f"{prefix}title__unaccent_icontains": word}, then=Value(2)),
            When(**{f"{prefix}authors__unaccent_icontains": word}, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        for word in words
    ]
    return functools.reduce(operator.add, scores)


@dataclass(frozen=True)
class TextSearch:
    queryset: QuerySet
    ranked: bool  # the queryset has a "relevance" alias to sort by, or best_books ranks the books
    isbn: str = ""  # the ISBN-13 searched for, when the query was an ISBN
    no_usable_words: bool = False
    best_books: RankedBooks | None = None  # (book id, relevance) of the matching books, best first


def apply_text_search(
    queryset: QuerySet, q: str, books: QuerySet | None = None, ranking: Kept | None = None
) -> TextSearch:
    """Narrow listings to those whose book matches q.

    A valid ISBN-10/13 (with or without hyphens) matches the book's ISBN-13 exactly.
    Otherwise every word must appear in the title, authors or description (prefix
    match on MySQL). A query without letters or digits matches nothing and says so.

    With ``books`` (the books the other filters allow) the books are ranked instead (by the full-text index where
    there is one) and the result carries them, best first, for fetch_page to join the SEARCH_BOOKS best to
    ``queryset``. Without it (a shop's own listings) the listings themselves are narrowed and ranked. ``ranking``
    is where the page keeps the books' ranking (catalog.cache.rankings).
    """
    isbn = try_normalize_isbn(q)
    if isbn:
        # The book's id read once by its unique ISBN (a scalar subquery), so its copies come from the listing's
        # book index: joined instead, MariaDB walked a sort order's index over the whole catalog (190 ms at 100k).
        book_id = Subquery(Book.objects.filter(isbn13=isbn).values("pk")[:1])
        return TextSearch(queryset.filter(book_id=book_id), ranked=False, isbn=isbn)

    words = search_words(q)
    if not words:
        return TextSearch(queryset.none(), ranked=False, no_usable_words=True)

    indexed = [word for word in words if is_indexable(word)] if connections[queryset.db].vendor == "mysql" else []
    rest = [word for word in words if word not in indexed]
    if books is not None:
        if indexed:
            books = books.annotate(
                relevance=FullTextMatch(*BOOK_SEARCH_FIELDS, against=boolean_mode_query(indexed))
            ).filter(relevance__gt=0)
        else:
            books = books.annotate(relevance=_title_and_author_hits(rest, prefix=""))
        for word in rest:
            books = books.filter(_word_anywhere(word, prefix=""))
        best = books.order_by("-relevance", "-id").values_list("id", "relevance")
        return TextSearch(queryset, ranked=True, best_books=RankedBooks(best, ranking))

    if indexed:
        queryset = queryset.alias(
            relevance=FullTextMatch(
                *(f"book__{field}" for field in BOOK_SEARCH_FIELDS), against=boolean_mode_query(indexed)
            )
        ).filter(relevance__gt=0)
        for word in rest:
            queryset = queryset.filter(_word_anywhere(word))
        return TextSearch(queryset, ranked=True)
    for word in words:
        queryset = queryset.filter(_word_anywhere(word))
    return TextSearch(queryset.alias(relevance=_title_and_author_hits(words)), ranked=True)


# --- Visibility -------------------------------------------------------------------


def visible_listings(base: QuerySet | None = None) -> QuerySet:
    """The listings of base (all by default) that buyers may see: Listing.objects.visible(), as a faster query.

    visible() joins the seller to check is_active. Given that join, MySQL may read the users first and sort every
    listing they own (50 ms for page 1 of 100,000 listings, measured); excluding inactive sellers with a subquery
    leaves the listing table alone in the join, so the page's sort order is read from its index and only the
    page's rows are touched. catalog/tests/test_search.py checks that both select the same listings.
    """
    queryset = base if base is not None else Listing.objects.all()
    # Deactivated sellers and shops away on vacation, from their table of a few rows (accounts.HiddenSeller): it
    # read every user for the inactive ones before (2,000 rows per query at 100,000 listings).
    return queryset.filter(status=Listing.Status.ACTIVE).exclude(seller__in=HiddenSeller.objects.values("user_id"))


# --- Filters and sort orders ----------------------------------------------------

SORT_RELEVANCE = "relevance"
SORT_NEWEST = "newest"
SORT_PRICE_ASC = "price_asc"
SORT_PRICE_DESC = "price_desc"

# Each ordering ends with the primary key so pages never overlap or skip rows; newest and
# price orders follow the listing_newest_idx and listing_price_idx indexes.
ORDERINGS = {
    SORT_RELEVANCE: ("-relevance", "-published_at", "-id"),
    SORT_NEWEST: ("-published_at", "-id"),
    SORT_PRICE_ASC: ("price", "id"),
    SORT_PRICE_DESC: ("-price", "-id"),
}


@dataclass(frozen=True)
class CatalogQuery:
    """What a buyer asked the catalog for, already validated (see catalog.forms.browse)."""

    q: str = ""
    category_id: int | None = None
    conditions: tuple[str, ...] = ()
    language: str = ""
    binding: str = ""
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    sort: str = ""


# The listing indexes that follow a sort order (catalog.models): by the equality-filtered column that starts
# them ("" for none), then by the order's first field.
FILTER_INDEXES = {
    ("", "published_at"): "listing_newest_idx",
    ("", "price"): "listing_price_idx",
    ("category_id", "published_at"): "listing_cat_newest_idx",
    ("category_id", "price"): "listing_cat_price_idx",
    ("language", "published_at"): "listing_lang_newest_idx",
    ("language", "price"): "listing_lang_price_idx",
    ("binding", "published_at"): "listing_bind_newest_idx",
    ("binding", "price"): "listing_bind_price_idx",
    ("condition", "published_at"): "listing_cond_newest_idx",
    ("condition", "price"): "listing_cond_price_idx",
}


def filter_indexes(filters, ordering: tuple[str, ...], *, price_range: bool = False) -> tuple[str, ...]:
    """The indexes a page of listings filtered by equality on ``filters`` (the book's columns copied on the listing,
    "condition") should be read from.

    Each holds the listings of one value of a filtered column in the page's order, so it is never read further than
    the catalog's general index for that order would be (its rows all match that filter); MariaDB's estimates for
    ORDER BY ... LIMIT ignore OFFSET, so without the hint a deep page of Spanish books would walk the general order.
    When several filters have one, the optimizer picks among them; with none, the order's general index (else
    MariaDB may prefer to read a whole covering index and sort it). With ``price_range`` the price indexes are
    offered too. Empty for an order without an index (relevance).
    """
    first = ordering[0].lstrip("-") if ordering else ""
    if ("", first) not in FILTER_INDEXES:
        return ()
    # A price range may be narrower than any order: the price index (of the filter) reads just that range.
    firsts = [first, "price"] if price_range else [first]
    found = [FILTER_INDEXES[name, field] for name in filters for field in firsts if (name, field) in FILTER_INDEXES]
    return tuple(dict.fromkeys(found or [FILTER_INDEXES["", field] for field in firsts]))


@dataclass(frozen=True)
class CatalogResult:
    queryset: QuerySet
    ordering: tuple[str, ...]
    sort: str  # the order actually applied
    isbn: str = ""
    no_usable_words: bool = False
    best_books: RankedBooks | None = None  # a ranked search: see catalog.search.ranked
    indexes: tuple[str, ...] = ()  # the listing indexes for its pages (filter_indexes), for fetch_page
    count_indexes: tuple[str, ...] = ()  # the same for counting its rows (count_results): any order will do
    # The same listings with the book filters on the books, for grouping them by book (catalog.search.books):
    # MariaDB then starts from the matching books and reads their listings in book order from listing_book_stock_idx.
    by_book: QuerySet | None = None
    # The combination of book filters of a query over the whole catalog that is not a search: for reading a narrow
    # one book first (catalog.search.shelves).
    shelf: Shelf | None = None
    # The matching listings without the book filters, for reading them after the shelf's books: the filters then
    # hold already, and the listings' columns the page reads are all in listing_book_stock_idx.
    unshelved: QuerySet | None = None
    # With a price range, newest first: the price indexes of the filters, to read the range from when few copies
    # match (catalog.search.shelves.reads_price_range).
    range_indexes: tuple[str, ...] = ()
    # The filters on the copies, as the estimates of catalog.search.shelves weigh them.
    conditions: int = 0
    price_min: Decimal | None = None
    price_max: Decimal | None = None


def find_listings(query: CatalogQuery, base: QuerySet | None = None, ranking: Kept | None = None) -> CatalogResult:
    """Visible listings matching the query, with the ordering to page through them.

    base narrows the visible listings further (a shop page passes its seller's); it is
    always intersected with Listing.objects.visible(). Sorting by relevance without
    a ranked text search falls back to newest first. ``ranking``: where the page keeps a search's ranking.
    """
    queryset = visible_listings(base)
    book_filters = {}
    if query.category_id is not None:
        book_filters["category_id"] = query.category_id
    if query.language:
        book_filters["language"] = query.language
    if query.binding:
        book_filters["binding"] = query.binding
    if query.conditions:
        queryset = queryset.filter(condition__in=query.conditions)
    if query.price_min is not None:
        queryset = queryset.filter(price__gte=query.price_min)
    if query.price_max is not None:
        queryset = queryset.filter(price__lte=query.price_max)

    search = None
    if query.q:
        # The whole catalog is searched book first (SEARCH_BOOKS); a shop's few listings are searched directly.
        books = Book.objects.filter(**book_filters) if base is None else None
        search = apply_text_search(queryset, query.q, books=books, ranking=ranking)
        queryset = search.queryset
    unshelved = by_book = queryset
    if book_filters and not (search and search.best_books is not None):
        # The listing's own copies of its book's columns (Listing.book_language ...): one index, no join.
        by_book = queryset.filter(**{f"book__{name}": value for name, value in book_filters.items()})
        queryset = queryset.filter(**{f"book_{name}": value for name, value in book_filters.items()})

    sort = query.sort or (SORT_RELEVANCE if query.q else SORT_NEWEST)
    if sort == SORT_RELEVANCE and not (search and search.ranked):
        sort = SORT_NEWEST
    prices = query.price_min is not None or query.price_max is not None
    # The hints are for the whole catalog; a shop's own listings are found by the seller's indexes, and an ISBN's
    # copies by the book's.
    hinted = base is None and not (search and search.isbn)
    equalities = [*book_filters, *(["condition"] if len(query.conditions) == 1 else [])] if hinted else None
    shelf = Shelf(**book_filters) if hinted and book_filters and search is None else None
    return CatalogResult(
        queryset=queryset,
        ordering=ORDERINGS[sort],
        sort=sort,
        isbn=search.isbn if search else "",
        no_usable_words=bool(search and search.no_usable_words),
        best_books=search.best_books if search else None,
        by_book=by_book,
        shelf=shelf,
        unshelved=unshelved,
        range_indexes=filter_indexes(equalities, ORDERINGS[SORT_PRICE_ASC])
        if equalities is not None and prices and sort == SORT_NEWEST
        else (),
        conditions=len(query.conditions),
        price_min=query.price_min,
        price_max=query.price_max,
        indexes=() if equalities is None else filter_indexes(equalities, ORDERINGS[sort], price_range=prices),
        # Several conditions are ranges of the condition index too: in no order, they count from there.
        count_indexes=()
        if equalities is None
        else filter_indexes(
            [*book_filters, *(["condition"] if query.conditions else [])], ORDERINGS[SORT_NEWEST], price_range=prices
        ),
    )
