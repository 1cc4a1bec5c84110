"""A count of results reads a bounded number of rows: on MariaDB at most COUNT_ROWS (LIMIT ROWS EXAMINED), and the
page then says "more than" what it found."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.search import CatalogQuery, find_listings
from catalog.search import counts as search_counts
from catalog.search.books import _count_books
from catalog.search.counts import ResultCount, Tally, positions
from catalog.tests.queries import is_count
from conftest import ListingFactory

BROWSE = "/books/"
POOR_FRENCH = {"language": "fr", "condition": "poor"}


@pytest.fixture
def mariadb(db):
    # Which server it is takes a query: asked when the test runs, not when it is collected.
    if not (connection.vendor == "mysql" and connection.mysql_is_mariadb):
        pytest.skip("LIMIT ROWS EXAMINED is MariaDB's; elsewhere a count reads up to COUNT_LIMIT + 1 results")


@pytest.fixture
def sparse(alice, settings):
    """80 copies, 6 of them poor copies of French books (the oldest): few matches among many copies of French
    books and many poor copies, as a narrow combination of filters has."""
    settings.CATALOG_PAGE_SIZE = 2
    settings.CATALOG_CACHE_SECONDS = 0
    now = timezone.now()
    for number in range(6):
        ListingFactory(
            seller=alice, book__language="fr", condition="poor", published_at=now - timedelta(days=9, minutes=number)
        )
    for number in range(37):
        for language, condition in (("fr", "good"), ("de", "poor")):
            published = now - timedelta(minutes=number)
            ListingFactory(seller=alice, book__language=language, condition=condition, published_at=published)


def _shown(client, params) -> str:
    page = client.get(BROWSE, params).content.decode()
    return re.search(r"data-result-count>([^<]+)<", page).group(1).replace("\N{EN DASH}", "-")


def _rows_read() -> int:
    """Index and table entries this connection has read so far (the session's Handler_read_* counters)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW SESSION STATUS LIKE 'Handler_read%%'")
        return sum(int(value) for _name, value in cursor.fetchall())


@pytest.mark.parametrize("view", [{}, {"view": "copies"}])
def test_a_narrow_combination_is_counted_whole_under_the_row_limit(client, sparse, view):
    assert _shown(client, {**POOR_FRENCH, **view}) == "1-2 of 6"


@pytest.mark.parametrize("view", [{}, {"view": "copies"}])
def test_a_count_stopped_at_its_row_limit_says_more_than_it_found(mariadb, client, sparse, view, monkeypatch):
    monkeypatch.setattr(search_counts, "COUNT_ROWS", 20)
    with CaptureQueriesContext(connection) as queries:
        shown = _shown(client, {**POOR_FRENCH, **view})
    counted = [query["sql"] for query in queries.captured_queries if is_count(query["sql"])]
    assert len(counted) == 1 and counted[0].endswith("ROWS EXAMINED 20")
    found = re.fullmatch(r"1-2 of more than (\d+)", shown)
    assert found and 2 <= int(found.group(1)) < 6, shown


def test_a_count_reads_no_more_rows_than_its_limit(mariadb, sparse, monkeypatch):
    query = CatalogQuery(language="fr", conditions=("poor",))
    before = _rows_read()
    assert search_counts._count(find_listings(query)) == Tally(6)
    whole = _rows_read() - before
    assert whole >= 43  # every copy of a French book, or every poor one
    monkeypatch.setattr(search_counts, "COUNT_ROWS", 20)
    for count in (search_counts._count, lambda result: _count_books(result, query)):
        before = _rows_read()
        tally = count(find_listings(query))
        assert not tally.whole and tally.found < 6
        assert _rows_read() - before <= 25 < whole


@pytest.mark.parametrize(
    ("first", "last", "tally", "shown"),
    [
        (1, 24, Tally(40), ResultCount(1, 24, 40)),
        (1, 24, Tally(5_000), ResultCount(1, 24, 1_000, capped=True)),
        # Deep in a long list: "more than" never says less than the page shows.
        (1_177, 1_200, Tally(1_001), ResultCount(1_177, 1_200, 1_200, capped=True)),
        # A count stopped at its row limit: at least what it found, rounded down from 100 on.
        (1, 24, Tally(316, whole=False), ResultCount(1, 24, 310, capped=True)),
        (1, 24, Tally(60, whole=False), ResultCount(1, 24, 59, capped=True)),
        (25, 48, Tally(30, whole=False), ResultCount(25, 48, 48, capped=True)),
        # Copies sold between the page and its count: never fewer than the page and its next one show.
        (1, 24, Tally(10), ResultCount(1, 24, 25)),
    ],
)
def test_the_positions_a_page_shows_of_its_count(first, last, tally, shown):
    assert positions(first, last, tally) == shown
