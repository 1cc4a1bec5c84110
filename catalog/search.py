"""The read side of the public catalog: text search, filters, sort orders and cheap pages.

Everything here starts from ``visible_listings()`` (the rule of ``Listing.objects.visible()``),
so a buyer never sees a draft, paused, hidden or archived listing, nor one of a deactivated seller.

Search uses the FULLTEXT index ``catalog_book_fulltext`` on MySQL/MariaDB (migration
0002) and a LIKE fallback elsewhere; both ignore case and accents ("marquez" finds
"García Márquez": MariaDB by its collation, SQLite through catalog.folding). Pages are
fetched in two queries: the ids of one page (ordered with a unique tie-breaker, one row
more than a page to know whether a next page exists), then those listings with their
book, category, seller and shop. No query counts the whole result: the count shown
("1-24 of 3,412") stops at COUNT_LIMIT.
"""

import contextlib
import functools
import logging
import operator
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import NotSupportedError, connections
from django.db.models import Case, FloatField, Func, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils.translation import get_language

from accounts.models import User
from catalog.cache import fragments_enabled, page_markers, remember_page_marker
from catalog.isbn import try_normalize_isbn
from catalog.models import Book, Category, Listing

logger = logging.getLogger(__name__)

# --- Categories ---------------------------------------------------------------

# One list per language: a shelf's name is translated (catalog/translation.py), and a Spanish visitor must never
# get the English list a visitor before them cached, nor the other way round.
CATEGORY_CACHE_KEY = "catalog:categories:v2:{language}"
# Staff rarely edit shelves; a few minutes of staleness spares every page a query.
CATEGORY_CACHE_SECONDS = 300


@dataclass(frozen=True)
class CategoryEntry:
    id: int
    slug: str
    name: str


def _category_cache_key(language: str | None) -> str:
    return CATEGORY_CACHE_KEY.format(language=language or settings.LANGUAGE_CODE)


def cached_categories() -> list[CategoryEntry]:
    """All categories in shelf order, named in the active language, from the shared cache (one query when cold)."""
    key = _category_cache_key(get_language())
    try:
        entries = cache.get(key)
    except Exception:  # the catalog keeps working while the cache server is down
        logger.exception("The cache is unavailable; reading the categories from the database.")
        entries = None
    if entries is None:
        # Category's manager reads "name" in the active language, falling back to English (modeltranslation).
        entries = [
            CategoryEntry(id=pk, slug=slug, name=name)
            for pk, slug, name in Category.objects.order_by("position", "name").values_list("id", "slug", "name")
        ]
        with contextlib.suppress(Exception):
            cache.set(key, entries, CATEGORY_CACHE_SECONDS)
    return entries


def forget_cached_categories() -> None:
    """Drop the cached category lists of every language, e.g. after staff edit categories."""
    cache.delete_many([_category_cache_key(code) for code, _name in settings.LANGUAGES])


# --- Text search ----------------------------------------------------------------

# Letters and digits only: this drops MySQL's boolean operators (+ - < > ( ) ~ * " @)
# and quotes, so nothing the user types can change the meaning of the MATCH query.
WORD_RE = re.compile(r"[^\W_]+")
MAX_WORDS = 10
# InnoDB's full-text index skips words shorter than innodb_ft_min_token_size or longer
# than innodb_ft_max_token_size, and its default stopwords. Requiring such a word with
# "+" in BOOLEAN MODE makes MATCH find nothing ("+the* +rose*" misses "The Name of the
# Rose"), so those words are checked with LIKE on the rows the index found instead.
FT_MIN_TOKEN = 3
FT_MAX_TOKEN = 84
# fmt: off
INNODB_STOPWORDS = frozenset({
    "a", "about", "an", "are", "as", "at", "be", "by", "com", "de", "en", "for", "from", "how", "i", "in", "is",
    "it", "la", "of", "on", "or", "that", "the", "this", "to", "was", "what", "when", "where", "who", "will",
    "with", "und", "www",
})
# fmt: on
# The book's columns in the FULLTEXT index (migration 0002), in its order.
BOOK_SEARCH_FIELDS = ("title", "authors", "description")


def search_words(q: str) -> list[str]:
    """The distinct words of a query, lower-cased, operators and quotes removed, at most MAX_WORDS."""
    words: list[str] = []
    # Composed first: typed as "a" plus a combining accent, "Márquez" would otherwise split at the accent.
    for word in WORD_RE.findall(unicodedata.normalize("NFC", q).lower()):
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def is_indexable(word: str) -> bool:
    """Whether InnoDB's full-text index holds this word (length and default stopwords)."""
    return FT_MIN_TOKEN <= len(word) <= FT_MAX_TOKEN and word not in INNODB_STOPWORDS


