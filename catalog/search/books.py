"""The catalog as books: each book once, with how many of its copies match, the lowest price and the conditions.

Without a filter on the copies themselves (condition, price range) a page of books is read from each book's figures
(catalog.models.BookStats, kept in step with the listings by catalog.book_stats): one query for the page in the
order of one of that table's indexes (after the category, language or binding filter when there is one), then the
books; a search joins the figures to its SEARCH_BOOKS best books (catalog.search.ranked). At 100,000 listings the
page's SQL went from about 135 ms (grouping every visible listing, then counting the groups) to a few ms.

With a condition or a price range the figures cannot say which copies match, so the page comes from the same
filtered listings as the copy view (catalog.search.queries): a book appears when one of its copies in stock matches,
and its figures are those of its matching copies. Sorted newest or cheapest first, the page's books are found by
walking the matching copies in the sort order's listing index (_walked_ids), keeping each book at its first copy,
which is its newest or its cheapest: the order of the groups. The walk reads a few hundred index entries per query
and stops once it has the page's books; the figures are then grouped for the page's books alone, through
listing_book_stock_idx (from a derived table of their ids, so that the plan does not rest on the index statistics).
At 100,000 listings, "very good" by price, page 4 reads 213 entries of listing_cond_price_idx (2,644 rows with the
visibility rule's subqueries) where grouping every matching copy read 118,000.

Sorted by price descending a book's place is its lowest price, which a walk from the dearest copies meets last
(_walked_desc_ids): the books met in a chunk from the dearest are grouped at once, and a book whose lowest price is
above the chunk's last price is final (a book not met yet has nothing dearer); when too few are, a second round
groups at once the books with a copy in the price range below, down to a floor estimated from the rate at which
books became final. At 100,000 listings, "very good" dearest first reads 6,700 rows for page 1 (two queries) and
48,000 for page 20 (three) where grouping every matching copy read 118,000. A search, a page past the 1,201st book
and a walk that would read more than 3,000 listings by estimate group every matching copy in one GROUP BY book.

A page from the figures or grouped is two queries (the rows, then the books), a walked page one to three more (a
walk that gives up, one more than that walk read); a count at most one more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_FLOOR, Decimal

from django.conf import settings
from django.db import connections
from django.db.models import Case, Count, F, IntegerField, Max, Min, Q, QuerySet, Value, When
from django.utils import timezone

from catalog.cache.kept import Kept
from catalog.cache.totals import total_of
from catalog.models import Book, BookStats, Listing
from catalog.search import counts, pages, shelves
from catalog.search.counts import ResultCount
from catalog.search.queries import (
    FILTER_INDEXES,
    ORDERINGS,
    SORT_NEWEST,
    SORT_PRICE_ASC,
    SORT_PRICE_DESC,
    SORT_RELEVANCE,
    CatalogQuery,
    CatalogResult,
    visible_listings,
)

# Best first: the rank of a condition is its place in this list.
CONDITION_ORDER = tuple(Listing.Condition.values)


def condition_rank():
    """An expression: 0 for As New ... 5 for Poor, as Listing.condition_rank. Grouped copies rank their condition
    with it, as the listing indexes they are read from hold the condition, not its rank."""
    return Case(
        *(When(Q(condition=value), then=Value(rank)) for rank, value in enumerate(CONDITION_ORDER)),
        output_field=IntegerField(),
    )


def _rank_sql(column: str) -> str:
    cases = " ".join(f"WHEN '{value}' THEN {rank}" for rank, value in enumerate(CONDITION_ORDER))
    return f"CASE {column} {cases} END"


# What a book card shows (catalog.card_html.book_card, and its key in catalog.cache.cards): the books of a page load
# only these, from the books or from their figures. Every column of the book (its description too), its category
# and its figures made a page of 24 books cost some 3 ms more CPU than these.
BOOK_CARD_FIELDS = ("title", "authors", "language", "stats__cover", "stats__cover_widths")
FIGURE_CARD_FIELDS = (
    "copies",
    "lowest_price",
    "best_rank",
    "worst_rank",
    "cover",
    "cover_widths",
    "book__title",
    "book__authors",
    "book__language",
)


def _card_books() -> QuerySet:
    """Books with what their card shows (BOOK_CARD_FIELDS), their figures joined for the cover."""
    return Book.objects.select_related("stats").only(*BOOK_CARD_FIELDS)


@dataclass
class BookSummary:
    """One book of a page of books, with what its matching copies have in common."""

    book: Book
    copies: int
    lowest_price: Decimal
    best_rank: int
    worst_rank: int
    stats: BookStats | None = None  # the book's figures, for its cover

    @classmethod
    def of_figures(cls, stats: BookStats) -> BookSummary:
        """A book from its figures (its book loaded with them)."""
        return cls(stats.book, stats.copies, stats.lowest_price, stats.best_rank, stats.worst_rank, stats)

    @classmethod
    def of_group(cls, row: dict, book: Book) -> BookSummary:
        """A book from a row of its matching copies grouped (:func:`_grouped`: copies, lowest, best, worst)."""
        stats = getattr(book, "stats", None) if Book.stats.is_cached(book) else None
        return cls(book, row["copies"], Decimal(row["lowest"]), int(row["best"]), int(row["worst"]), stats)

    @property
    def cover(self):
        return self.stats.cover if self.stats is not None else None

    @property
    def cover_widths(self) -> list[int]:
        return self.stats.cover_widths if self.stats is not None else []

    @property
    def best_condition(self) -> str:
        return Listing.Condition(CONDITION_ORDER[self.best_rank]).label

    @property
    def worst_condition(self) -> str:
        return Listing.Condition(CONDITION_ORDER[self.worst_rank]).label

    @property
    def one_condition(self) -> bool:
        return self.best_rank == self.worst_rank


@dataclass
class BookPage(pages.PageNumbers):
    """One page of books; whether more follow is known without counting them all (as ListingPage)."""

    number: int
    books: list[BookSummary] = field(default_factory=list)
    has_next: bool = False
    book_limit: int | None = None
    total: int | None = None  # how many books, when the page's own query counted them (a ranked search)

    @property
    def past_end(self) -> bool:
        return self.number > 1 and not self.books

    @property
    def listings(self) -> list[BookSummary]:
        """What the page holds (the templates and count_results ask a page for its listings)."""
        return self.books

    def __len__(self) -> int:
        return len(self.books)


# Order of the groups for each sort order of the catalog; the book id breaks ties so pages never overlap.
_GROUP_ORDERINGS = {
    SORT_NEWEST: ("-newest", "-book_id"),
    SORT_PRICE_ASC: ("lowest", "book_id"),
    SORT_PRICE_DESC: ("-lowest", "-book_id"),
    SORT_RELEVANCE: ("-newest", "-book_id"),  # a ranked search orders by relevance in _ranked_rows
}
_RANKED_SQL_ORDER = {
    SORT_RELEVANCE: "best.relevance DESC, newest DESC, listing.book_id DESC",
    SORT_NEWEST: "newest DESC, listing.book_id DESC",
    SORT_PRICE_ASC: "lowest ASC, listing.book_id ASC",
    SORT_PRICE_DESC: "lowest DESC, listing.book_id DESC",
}


def _grouped(queryset: QuerySet) -> QuerySet:
    return (
        queryset.order_by()
        .values("book_id")
        .annotate(
            copies=Count("id"),
            lowest=Min("price"),
            newest=Max("published_at"),
            best=Min(condition_rank()),
            worst=Max(condition_rank()),
        )
    )


def _on_sale(result: CatalogResult) -> QuerySet:
    """The matching listings that are copies for sale (in stock), as the books' figures count them."""
    listings = result.by_book if result.by_book is not None else result.queryset
    return listings.filter(quantity__gt=0)


