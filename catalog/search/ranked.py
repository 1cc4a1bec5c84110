"""The best books of a search over the whole catalog: ranked once per search and catalog version, then joined to
their listings from a list.

A broad word matches a large part of a big catalog ("river": 2,257 of 20,000 books and 11,000 listings at 100,000
listings). Joining every matching book to its listings and sorting them all by relevance took 35 ms at 100,000
listings and 2 s at 1,000,000. A catalog search therefore ranks books on the full-text index alone and keeps the
SEARCH_BOOKS best: the work of a page is bounded by SEARCH_BOOKS, not by the catalog. A search shows the copies of
its best thousand books, and its last page says so when more books matched (catalog/browse.html).

The ranking itself still reads every match ("stranger": 45,000 books at 1,000,000 listings, 150 ms). It is one
query of its own, whose ids and relevance are kept per catalog version (catalog.cache.rankings); each query of a
page then joins the listings to that list (a JSON table: one parameter, MariaDB's JSON_TABLE, SQLite's json_each),
7 ms for the same page.
"""

from __future__ import annotations

import json

from django.db import connections
from django.db.models import QuerySet

from catalog.cache.kept import Kept
from catalog.cache.rankings import Rows

SEARCH_BOOKS = 1000


class RankedBooks:
    """The books a search matches, best first: ``queryset`` gives (book id, relevance); ``kept`` is where the page
    keeps the ranking (None: ranked for this request only)."""

    def __init__(self, queryset: QuerySet, kept: Kept | None = None):
        self.queryset = queryset
        self.kept = kept
        self._rows: Rows | None = None

    def _rank(self) -> Rows:
        return [(book_id, float(relevance)) for book_id, relevance in self.queryset[: SEARCH_BOOKS + 1]]

    def rows(self) -> Rows:
        """The SEARCH_BOOKS best (and one more when there are more): one query, none when the page read them."""
        if self._rows is None:
            self._rows = self.kept.get_or_compute(self._rank) if self.kept is not None else self._rank()
        return self._rows

    def best(self) -> Rows:
        return self.rows()[:SEARCH_BOOKS]

    @property
    def limit(self) -> int | None:
        """SEARCH_BOOKS when more books matched than the ranking keeps (a last page says so), else None."""
        return SEARCH_BOOKS if len(self.rows()) > SEARCH_BOOKS else None

    def table_sql(self) -> tuple[str, tuple]:
        """A query of the SEARCH_BOOKS best, columns ``id`` and ``relevance``, to join as a derived table."""
        data = json.dumps(self.best())
        if connections[self.queryset.db].vendor == "sqlite":
            return (
                "SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS relevance "
                "FROM json_each(%s)",
                (data,),
            )
        return (
            "SELECT ranked.id, ranked.relevance FROM JSON_TABLE(%s, '$[*]' COLUMNS "
            "(id BIGINT PATH '$[0]', relevance DOUBLE PATH '$[1]')) AS ranked",
            (data,),
        )