def boolean_mode_query(words: list[str]) -> str:
    """A BOOLEAN MODE search string requiring every word; words of 3+ characters match as prefixes."""
    return " ".join(f"+{word}*" if len(word) >= FT_MIN_TOKEN else f"+{word}" for word in words)


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
    best_books: QuerySet | None = None  # (book id, relevance) of the matching books, best first


# A broad word matches a large part of a big catalog ("river": 2,257 of 20,000 books and 11,000 listings at
# 100,000 listings). Joining every matching book to its listings and sorting them all by relevance took 35 ms at
# 100,000 listings and 2 s at 1,000,000. A catalog search therefore ranks books on the full-text index alone and
# keeps the SEARCH_BOOKS best, in a derived table that the listings join through the listing_book_idx index
# (_fetch_ranked_page): the work is bounded by SEARCH_BOOKS, not by the catalog. A search shows the copies of its
# best thousand books, and its last page says so when more books matched (catalog/browse.html).
SEARCH_BOOKS = 1000


def apply_text_search(queryset: QuerySet, q: str, books: QuerySet | None = None) -> TextSearch:
    """Narrow listings to those whose book matches q.

    A valid ISBN-10/13 (with or without hyphens) matches the book's ISBN-13 exactly.
    Otherwise every word must appear in the title, authors or description (prefix
    match on MySQL). A query without letters or digits matches nothing and says so.

    With ``books`` (the books the other filters allow) the books are ranked instead (by the full-text index where
    there is one) and the result carries them, best first, for fetch_page to join the SEARCH_BOOKS best to
    ``queryset``. Without it (a shop's own listings) the listings themselves are narrowed and ranked.
    """
    isbn = try_normalize_isbn(q)
    if isbn:
        return TextSearch(queryset.filter(book__isbn13=isbn), ranked=False, isbn=isbn)

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
        return TextSearch(queryset, ranked=True, best_books=best)

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
    return queryset.filter(status=Listing.Status.ACTIVE).exclude(seller__in=User.objects.filter(is_active=False))


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


@dataclass(frozen=True)
class CatalogResult:
    queryset: QuerySet
    ordering: tuple[str, ...]
    sort: str  # the order actually applied
    isbn: str = ""
    no_usable_words: bool = False
    best_books: QuerySet | None = None  # a ranked search: see SEARCH_BOOKS


def find_listings(query: CatalogQuery, base: QuerySet | None = None) -> CatalogResult:
    """Visible listings matching the query, with the ordering to page through them.

    base narrows the visible listings further (a shop page passes its seller's); it is
    always intersected with Listing.objects.visible(). Sorting by relevance without
    a ranked text search falls back to newest first.
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
        search = apply_text_search(queryset, query.q, books=books)
        queryset = search.queryset
    if book_filters and not (search and search.best_books is not None):
        queryset = queryset.filter(**{f"book__{name}": value for name, value in book_filters.items()})

    sort = query.sort or (SORT_RELEVANCE if query.q else SORT_NEWEST)
    if sort == SORT_RELEVANCE and not (search and search.ranked):
        sort = SORT_NEWEST
    return CatalogResult(
        queryset=queryset,
        ordering=ORDERINGS[sort],
        sort=sort,
        isbn=search.isbn if search else "",
        no_usable_words=bool(search and search.no_usable_words),
        best_books=search.best_books if search else None,
    )


# --- Pages ----------------------------------------------------------------------


@dataclass(frozen=True)
class ListingPage:
    """One page of listings; whether more follow is known without counting them all."""

    number: int
    listings: list[Listing]
    has_next: bool
    book_limit: int | None = None  # set (to SEARCH_BOOKS) when a search matched more books than it shows

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def past_end(self) -> bool:
        """A page after the last one (page 1 may legitimately be empty)."""
        return self.number > 1 and not self.listings

    def __iter__(self):
        return iter(self.listings)

    def __len__(self) -> int:
        return len(self.listings)


CARD_RELATIONS = ("book", "book__category", "seller", "seller__shop")

# Deep pages. OFFSET makes the database step over every row before the page, so page 4,000 of 100,000 listings
# costs a hundred times page 1. Past the first MARKER_PAGES pages a page starts instead from a marker: the sort key
# of the last row before every MARKER_PAGES-th page, found once with one OFFSET query (from the nearest marker
# already known) and then kept in the cache for catalog.cache.markers.MARKER_SECONDS. From a marker the database seeks
# in the sort order's index and steps over fewer than MARKER_PAGES pages of rows.
#
# Markers are sort keys, never what is shown: every listing on a page is read now and is visible now. A change
# since a marker was found (a listing published or taken off sale ahead of it) moves the page by that many rows
# until the marker expires, as the same change moves every page of plain OFFSET paging between two clicks.
MARKER_PAGES = 50
# The orders that follow an index and end with the primary key (relevance is computed, so it has no seek).
KEYSET_ORDERINGS = frozenset({ORDERINGS[SORT_NEWEST], ORDERINGS[SORT_PRICE_ASC], ORDERINGS[SORT_PRICE_DESC]})


def _after(ordering: tuple[str, ...], values: tuple) -> Q:
    """Rows strictly after the row whose sort key is values, in ordering (every field in the same direction)."""
    (first, second), (first_value, second_value) = ordering, values
    lookup = "lt" if first.startswith("-") else "gt"
    first, second = first.lstrip("-"), second.lstrip("-")
    return Q(**{f"{first}__{lookup}": first_value}) | Q(**{first: first_value, f"{second}__{lookup}": second_value})


def _seek(
    queryset: QuerySet, ordering: tuple[str, ...], number: int, page_size: int, scope: str
) -> tuple[QuerySet, int] | None:
    """The queryset narrowed to start at page number's marker, and the offset left; None past the last row."""
    segment = (number - 1) // MARKER_PAGES
    known = page_markers(scope, range(1, segment + 1))
    nearest = max(known, default=0)
    if nearest < segment:
        start = queryset if nearest == 0 else queryset.filter(_after(ordering, known[nearest]))
        skip = (segment - nearest) * MARKER_PAGES * page_size - 1
        fields = [field.lstrip("-") for field in ordering]
        rows = list(start.order_by(*ordering).values_list(*fields)[skip : skip + 1])
        if not rows:
            return None
        known[segment] = rows[0]
        remember_page_marker(scope, segment, rows[0])
    return queryset.filter(_after(ordering, known[segment])), (number - 1 - segment * MARKER_PAGES) * page_size