def _in_stock(result: CatalogResult) -> QuerySet:
    """As _on_sale, filtered on the listing's own copies of its book's columns (result.queryset), never joined to
    the books: what the walks and the count read from the listing indexes."""
    return result.queryset.filter(quantity__gt=0)


def ranked_groups_sql(
    result: CatalogResult, order: str, offset: int, limit: int | None, *, total: bool = False
) -> tuple[str, tuple]:
    """The grouped rows of a search ranked book first: the listings joined to the SEARCH_BOOKS best books. With
    ``total`` each row also carries the number of books of the whole result (a window count over the groups)."""
    columns = ("id", "book_id", "price", "published_at", "condition")
    rows_sql, rows_params = _on_sale(result).order_by().values(*columns).query.sql_with_params()
    best_sql, best_params = result.best_books.table_sql()
    rank = _rank_sql("listing.condition")
    sql = (
        f"SELECT listing.book_id, COUNT(*) AS copies, MIN(listing.price) AS lowest, "  # noqa: S608  # nosec B608 - ORM SQL
        f"MAX(listing.published_at) AS newest, MIN({rank}) AS best, MAX({rank}) AS worst"
        f"{', COUNT(*) OVER ()' if total else ''} "
        f"FROM ({rows_sql}) AS listing INNER JOIN ({best_sql}) AS best ON best.id = listing.book_id "
        f"GROUP BY listing.book_id, best.relevance ORDER BY {order}"
    )
    params = (*rows_params, *best_params)
    if limit is not None:
        sql += " LIMIT %s OFFSET %s"
        params = (*params, limit, offset)
    return sql, params


