"""How many results a page says there are ("1-24 of 3,412"), in at most one bounded query."""

from dataclasses import dataclass

from django.db import connections
from django.db.models import QuerySet

from catalog.cache.totals import KeptTotal, total_of
from catalog.search.pages import ListingPage, hinted_sql, ranked_ids_sql, ranked_statement
from catalog.search.queries import CatalogResult

# Counting every match of a broad search over a million listings costs more than the page itself. A count reads
# at most this many ids (or, in the books view, the copies of this many books) and then says "more than 1,000",
# as big marketplaces do: it used to stop at 10,000, and at 100,000 listings counting a broad filter's books read
# some 36,000 index entries, more than the rest of the page. The last page needs no count query at all.
COUNT_LIMIT = 1_000


@dataclass(frozen=True)
class ResultCount:
    """What "1-24 of 3,412" shows: the page's first and last positions and the total (a lower bound if capped)."""

    first: int
    last: int
    total: int
    capped: bool = False


def count_results(
    result: CatalogResult, page: ListingPage, page_size: int, total: KeptTotal | None = None
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
    found = page.total if page.total is not None else total_of(total, lambda: _count(result))
    # Listings may have changed between the page and the count: the total is never less than what is shown.
    found = max(found, last + 1)
    if found > COUNT_LIMIT:
        return ResultCount(first=first, last=last, total=COUNT_LIMIT, capped=True)
    return ResultCount(first=first, last=last, total=found)


def _count(result: CatalogResult) -> int:
    """Up to COUNT_LIMIT + 1 of the results, in one query."""
    if result.best_books is not None:
        sql, params = ranked_ids_sql(result.queryset, result.ordering, result.best_books, 0, COUNT_LIMIT + 1)
        connection = connections[result.queryset.db]
        with connection.cursor() as cursor:
            counted = f"SELECT COUNT(*) FROM ({sql}) AS counted"  # noqa: S608  # nosec B608 - ORM SQL
            cursor.execute(ranked_statement(counted, connection), params)
            return cursor.fetchone()[0]
    return count_rows(result.queryset.order_by().values("id")[: COUNT_LIMIT + 1], result.count_indexes)


def count_rows(ids: QuerySet, indexes: tuple[str, ...], *, force: bool = False) -> int:
    """How many rows the (sliced) id queryset has: read through ``indexes`` on MySQL/MariaDB, as its pages are
    (without them MariaDB may count Spanish listings by walking the whole price index); ``force``: see
    hinted_sql."""
    connection = connections[ids.db]
    if not indexes or connection.vendor != "mysql":
        return ids.count()
    sql, params = hinted_sql(ids, indexes, force=force)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS counted", params)  # noqa: S608  # nosec B608 - ORM SQL
        return cursor.fetchone()[0]
