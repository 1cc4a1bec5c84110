"""One page of results in two queries: ids in the sort order's index, then the listings a card shows.

Deep pages start from cached markers (catalog.cache.markers) instead of a long OFFSET; a search over the whole
catalog joins the listings to its SEARCH_BOOKS best books (catalog.search.ranked).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connections
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from catalog.cache import fragments_enabled, page_markers, remember_page_marker
from catalog.models import Listing
from catalog.search.queries import ORDERINGS, SORT_NEWEST, SORT_PRICE_ASC, SORT_PRICE_DESC, visible_listings
from catalog.search.ranked import RankedBooks


class PageNumbers:
    """The neighbours of page ``number`` for the pager, shared by the copy and the books views."""

    number: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1


@dataclass(frozen=True)
class ListingPage(PageNumbers):
    """One page of listings; whether more follow is known without counting them all."""

    number: int
    listings: list[Listing]
    has_next: bool
    book_limit: int | None = None  # set (to SEARCH_BOOKS) when a search matched more books than it shows
    total: int | None = None  # how many results, when the page's own query counted them (a ranked search)

    @property
    def past_end(self) -> bool:
        """A page after the last one (page 1 may legitimately be empty)."""
        return self.number > 1 and not self.listings

    def __iter__(self):
        return iter(self.listings)

    def __len__(self) -> int:
        return len(self.listings)


CARD_RELATIONS = ("book", "book__category", "seller", "seller__shop")
# What a listing card shows (catalog.card_html.listing_card, and its key in catalog.cache.cards): the listings of a
# catalog page load only these. With every column of the listing, its book, category, seller and shop, building the
# 120 objects of a page took 4.8 ms of CPU at 100,000 listings, 2.9 ms with these alone; MariaDB took 0.6 ms.
CARD_FIELDS = (
    "book_id",
    "seller_id",
    "condition",
    "price",
    "quantity",
    "cover",
    "cover_widths",
    "book__title",
    "book__authors",
    "book__language",
    "seller__shop__name",
    "seller__shop__city",
    "seller__shop__country",
)

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
# The marker of a segment the results end before: a page there is past the end (a 404) without a query, until the
# marker expires, as a real marker would.
PAST_END = ()
# The orders that follow an index and end with the primary key (relevance is computed, so it has no seek).
KEYSET_ORDERINGS = frozenset({ORDERINGS[SORT_NEWEST], ORDERINGS[SORT_PRICE_ASC], ORDERINGS[SORT_PRICE_DESC]})


def rows_after(ordering: tuple[str, ...], values: tuple) -> Q:
    """Rows strictly after the row whose sort key is values, in ordering (every field in the same direction)."""
    (first, second), (first_value, second_value) = ordering, values
    lookup = "lt" if first.startswith("-") else "gt"
    first, second = first.lstrip("-"), second.lstrip("-")
    return Q(**{f"{first}__{lookup}": first_value}) | Q(**{first: first_value, f"{second}__{lookup}": second_value})


def hinted_sql(queryset: QuerySet, indexes: tuple[str, ...], *, force: bool = False) -> tuple[str, tuple]:
    """The SQL of a queryset of listings (MySQL/MariaDB) that reads the listing table through ``indexes`` only.

    With ``force`` the hint is FORCE INDEX: when the query reads a column the index lacks (the stock), MariaDB
    10.11 would otherwise read the index from its status alone ("ref") and check a price range on every entry,
    rather than read just the range.
    """
    connection = connections[queryset.db]
    sql, params = queryset.query.sql_with_params()
    table = connection.ops.quote_name(Listing._meta.db_table)
    hint = ", ".join(connection.ops.quote_name(name) for name in indexes)
    verb = "FORCE" if force else "USE"
    return sql.replace(f"FROM {table}", f"FROM {table} {verb} INDEX ({hint})", 1), params


def shelf_sql(queryset: QuerySet, books: tuple[str, tuple]) -> tuple[str, tuple]:
    """The SQL of a queryset of listings (MySQL/MariaDB) that reads the books first, then their listings.

    ``books`` is the SQL and parameters of a query of one column, ``book_id`` (the books of a shelf, see
    catalog.search.shelves, or the ids met by a walk): a derived table joined (STRAIGHT_JOIN, in this order) to
    the listings in listing_book_stock_idx. As ``book_id IN (...)`` the plan would rest on the index statistics:
    without fresh ones MariaDB read every entry of the index from the status alone (20,000 entries for 200 books,
    in a test), or each entry and looked it up among the books.
    """
    connection = connections[queryset.db]
    books_sql, books_params = books
    sql, params = queryset.query.sql_with_params()
    table = connection.ops.quote_name(Listing._meta.db_table)
    start = sql.index(f"FROM {table}")
    before = sql[:start].count("%s")  # the parameters of the select list come before those of the derived table
    joined = (
        f"FROM ({books_sql}) AS met STRAIGHT_JOIN {table} FORCE INDEX (listing_book_stock_idx) "
        f"ON {table}.{connection.ops.quote_name('book_id')} = met.book_id"
    )
    sql = sql[:start] + sql[start:].replace(f"FROM {table}", joined, 1)
    return sql, (*params[:before], *books_params, *params[before:])


def shelf_rows(queryset: QuerySet, books: QuerySet, fields: list[str], offset: int, limit: int) -> list:
    """As index_rows, for the listings of ``books`` (a queryset of one column, book_id) read book first
    (shelf_sql); elsewhere than on MySQL/MariaDB the ORM's own query of the same rows."""
    connection = connections[queryset.db]
    if connection.vendor != "mysql":
        return list(queryset.filter(book_id__in=books).values_list(*fields)[offset : offset + limit])
    sliced = queryset.values_list(*fields)[offset : offset + limit]
    sql, params = shelf_sql(sliced, books.query.sql_with_params())
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def index_rows(
    queryset: QuerySet, fields: list[str], offset: int, limit: int, indexes: tuple[str, ...] = (), *, force=False
) -> list:
    """The values of ``fields`` of rows offset to offset + limit of the ordered queryset (one query).

    ``indexes`` (CatalogResult.indexes) restricts MariaDB/MySQL to those listing indexes (USE INDEX, or FORCE INDEX
    with ``force``: see hinted_sql); elsewhere, or without them, the query is the ORM's own.
    """
    sliced = queryset.values_list(*fields)[offset : offset + limit]
    connection = connections[queryset.db]
    if not indexes or connection.vendor != "mysql":
        return list(sliced)
    sql, params = hinted_sql(sliced, indexes, force=force)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def _seek(
    queryset: QuerySet,
    ordering: tuple[str, ...],
    number: int,
    page_size: int,
    scope: str,
    indexes: tuple[str, ...] = (),
) -> tuple[QuerySet, int] | None:
    """The queryset narrowed to start at page number's marker, and the offset left; None past the last row."""
    segment = (number - 1) // MARKER_PAGES
    known = page_markers(scope, range(1, segment + 1))
    if PAST_END in known.values():
        return None  # an earlier visit found the results end before this segment: no query at all
    nearest = max(known, default=0)
    if nearest < segment:
        start = queryset if nearest == 0 else queryset.filter(rows_after(ordering, known[nearest]))
        skip = (segment - nearest) * MARKER_PAGES * page_size - 1
        fields = [field.lstrip("-") for field in ordering]
        rows = index_rows(start.order_by(*ordering), fields, skip, 1, indexes)
        if not rows:
            remember_page_marker(scope, segment, PAST_END)
            return None
        known[segment] = rows[0]
        remember_page_marker(scope, segment, rows[0])
    return queryset.filter(rows_after(ordering, known[segment])), (number - 1 - segment * MARKER_PAGES) * page_size