def reads_figures(query: CatalogQuery | None) -> bool:
    """Whether the books' figures (BookStats) answer ``query``: it filters no copy by condition or price."""
    return query is not None and not query.conditions and query.price_min is None and query.price_max is None


# Order of the figures for each sort order, following the indexes of BookStats.
_FIGURE_ORDERINGS = {
    SORT_NEWEST: ("-newest", "-book_id"),
    SORT_PRICE_ASC: ("lowest_price", "book_id"),
    SORT_PRICE_DESC: ("-lowest_price", "-book_id"),
    SORT_RELEVANCE: ("-newest", "-book_id"),  # a ranked search orders by relevance in _ranked_figures_sql
}
_RANKED_FIGURES_ORDER = {
    SORT_RELEVANCE: "best.relevance DESC, stats.newest DESC, stats.book_id DESC",
    SORT_NEWEST: "stats.newest DESC, stats.book_id DESC",
    SORT_PRICE_ASC: "stats.lowest_price ASC, stats.book_id ASC",
    SORT_PRICE_DESC: "stats.lowest_price DESC, stats.book_id DESC",
}


def _figures(query: CatalogQuery, result: CatalogResult) -> QuerySet:
    """The figures of the books that the query's filters on the book allow (a ranked search filters its books)."""
    figures = BookStats.objects.all()
    if result.best_books is None:
        if query.category_id is not None:
            figures = figures.filter(category_id=query.category_id)
        if query.language:
            figures = figures.filter(language=query.language)
        if query.binding:
            figures = figures.filter(binding=query.binding)
    if result.isbn:
        figures = figures.filter(book__isbn13=result.isbn)
    return figures


def _ranked_figures_sql(result: CatalogResult, select: str, tail: str = "") -> tuple[str, tuple]:
    """The figures joined to the SEARCH_BOOKS best books of a ranked search (a derived table with relevance)."""
    best_sql, best_params = result.best_books.table_sql()
    table = connections[result.queryset.db].ops.quote_name(BookStats._meta.db_table)
    sql = (
        f"SELECT {select} FROM {table} AS stats INNER JOIN ({best_sql}) AS best "  # noqa: S608  # nosec B608 - ORM SQL
        f"ON best.id = stats.book_id {tail}"
    )
    return sql, best_params