# The columns of _fetch_ranked_page's query that each field of ORDERINGS sorts by.
_RANKED_ORDER_COLUMNS = {
    "relevance": "best.relevance",
    "published_at": "listing.published_at",
    "price": "listing.price",
    "id": "listing.id",
}


def ranked_ids_sql(
    queryset: QuerySet, ordering: tuple[str, ...], best_books: QuerySet, offset: int, limit: int
) -> tuple[str, tuple]:
    """The SQL and parameters of the id query of a search ranked book first (see SEARCH_BOOKS).

    It joins the visible listings (queryset) to the SEARCH_BOOKS best books as a derived table with their
    relevance; MariaDB reads the books from the full-text index, then their listings from listing_book_idx.
    """
    columns = [
        "id",
        "book_id",
        *(field.lstrip("-") for field in ordering if field.lstrip("-") not in ("id", "relevance")),
    ]
    rows_sql, rows_params = queryset.order_by().values(*columns).query.sql_with_params()
    best_sql, best_params = best_books[:SEARCH_BOOKS].query.sql_with_params()
    order = ", ".join(
        f"{_RANKED_ORDER_COLUMNS[field.lstrip('-')]} {'DESC' if field.startswith('-') else 'ASC'}"
        for field in ordering
    )
    sql = (
        f"SELECT listing.id FROM ({rows_sql}) AS listing INNER JOIN ({best_sql}) AS best "  # noqa: S608  # nosec B608 - ORM SQL
        f"ON best.id = listing.book_id ORDER BY {order} LIMIT %s OFFSET %s"
    )
    return sql, (*rows_params, *best_params, limit, offset)


def _fetch_ranked_page(
    queryset: QuerySet, ordering: tuple[str, ...], best_books: QuerySet, number: int, page_size: int
) -> ListingPage:
    """A page of a search ranked book first in two queries (ids, then rows), three on its last page."""
    sql, params = ranked_ids_sql(queryset, ordering, best_books, (number - 1) * page_size, page_size + 1)
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    has_next = len(ids) > page_size
    ids = ids[:page_size]
    capped = not has_next and bool(ids) and best_books[SEARCH_BOOKS : SEARCH_BOOKS + 1].exists()
    book_limit = SEARCH_BOOKS if capped else None
    return ListingPage(number=number, listings=_cards_in_order(ids), has_next=has_next, book_limit=book_limit)