# The columns of _fetch_ranked_page's query that each field of ORDERINGS sorts by.
_RANKED_ORDER_COLUMNS = {
    "relevance": "best.relevance",
    "published_at": "listing.published_at",
    "price": "listing.price",
    "id": "listing.id",
}


def ranked_statement(sql: str, connection) -> str:
    """``sql`` (a search ranked book first) as MariaDB should run it: the visibility rule's subqueries materialized.

    MariaDB estimates a full-text match at one row, so it would check the two NOT IN subqueries of
    visible_listings() once per joined listing, thousands of times for a broad word; read once each into a set
    instead, the id query of "river" at 100,000 listings takes half the time (26 ms -> 13 ms, measured).
    """
    if connection.vendor == "mysql" and connection.mysql_is_mariadb:
        return f"SET STATEMENT optimizer_switch='in_to_exists=off' FOR {sql}"
    return sql


def ranked_ids_sql(
    queryset: QuerySet, ordering: tuple[str, ...], best_books: RankedBooks, offset: int, limit: int, *, total=False
) -> tuple[str, tuple]:
    """The SQL and parameters of the id query of a search ranked book first (see SEARCH_BOOKS).

    It joins the visible listings (queryset) to the SEARCH_BOOKS best books as a derived table with their
    relevance (RankedBooks.table_sql); MariaDB reads the books from that list, then their listings from
    listing_book_idx.
    With ``total`` each row also carries the number of rows of the whole result (a window count over the join the
    sort reads anyway), so the page needs no second, counting, pass over the search.
    """
    columns = [
        "id",
        "book_id",
        *(field.lstrip("-") for field in ordering if field.lstrip("-") not in ("id", "relevance")),
    ]
    rows_sql, rows_params = queryset.order_by().values(*columns).query.sql_with_params()
    best_sql, best_params = best_books.table_sql()
    order = ", ".join(
        f"{_RANKED_ORDER_COLUMNS[field.lstrip('-')]} {'DESC' if field.startswith('-') else 'ASC'}"
        for field in ordering
    )
    sql = (
        f"SELECT listing.id{', COUNT(*) OVER ()' if total else ''} "  # noqa: S608  # nosec B608 - ORM SQL
        f"FROM ({rows_sql}) AS listing INNER JOIN ({best_sql}) AS best "
        f"ON best.id = listing.book_id ORDER BY {order} LIMIT %s OFFSET %s"
    )
    return sql, (*rows_params, *best_params, limit, offset)