def _figure_page(
    query: CatalogQuery, result: CatalogResult, offset: int, limit: int
) -> tuple[list[BookSummary], int | None]:
    """Up to ``limit`` books from ``offset``, from their figures: two queries (the ids, then the rows). With them,
    for a ranked search, how many books it found (counted by the ids' query: the search runs once, not again to
    count), else None.

    The ids come from BookStats alone, in the order of one of its indexes: joined to the books and categories in
    the same query, MariaDB starts from the categories and sorts every book (400 ms at 20,000 books, measured).
    """
    if result.best_books is not None:
        sql, params = _ranked_figures_sql(
            result,
            "stats.book_id, COUNT(*) OVER ()",
            f"ORDER BY {_RANKED_FIGURES_ORDER[result.sort]} LIMIT %s OFFSET %s",
        )
        with connections[result.queryset.db].cursor() as cursor:
            cursor.execute(sql, (*params, limit, offset))
            rows = cursor.fetchall()
        ids, total = [row[0] for row in rows], (rows[0][1] if rows else None)
    else:
        ordering = _FIGURE_ORDERINGS[result.sort]
        ids = list(_figures(query, result).order_by(*ordering).values_list("pk", flat=True)[offset : offset + limit])
        total = None
    figures = BookStats.objects.select_related("book").only(*FIGURE_CARD_FIELDS)
    by_id = figures.order_by().in_bulk(ids) if ids else {}
    return [BookSummary.of_figures(by_id[pk]) for pk in ids if pk in by_id], total


def book_rows(query: CatalogQuery, result: CatalogResult) -> tuple[QuerySet, tuple[str, ...], bool]:
    """The books of a result that is not a ranked search, as rows to page through by their key (the JSON API's
    cursor), chosen as the books view chooses: the books' figures when they answer ``query``, else the matching
    copies in stock grouped by book. Returns the rows, their order, and whether they are figures (BookStats)."""
    if reads_figures(query):
        return _figures(query, result), _FIGURE_ORDERINGS[result.sort], True
    return _grouped(_on_sale(result)), _GROUP_ORDERINGS[result.sort], False


# The walk (_walked_ids). A query reads at most WALK_CHUNK listings; a walk that would read more than WALK_ROWS (three
# queries at most), or a page that ends past the WALK_BOOKS-th book (page 50 of 24), groups every matching copy
# instead: a filter's deep pages are rare, and a page never costs more queries than the page budget.
WALK_CHUNK = 700
WALK_ROWS = 3 * WALK_CHUNK
WALK_BOOKS = 50 * 24 + 1
# The listing indexes (FILTER_INDEXES) that follow each order that can be walked, by the order's first field.
_WALK_INDEXES = {
    field: frozenset(name for (_filter, first), name in FILTER_INDEXES.items() if first == field)
    for field in ("published_at", "price")
}


def _walk_key(value):
    """A sort key read by hinted SQL as the ORM compares it: MySQL hands back datetimes naive, in UTC."""
    if isinstance(value, datetime) and settings.USE_TZ and timezone.is_naive(value):
        return timezone.make_aware(value, UTC)
    return value


def _walked_ids(result: CatalogResult, offset: int, limit: int) -> list[int] | None:
    """The ids of up to ``limit`` books from ``offset``, in _GROUP_ORDERINGS order, by walking the matching copies in
    stock in the sort order's listing index; None when the walk would read too much (or meets a copy never
    published), for the caller to group instead.

    Each book's first copy in ``newest`` order is its newest, in ``price_asc`` order its cheapest: the key the
    groups are sorted by. Books whose keys tie are sorted by id, as the groups are, so the walk goes on past the
    key of the last book it needs. It reads the listings in chunks of at most WALK_CHUNK (book, key, id) rows, each
    starting after the previous one's last key, through the indexes of the copy view (CatalogResult.indexes) that
    follow the order: at most WALK_ROWS index entries, wherever the page. Several conditions are walked in the
    index of the order (or of a book filter), the condition checked in the index: one walk per condition in its
    own index, merged (a UNION ALL of one ordered LIMIT per condition), would read a chunk per condition, k entries
    per row kept where the shared index reads about 6 / k (conditions about equally common): 2 against 3 for two
    conditions, more for three and up; not worth a query of k parts.
    """
    ordering = ORDERINGS[result.sort]
    field = ordering[0].lstrip("-")
    indexes = tuple(name for name in result.indexes if name in _WALK_INDEXES[field])
    if result.indexes and not indexes:
        return None
    listings = _in_stock(result).order_by(*ordering)
    needed = offset + limit
    keys: dict[int, object] = {}  # each book's key, at its first copy
    boundary = None  # the key of the needed-th book: the walk ends at the first copy past it
    after = None
    read = 0
    while True:
        size = min(WALK_CHUNK, 2 * (needed - len(keys)) + 20) if boundary is None else WALK_CHUNK
        chunk = listings if after is None else listings.filter(pages.rows_after(ordering, after))
        rows = pages.index_rows(chunk, ["book_id", field, "id"], 0, size, indexes, force=True)
        read += len(rows)
        for book_id, key, _pk in rows:
            if key is None:
                return None
            if boundary is not None and key != boundary:
                break
            keys.setdefault(book_id, key)
            if boundary is None and len(keys) >= needed:
                boundary = key
        else:
            if len(rows) == size and read < WALK_ROWS:
                after = (_walk_key(rows[-1][1]), rows[-1][2])
                continue
            if len(rows) == size:
                return None  # the row cap, before the page's last book or its ties were all seen
        break
    descending = ordering[0].startswith("-")
    books = sorted(keys, key=lambda book_id: (keys[book_id], book_id), reverse=descending)
    return books[offset:needed]