def fetch_page(
    queryset: QuerySet,
    ordering: tuple[str, ...],
    number: int,
    page_size: int,
    *,
    scope: object = None,
    best_books: QuerySet | None = None,
) -> ListingPage:
    """Page `number` (from 1) of the ordered queryset in at most two queries (three for a deep page's first visit).

    The first selects only ids (the index does the ordering; OFFSET skips ids, not
    whole rows), one more than a page to learn whether a next page exists. The second
    loads those listings with everything a listing card shows. `scope` names the
    query (e.g. its CatalogQuery); with it, pages past MARKER_PAGES start from a cached marker.
    With `best_books` (CatalogResult.best_books) the page is one of a search ranked book first.
    """
    if number < 1 or page_size < 1:
        raise ValueError("page number and page size must be positive")
    if best_books is not None:
        return _fetch_ranked_page(queryset, ordering, best_books, number, page_size)
    offset = (number - 1) * page_size
    if scope is not None and number > MARKER_PAGES and ordering in KEYSET_ORDERINGS and fragments_enabled():
        seek = _seek(queryset, ordering, number, page_size, f"{scope!r}|{ordering}|{page_size}")
        if seek is None:
            return ListingPage(number=number, listings=[], has_next=False)
        queryset, offset = seek
    ids = list(queryset.order_by(*ordering).values_list("id", flat=True)[offset : offset + page_size + 1])
    has_next = len(ids) > page_size
    ids = ids[:page_size]
    return ListingPage(number=number, listings=_cards_in_order(ids), has_next=has_next)


# --- Result counts -----------------------------------------------------------------

# Counting every match of a broad search over a million listings costs more than the page itself. A count reads
# at most this many ids and then says "more than 10,000"; the last page needs no count query at all.
COUNT_LIMIT = 10_000


@dataclass(frozen=True)
class ResultCount:
    """What "1-24 of 3,412" shows: the page's first and last positions and the total (a lower bound if capped)."""

    first: int
    last: int
    total: int
    capped: bool = False


def count_results(result: CatalogResult, page: ListingPage, page_size: int) -> ResultCount | None:
    """The positions of ``page`` in ``result`` and how many results there are, in at most one bounded query.

    None for an empty page. On the last page the total is known without a query; otherwise one query counts
    at most COUNT_LIMIT + 1 ids (``capped`` then says the total is COUNT_LIMIT and more).
    """
    if not page.listings:
        return None
    first = (page.number - 1) * page_size + 1
    last = first + len(page.listings) - 1
    if not page.has_next:
        return ResultCount(first=first, last=last, total=last)
    if result.best_books is not None:
        sql, params = ranked_ids_sql(result.queryset, result.ordering, result.best_books, 0, COUNT_LIMIT + 1)
        with connections[result.queryset.db].cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS counted", params)  # noqa: S608  # nosec B608 - ORM SQL
            found = cursor.fetchone()[0]
    else:
        found = result.queryset.order_by().values("id")[: COUNT_LIMIT + 1].count()
    # Listings may have changed between the page and the count: the total is never less than what is shown.
    found = max(found, last + 1)
    if found > COUNT_LIMIT:
        return ResultCount(first=first, last=last, total=COUNT_LIMIT, capped=True)
    return ResultCount(first=first, last=last, total=found)


def _cards_in_order(ids: list[int]) -> list[Listing]:
    """The listings with these ids, in this order, with everything a card shows (one query).

    A listing deleted since its id was read is simply left out.
    """
    by_id = Listing.objects.select_related(*CARD_RELATIONS).order_by().in_bulk(ids) if ids else {}
    return [by_id[pk] for pk in ids if pk in by_id]


def newest_listings(limit: int) -> list[Listing]:
    """The most recently published visible listings, ready for listing cards (one query).

    The newest ids come from the listing table alone (its index, no join), in a derived table; only those rows
    are then joined for their cards. Joining first lets MySQL start from the categories and sort every listing:
    two minutes for the home page at 1,000,000 listings, measured.
    """
    ordering = ORDERINGS[SORT_NEWEST]
    newest_sql, params = visible_listings().order_by(*ordering).values("id")[:limit].query.sql_with_params()
    newest = RawSQL(f"SELECT id FROM ({newest_sql}) AS newest", params)  # noqa: S608, S611 - SQL from the ORM  # nosec B608 B611
    return list(Listing.objects.filter(pk__in=newest).select_related(*CARD_RELATIONS).order_by(*ordering))


def other_copies(listing: Listing, limit: int = 10) -> list[Listing]:
    """Other sellers' visible listings of the same book, cheapest first (one query)."""
    return list(
        visible_listings()
        .filter(book_id=listing.book_id)
        .exclude(seller_id=listing.seller_id)
        .select_related("seller", "seller__shop")
        .order_by("price", "id")[:limit]
    )
