"""A search ranks its books once per catalog version: every page, sort, view and copy filter of the same words and
book filters joins its listings to the kept ranking (catalog.cache.rankings, catalog.search.ranked)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from catalog.cache import rankings
from catalog.search import ranked as search_ranked
from catalog.services.listings import pause_listing
from conftest import ListingFactory

# Committed rows: InnoDB adds them to the full-text index at commit.
pytestmark = pytest.mark.django_db(transaction=True)

BROWSE = "/books/"


def _rankings(queries) -> list[str]:
    """The queries that rank books: the books with their relevance, not joined to a kept list."""
    return [
        query["sql"]
        for query in queries.captured_queries
        if "relevance" in query["sql"] and "catalog_book" in query["sql"] and "json" not in query["sql"].lower()
    ]


@pytest.fixture
def lighthouses():
    listings = [
        ListingFactory(book__title=f"Lighthouse keeper {number}", price=Decimal(10 + number), condition="good")
        for number in range(7)
    ]
    ListingFactory(book__title="Something else", condition="good")
    return listings


def test_every_page_of_one_search_shares_its_ranking(page_cache, client, lighthouses, settings):
    settings.CATALOG_PAGE_SIZE = 3
    with CaptureQueriesContext(connection) as first:
        assert client.get(BROWSE, {"q": "lighthouse"}).status_code == 200
    assert len(_rankings(first)) == 1
    # Other pages, sorts, views and copy filters of the same words: no ranking, and the same books.
    for params in (
        {"q": "lighthouse", "page": 2},
        {"q": "lighthouse", "sort": "price_desc"},
        {"q": "lighthouse", "view": "copies", "page": 3},
        {"q": "lighthouse", "condition": "good", "price_max": "14"},
    ):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(BROWSE, params)
        assert response.status_code == 200, params
        assert _rankings(queries) == [], params
    cheap = client.get(BROWSE, {"q": "lighthouse", "view": "copies", "price_max": "11", "sort": "price_asc"})
    assert [card.book.title for card in cheap.context["page"]] == ["Lighthouse keeper 0", "Lighthouse keeper 1"]
    # Other words, or the same words on one shelf, rank again.
    with CaptureQueriesContext(connection) as queries:
        client.get(BROWSE, {"q": "keeper"})
        client.get(BROWSE, {"q": "lighthouse", "language": "es"})
    assert len(_rankings(queries)) == 2


def test_a_change_buyers_can_see_ranks_again(page_cache, client, lighthouses, settings):
    settings.CATALOG_PAGE_SIZE = 20
    client.get(BROWSE, {"q": "lighthouse", "view": "copies"})
    pause_listing(lighthouses[0])  # a new catalog version
    ListingFactory(book__title="The last lighthouse", condition="good")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(BROWSE, {"q": "lighthouse", "view": "copies", "sort": "price_asc"})
    assert len(_rankings(queries)) == 1
    titles = [card.book.title for card in response.context["page"]]
    assert "The last lighthouse" in titles and "Lighthouse keeper 0" not in titles and len(titles) == 7


def test_the_ranking_says_when_more_books_matched_than_it_keeps(page_cache, client, lighthouses, monkeypatch):
    monkeypatch.setattr(search_ranked, "SEARCH_BOOKS", 5)
    first = client.get(BROWSE, {"q": "lighthouse", "view": "copies"})
    assert len(first.context["page"]) == 5 and first.context["page"].book_limit == 5
    with CaptureQueriesContext(connection) as queries:
        books = client.get(BROWSE, {"q": "lighthouse"})
    assert _rankings(queries) == []
    assert len(books.context["page"].books) == 5 and books.context["page"].book_limit == 5


def test_without_the_page_cache_each_page_ranks_for_itself(client, lighthouses):
    for params in ({"q": "lighthouse"}, {"q": "lighthouse", "page": 2}):
        with CaptureQueriesContext(connection) as queries:
            client.get(BROWSE, params)
        assert len(_rankings(queries)) == 1


def _key(query: str) -> str | None:
    return rankings.ranking_key("browse", QueryDict(query))


@pytest.mark.django_db(transaction=False)
def test_no_ranking_is_kept_while_the_page_cache_is_off():
    assert _key("q=lighthouse") is None  # off while DEBUG is on, as when the settings load


def test_the_ranking_key_ignores_the_page_the_sort_the_view_and_the_copy_filters(page_cache):
    key = _key
    same = key("q=lighthouse")
    assert same is not None
    assert key("q=lighthouse&page=4&sort=price_asc&view=copies&condition=good&price_min=3") == same
    assert len({same, key("q=keeper"), key("q=lighthouse&category=fiction"), key("q=lighthouse&language=es")}) == 4
    assert key("category=fiction") is None  # no words: nothing to rank


def test_an_api_client_paging_through_a_search_ranks_it_once(page_cache, client, lighthouses):
    """The JSON API keeps the ranking too: the cache is read and written at once (the API has no page batch)."""
    seen, cursor, ranked = [], None, 0
    for _ in range(10):
        params = {"q": "lighthouse", "limit": 2, **({"cursor": cursor} if cursor else {})}
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/api/v1/catalog/listings", params).json()
        ranked += len(_rankings(queries))
        seen += [item["id"] for item in body["items"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(listing.pk for listing in lighthouses) and ranked == 1
    with CaptureQueriesContext(connection) as queries:
        books = client.get("/api/v1/catalog/books", {"q": "lighthouse", "sort": "price_asc"}).json()["items"]
    assert _rankings(queries) == [] and len(books) == 7