def _fetch_ranked_page(
    queryset: QuerySet, ordering: tuple[str, ...], best_books: RankedBooks, number: int, page_size: int
) -> ListingPage:
    """A page of a search ranked book first in two queries (ids, then rows), and the ranking's when the page did
    not read it with the cache."""
    sql, params = ranked_ids_sql(queryset, ordering, best_books, (number - 1) * page_size, page_size + 1, total=True)
    connection = connections[queryset.db]
    with connection.cursor() as cursor:
        cursor.execute(ranked_statement(sql, connection), params)
        rows = cursor.fetchall()
    ids = [row[0] for row in rows]
    has_next = len(ids) > page_size
    ids = ids[:page_size]
    book_limit = best_books.limit if not has_next and ids else None
    total = rows[0][1] if rows else None
    return ListingPage(
        number=number, listings=_cards_in_order(ids), has_next=has_next, book_limit=book_limit, total=total
    )


def fetch_page(
    queryset: QuerySet,
    ordering: tuple[str, ...],
    number: int,
    page_size: int,
    *,
    scope: object = None,
    best_books: RankedBooks | None = None,
    indexes: tuple[str, ...] = (),
    shelf_books: QuerySet | None = None,
    force_indexes: bool = False,
) -> ListingPage:
    """Page `number` (from 1) of the ordered queryset in at most two queries (three for a deep page's first visit).

    The first selects only ids (the index does the ordering; OFFSET skips ids, not
    whole rows), one more than a page to learn whether a next page exists. The second
    loads those listings with everything a listing card shows. `scope` names the
    query (e.g. its CatalogQuery); with it, pages past MARKER_PAGES start from a cached marker.
    With `best_books` (CatalogResult.best_books) the page is one of a search ranked book first; `indexes`
    (CatalogResult.indexes) are the listing indexes to read the ids from (see catalog.search.queries.filter_indexes).
    With `shelf_books` (catalog.search.shelves.shelf_books) the ids are read book first, from the books of a narrow
    shelf: a bounded read, so no marker either. `force_indexes` makes the hint FORCE INDEX (a price range read
    from a price index although the order is another: catalog.search.shelves.reads_price_range).
    """
    if number < 1 or page_size < 1:
        raise ValueError("page number and page size must be positive")
    if best_books is not None:
        return _fetch_ranked_page(queryset, ordering, best_books, number, page_size)
    offset = (number - 1) * page_size
    if shelf_books is not None:
        rows = shelf_rows(queryset.order_by(*ordering), shelf_books, ["id"], offset, page_size + 1)
        ids = [row[0] for row in rows]
        return ListingPage(number=number, listings=_cards_in_order(ids[:page_size]), has_next=len(ids) > page_size)
    if scope is not None and number > MARKER_PAGES and ordering in KEYSET_ORDERINGS and fragments_enabled():
        seek = _seek(queryset, ordering, number, page_size, f"{scope!r}|{ordering}|{page_size}", indexes)
        if seek is None:
            return ListingPage(number=number, listings=[], has_next=False)
        queryset, offset = seek
    rows = index_rows(queryset.order_by(*ordering), ["id"], offset, page_size + 1, indexes, force=force_indexes)
    ids = [row[0] for row in rows]
    has_next = len(ids) > page_size
    ids = ids[:page_size]
    return ListingPage(number=number, listings=_cards_in_order(ids), has_next=has_next)


def card_listings() -> QuerySet:
    """Listings with what a card shows (CARD_FIELDS) and nothing else: a page's listings are only drawn as cards."""
    return Listing.objects.select_related("book", "seller__shop").only(*CARD_FIELDS)


def _cards_in_order(ids: list[int]) -> list[Listing]:
    """The listings with these ids, in this order, with everything a card shows (one query).

    A listing deleted since its id was read is simply left out.
    """
    by_id = card_listings().order_by().in_bulk(ids) if ids else {}
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
    return list(card_listings().filter(pk__in=newest).order_by(*ordering))


@dataclass(frozen=True)
class OtherCopy:
    """Another seller's copy of the book on a listing's page: only what its row shows."""

    pk: int
    condition: str
    price: Decimal
    shop_name: str
    shop_city: str
    shop_country: str  # the ISO code


def other_copies(listing: Listing, limit: int = 10) -> list[OtherCopy]:
    """Other sellers' visible listings of the same book, cheapest first (one query, of the columns a row shows).

    Plain values rather than listings with their seller and shop: a listing page nobody asked for before spent more
    time building those three models per copy (45 columns each row) than MariaDB spent finding the copies.
    """
    rows = (
        visible_listings()
        .filter(book_id=listing.book_id)
        .exclude(seller_id=listing.seller_id)
        .order_by("price", "id")
        .values_list("pk", "condition", "price", "seller__shop__name", "seller__shop__city", "seller__shop__country")[
            :limit
        ]
    )
    return [
        OtherCopy(pk, condition, price, name or "", city or "", str(country or ""))
        for pk, condition, price, name, city, country in rows
    ]
