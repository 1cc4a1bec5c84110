"""How many results a page says there are ("1-24 of 3,412"), in at most one bounded query."""

from dataclasses import dataclass

from django.db import connections
from django.db.models import QuerySet

from catalog.cache.kept import Kept
from catalog.cache.totals import total_of
from catalog.search.pages import ListingPage, hinted_sql, ranked_ids_sql, ranked_statement, shelf_rows
from catalog.search.queries import CatalogResult
from catalog.search.shelves import shelf_books

# Counting every match of a broad search over a million listings costs more than the page itself. A count reads
# at most this many ids (or, in the books view, the copies of this many books) and then says "more than 1,000",
# as big marketplaces do: it used to stop at 10,000, and at 100,000 listings counting a broad filter's books read
# some 36,000 index entries, more than the rest of the page. The last page needs no count query at all.
COUNT_LIMIT = 1_000
# And a count reads at most this many rows (on MariaDB, LIMIT ROWS EXAMINED). Counting a narrow combination, such
# as poor copies in French, reads every entry of its most selective index (every French copy, 5,500 at 100,000
# listings) to find a few hundred; stopped here, the page says "more than" the matches it found.
COUNT_ROWS = 2_000


@dataclass(frozen=True)
class Tally:
    """What a count found: ``found`` results, all of them if ``whole``, else at least that many (it stopped reading
    at COUNT_ROWS)."""

    found: int
    whole: bool = True


@dataclass(frozen=True)
class ResultCount:
    """What "1-24 of 3,412" shows: the page's first and last positions and the total (a lower bound if capped)."""

    first: int
    last: int
    total: int
    capped: bool = False


def count_results(
    result: CatalogResult, page: ListingPage, page_size: int, total: Kept | None = None
) -> ResultCount | None:
    """The positions of ``page`` in ``result`` and how many results there are, in at most one bounded query.

    None for an empty page. On the last page the total is known without a query; otherwise one query counts
    at most COUNT_LIMIT + 1 ids (``capped`` then says the total is COUNT_LIMIT and more), unless the total was
    kept in ``total`` by another page of the same results (catalog.cache.totals).
    """
    if not page.listings:
        return None
    first = (page.number - 1) * page_size + 1
    last = first + len(page.listings) - 1
    if not page.has_next:
        return ResultCount(first=first, last=last, total=last)
    tally = Tally(page.total) if page.total is not None else total_of(total, lambda: _count(result))
    return positions(first, last, tally)


def positions(first: int, last: int, tally: Tally) -> ResultCount:
    """What a page from ``first`` to ``last`` that has a next page shows of ``tally``, the count of its results."""
    # Listings may have changed between the page and the count: the total is never less than what is shown.
    found = max(tally.found, last + 1)
    if found > COUNT_LIMIT:
        return ResultCount(first=first, last=last, total=max(COUNT_LIMIT, last), capped=True)
    if not tally.whole:
        return ResultCount(first=first, last=last, total=max(_round_down(found - 1), last), capped=True)
    return ResultCount(first=first, last=last, total=found)


def _round_down(number: int) -> int:
    """``number`` down to a round figure to show after "more than" from 100 on: 316 -> 310 (COUNT_LIMIT and more
    are shown as COUNT_LIMIT)."""
    return number if number < 100 else number - number % 10


def _count(result: CatalogResult) -> Tally:
    """Up to COUNT_LIMIT + 1 of the results, in one query."""
    if result.best_books is not None:
        sql, params = ranked_ids_sql(result.queryset, result.ordering, result.best_books, 0, COUNT_LIMIT + 1)
        connection = connections[result.queryset.db]
        with connection.cursor() as cursor:
            counted = f"SELECT COUNT(*) FROM ({sql}) AS counted"  # noqa: S608  # nosec B608 - ORM SQL
            cursor.execute(ranked_statement(counted, connection), params)
            return Tally(cursor.fetchone()[0])
    books = shelf_books(result, COUNT_ROWS)
    if books is not None:  # a narrow shelf: its books first, every match counted
        return Tally(len(shelf_rows(result.unshelved.order_by(), books, ["id"], 0, COUNT_LIMIT + 1)))
    return count_rows(result.queryset.order_by().values("id")[: COUNT_LIMIT + 1], result.count_indexes)


def count_rows(ids: QuerySet, indexes: tuple[str, ...], *, force: bool = False) -> Tally:
    """How many rows the (sliced) queryset of one column has: read through ``indexes`` on MySQL/MariaDB, as its
    pages are (without them MariaDB may count Spanish listings by walking the whole price index; ``force``: see
    hinted_sql), and on MariaDB reading at most COUNT_ROWS rows."""
    rows = examined_rows(ids, indexes, force=force)
    if rows is not None:
        return Tally(len(rows.values), rows.whole)
    connection = connections[ids.db]
    if not indexes or connection.vendor != "mysql":
        return Tally(ids.count())
    sql, params = hinted_sql(ids, indexes, force=force)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS counted", params)  # noqa: S608  # nosec B608 - ORM SQL
        return Tally(cursor.fetchone()[0])


@dataclass(frozen=True)
class ExaminedRows:
    """The first values of a one-column query that MariaDB found reading at most COUNT_ROWS rows; ``whole`` when
    it did not have to stop there."""

    values: list
    whole: bool


def examined_rows(queryset: QuerySet, indexes: tuple[str, ...] = (), *, force: bool = False) -> ExaminedRows | None:
    """The values of the sliced one-column ``queryset`` (through ``indexes``, see hinted_sql) that MariaDB finds
    reading at most COUNT_ROWS rows: one query. None on other databases, which cannot stop a query there.

    When the limit is reached MariaDB ends the query with warning 1931 and returns the rows found so far, read from
    the cursor's warning count (no round trip). A query that sorts, groups or picks distinct rows would return
    none: it must hand each row over as it is read.
    """
    connection = connections[queryset.db]
    if connection.vendor != "mysql" or not connection.mysql_is_mariadb:
        return None
    if indexes:
        sql, params = hinted_sql(queryset, indexes, force=force)
    else:
        sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ROWS EXAMINED {COUNT_ROWS}", params)
        values = [row[0] for row in cursor.fetchall()]
        return ExaminedRows(values, whole=not cursor.warning_count)