def _groups_of(result: CatalogResult, ids) -> dict[int, dict]:
    """The figures of the matching copies in stock of the books ``ids``, by book: one query (see _groups_met)."""
    return _groups_met(result, Book.objects.filter(pk__in=ids).values(book_id=F("pk")))


# Price descending (_walked_desc_ids). A book's place is its lowest matching price: the walk meets its dearest copy
# first and knows its place only once its copies are grouped. It takes at most three queries: a chunk of the listings
# (DESC_PER_BOOK per book needed, at most a third of DESC_ROWS) and the grouping of the books met there, then, if
# need be, one grouping of the books with a copy in the price range below (the second round, DESC_MARGIN times as
# far as its estimate). At most DESC_ROWS listings are walked by estimate. A walked page is four queries at most;
# one that gives up groups every copy in one more, five at most: never more than a walk in the other orders.
DESC_ROWS = 3000
DESC_PER_BOOK = 6
DESC_MARGIN = Decimal("1.5")
DESC_FINAL = 5  # books final in the first round for its rate to say anything


def _groups_met(result: CatalogResult, books: QuerySet, indexes: tuple[str, ...] = ()) -> dict[int, dict]:
    """The figures of the matching copies in stock of the distinct ``books`` (a queryset of one column, book_id: of
    the books, or of listings read through ``indexes``), by book: one query.

    On MariaDB the books come first, a derived table joined (STRAIGHT_JOIN) to their listings in
    listing_book_stock_idx (pages.shelf_sql).
    """
    groups = _grouped(_in_stock(result))
    connection = connections[groups.db]
    if connection.vendor != "mysql":
        return {row["book_id"]: row for row in groups.filter(book_id__in=books)}
    books_sql = pages.hinted_sql(books, indexes, force=True) if indexes else books.query.sql_with_params()
    return {row["book_id"]: row for row in _fetch_dicts(groups.db, *pages.shelf_sql(groups, books_sql))}


def _fetch_dicts(alias: str, sql: str, params: tuple) -> list[dict]:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _shelf_groups(result: CatalogResult, books: QuerySet, offset: int, limit: int) -> list[dict]:
    """Groups ``offset`` to ``offset + limit`` in _GROUP_ORDERINGS order of the matching copies in stock of
    ``books`` (the books of a narrow shelf, catalog.search.shelves): the books first, then their copies, one
    query."""
    ordering = _GROUP_ORDERINGS[result.sort]
    copies = result.unshelved.filter(quantity__gt=0)
    if connections[copies.db].vendor != "mysql":
        return list(_grouped(copies.filter(book_id__in=books)).order_by(*ordering)[offset : offset + limit])
    groups = _grouped(copies).order_by(*ordering)[offset : offset + limit]
    return _fetch_dicts(groups.db, *pages.shelf_sql(groups, books.query.sql_with_params()))


def _shelf_books(result: CatalogResult, needed: int) -> QuerySet | None:
    """As shelves.shelf_books, for the first ``needed`` books: a walk by price descending reads DESC_PER_BOOK copies
    a book, the other orders a book's matching copies."""
    if result.shelf is None:
        return None
    if result.sort == SORT_PRICE_DESC:
        per_book = DESC_PER_BOOK
    else:
        size = shelves.shelf_size(result.shelf)
        per_book = max(1.0, shelves.share_of(result) * size.copies / max(size.books, 1))
    return shelves.shelf_books(result, round(needed * per_book))


def _first_chunk(needed: int) -> int:
    """How many listings the first round of the price descending walk reads, for ``needed`` books."""
    return min(DESC_ROWS // 3, DESC_PER_BOOK * needed + 50)


def _second_floor(rows: list[tuple], groups: dict[int, dict], needed: int) -> Decimal | None:
    """The price down to which the second round of the price descending walk reads, after the first read ``rows``
    and grouped their books: by estimate, the price at which ``needed`` books are final; None when that is further
    than DESC_ROWS listings from the top (at the density of prices so far).

    The estimate goes on at the rate books became final in the first round (which only grows: a book is final once
    the walk is past its lowest copy), with a margin, when at least DESC_FINAL did; but never lower than the lowest
    price of the book met that makes the count, if one does: every copy read down to there, the count is sure.
    """
    top, bound = rows[0][1], rows[-1][1]
    if top == bound:
        return None
    per_row = (top - bound) / len(rows)
    final = sum(1 for row in groups.values() if row["lowest"] > bound)
    waiting = sorted((row["lowest"] for row in groups.values() if row["lowest"] <= bound), reverse=True)
    short = needed - final
    sure = waiting[short - 1] if short <= len(waiting) else None
    estimate = Decimal(len(rows) * needed) / final if final >= DESC_FINAL else None
    if (estimate is None or estimate > DESC_ROWS) and (sure is None or (top - sure) / per_row > DESC_ROWS):
        return None
    floor = top - per_row * min(DESC_ROWS, DESC_MARGIN * estimate) if estimate is not None else sure
    if sure is not None:
        floor = max(floor, sure)
    return floor.quantize(Decimal("0.01"), rounding=ROUND_FLOOR)


def _first_books(groups: dict[int, dict], final, offset: int, needed: int) -> tuple[list[int], dict[int, dict]]:
    """The books from ``offset`` to ``needed`` among the books met that are ``final`` (a test of the lowest price),
    in _GROUP_ORDERINGS order, with the figures of all those met."""
    books = [book_id for book_id, row in groups.items() if final(row["lowest"])]
    books.sort(key=lambda book_id: (groups[book_id]["lowest"], book_id), reverse=True)
    return books[offset:needed], groups


def _walked_desc_ids(result: CatalogResult, offset: int, limit: int) -> tuple[list[int], dict[int, dict]] | None:
    """As _walked_ids for the order of price descending, with the figures of the books met (a superset of the ids).

    Walking the matching copies in stock from the dearest (the price indexes of CatalogResult.indexes), a book is met
    at its dearest copy; the books met are grouped at once (their lowest price, through listing_book_stock_idx:
    _groups_met). When the walk has read every copy above a price t, a book not met has every matching
    copy at t or below, so a book met whose lowest price is above t is final: every book before it in
    _GROUP_ORDERINGS order has been met. (A book at t waits: a book not met may tie it with a higher id.) Once
    ``offset + limit`` books are final they are the first of the order.

    The first round reads a chunk and groups its books. When too few are final, the second groups at once the books
    not met yet with a copy from the chunk's end down to a price p (_second_floor): every copy from p up then read,
    the books whose lowest price is p or more are final, ties included. None (the caller groups every matching
    copy) when the second round would read too far or still finds too few.
    """
    ordering = ORDERINGS[SORT_PRICE_DESC]
    indexes = tuple(name for name in result.indexes if name in _WALK_INDEXES["price"])
    if result.indexes and not indexes:
        return None
    listings = _in_stock(result).order_by(*ordering)
    needed = offset + limit
    size = _first_chunk(needed)
    rows = pages.index_rows(listings, ["book_id", "price", "id"], 0, size, indexes, force=True)
    groups = _groups_of(result, {book_id for book_id, _price, _pk in rows}) if rows else {}
    if len(rows) < size:
        return _first_books(groups, lambda _lowest: True, offset, needed)  # every copy read: every book met
    bound = rows[-1][1]
    if sum(1 for row in groups.values() if row["lowest"] > bound) >= needed:
        return _first_books(groups, lambda lowest: lowest > bound, offset, needed)
    floor = _second_floor(rows, groups, needed)
    if floor is None:
        return None
    below = listings.filter(pages.rows_after(ordering, (bound, rows[-1][2])), price__gte=floor)
    groups.update(_groups_met(result, below.order_by().values("book_id").distinct(), indexes))
    if sum(1 for row in groups.values() if row["lowest"] >= floor) < needed:
        return None
    return _first_books(groups, lambda lowest: lowest >= floor, offset, needed)


def _walked_page(result: CatalogResult, ids: list[int], groups: dict[int, dict] | None = None) -> list[BookSummary]:
    """The books ``ids`` in this order with their matching copies' figures (``groups``, when the walk has them): two
    queries (the groups, the books), one with ``groups``."""
    if not ids:
        return []
    rows = groups if groups is not None else _groups_of(result, ids)
    books = _card_books().in_bulk(ids)
    return [BookSummary.of_group(rows[pk], books[pk]) for pk in ids if pk in rows and pk in books]


def _grouped_page(result: CatalogResult, offset: int, limit: int) -> tuple[list[BookSummary], int | None]:
    """Up to ``limit`` books from ``offset`` with their matching copies' figures; with them, for a ranked search,
    how many books it found (counted by the grouping's query), else None.

    Sorted newest or cheapest first, the page's books are found by walking the matching copies (_walked_ids) and
    their figures grouped for them alone; sorted by price descending, by walking from the dearest and grouping the
    books met (_walked_desc_ids); for a search, a deep page or a walk that gives up, by grouping every matching copy.
    Two queries with the grouping, two and the walk's (at most WALK_ROWS / WALK_CHUNK) with a walk, at most four by
    price descending.
    """
    books = _shelf_books(result, offset + limit)
    if books is not None:
        rows = _shelf_groups(result, books, offset, limit)
        found = _card_books().in_bulk([row["book_id"] for row in rows])
        return [BookSummary.of_group(row, found[row["book_id"]]) for row in rows if row["book_id"] in found], None
    if result.best_books is None and offset + limit <= WALK_BOOKS:
        if result.sort in (SORT_NEWEST, SORT_PRICE_ASC):
            ids = _walked_ids(result, offset, limit)
            if ids is not None:
                return _walked_page(result, ids), None
        elif result.sort == SORT_PRICE_DESC:
            walked = _walked_desc_ids(result, offset, limit)
            if walked is not None:
                return _walked_page(result, *walked), None
    if result.best_books is not None:
        sql, params = ranked_groups_sql(result, _RANKED_SQL_ORDER[result.sort], offset, limit, total=True)
        with connections[result.queryset.db].cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
        rows = [{"book_id": r[0], "copies": r[1], "lowest": r[2], "best": r[4], "worst": r[5]} for r in found]
        total = found[0][6] if found else None
    else:
        ordering = _GROUP_ORDERINGS[result.sort]
        rows = list(_grouped(_on_sale(result)).order_by(*ordering)[offset : offset + limit])
        total = None
    ids = [row["book_id"] for row in rows]
    books = _card_books().in_bulk(ids) if rows else {}
    return [BookSummary.of_group(row, books[row["book_id"]]) for row in rows if row["book_id"] in books], total


def fetch_book_page(result: CatalogResult, number: int, page_size: int, query: CatalogQuery | None = None) -> BookPage:
    """Page ``number`` (from 1) of the books whose copies match ``result`` (asked as ``query``).

    From the books' figures when the query filters no copy (reads_figures), otherwise from the matching copies
    (_grouped_page): two queries, three on a search's last page, up to five for a walk.
    """
    if number < 1 or page_size < 1:
        raise ValueError("page number and page size must be positive")
    offset = (number - 1) * page_size
    if reads_figures(query):
        summaries, total = _figure_page(query, result, offset, page_size + 1)
    else:
        summaries, total = _grouped_page(result, offset, page_size + 1)
    has_next = len(summaries) > page_size
    summaries = summaries[:page_size]
    last = not has_next and bool(summaries)
    limit = result.best_books.limit if result.best_books is not None and last else None
    return BookPage(number=number, books=summaries, has_next=has_next, book_limit=limit, total=total)


def count_books(
    result: CatalogResult,
    page: BookPage,
    page_size: int,
    query: CatalogQuery | None = None,
    total: Kept | None = None,
) -> ResultCount | None:
    """As count_results, for books: at most one bounded query, none on the last page or when another page of the
    same results kept it in ``total`` (catalog.cache.totals)."""
    if not page.books:
        return None
    first = (page.number - 1) * page_size + 1
    last = first + len(page.books) - 1
    if not page.has_next:
        return ResultCount(first=first, last=last, total=last)
    tally = (
        counts.Tally(page.total) if page.total is not None else total_of(total, lambda: _count_books(result, query))
    )
    return counts.positions(first, last, tally)


def _count_books(result: CatalogResult, query: CatalogQuery | None) -> counts.Tally:
    """Up to COUNT_LIMIT + 1 books of the results, in one query (reading at most COUNT_ROWS listings on MariaDB)."""
    figures = reads_figures(query)
    if result.best_books is not None:
        if figures:
            sql, params = _ranked_figures_sql(result, "COUNT(*)")
        else:
            best_sql, best_params = result.best_books.table_sql()
            rows_sql, rows_params = _on_sale(result).order_by().values("book_id").query.sql_with_params()
            sql = (
                f"SELECT COUNT(DISTINCT listing.book_id) FROM ({rows_sql}) AS listing "  # noqa: S608  # nosec B608
                f"INNER JOIN ({best_sql}) AS best ON best.id = listing.book_id"
            )
            params = (*rows_params, *best_params)
        with connections[result.queryset.db].cursor() as cursor:
            cursor.execute(sql, params)
            return counts.Tally(cursor.fetchone()[0])
    if figures:
        return counts.Tally(_figures(query, result).values("pk")[: counts.COUNT_LIMIT + 1].count())
    # The distinct books of the matching copies, read (as the copy view counts) from the index of the filter
    # (CatalogResult.count_indexes): it holds only matching listings, where listing_book_stock_idx, which
    # MariaDB prefers, holds every visible one. On MariaDB the copies' books are read as they come, up to COUNT_ROWS
    # rows, and told apart here (MariaDB, stopped while it picks distinct rows, would return none of them);
    # elsewhere up to COUNT_LIMIT + 1 distinct books are counted.
    books = shelves.shelf_books(result, counts.COUNT_ROWS)
    if books is not None:  # a narrow shelf: its books first, every one of them counted
        return counts.Tally(len(_shelf_groups(result, books, 0, counts.COUNT_LIMIT + 1)))
    copies = _in_stock(result).order_by().values("book_id")
    rows = counts.examined_rows(copies[: counts.COUNT_ROWS], result.count_indexes, force=True)
    if rows is not None:
        return counts.Tally(len(set(rows.values)), rows.whole and len(rows.values) < counts.COUNT_ROWS)
    return counts.count_rows(copies.distinct()[: counts.COUNT_LIMIT + 1], result.count_indexes, force=True)


# --- One book and all its copies ---------------------------------------------------

COPY_SORTS = ("price", "shipping", "condition", "newest")


def book_copies(book: Book, conditions: tuple[str, ...] = (), sort: str = "price") -> list[Listing]:
    """The visible copies of ``book`` in stock (shops away are left out), with seller, shop and its figures.

    One query, through listing_book_idx. ``sort`` is one of COPY_SORTS ("shipping" is sorted by the caller, who
    knows the buyer's country; here it is by price).
    """
    queryset = (
        visible_listings()
        .filter(book=book, quantity__gt=0)
        .select_related("seller", "seller__shop", "seller__shop__stats")
    )
    if conditions:
        queryset = queryset.filter(condition__in=conditions)
    if sort == "condition":
        queryset = queryset.order_by("condition_rank", "price", "id")
    elif sort == "newest":
        queryset = queryset.order_by("-published_at", "-id")
    else:
        queryset = queryset.order_by("price", "id")
    return list(queryset)
