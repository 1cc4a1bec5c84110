"""A ranked search counts its results in its own id query: the count shown needs no second pass, in the copy view
and in the books view (from the books' figures, or from their matching copies grouped)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.search import CatalogQuery, count_results, fetch_page, find_listings
from catalog.search.books import count_books, fetch_book_page
from conftest import ListingFactory

# Committed rows: InnoDB adds them to the full-text index at commit.
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_ranked_search_page_knows_its_total_without_a_count_query():
    for number in range(7):
        ListingFactory(book__title=f"Lighthouse keeper {number}", book__authors="Mara Lind")
    ListingFactory(book__title="Something else", book__authors="Nobody")
    result = find_listings(CatalogQuery(q="lighthouse"))
    assert result.best_books is not None
    page = fetch_page(result.queryset, result.ordering, 1, 3, best_books=result.best_books)
    assert page.has_next and page.total == 7
    with CaptureQueriesContext(connection) as queries:
        count = count_results(result, page, 3)
    assert len(queries) == 0
    assert (count.first, count.last, count.total, count.capped) == (1, 3, 7, False)


@pytest.mark.parametrize(
    "query",
    [
        CatalogQuery(q="lighthouse"),  # the books' figures
        CatalogQuery(q="lighthouse", conditions=("good", "fair")),  # the matching copies grouped
    ],
)
def test_a_ranked_search_s_books_page_knows_its_total_without_a_count_query(query):
    for number in range(7):
        first = ListingFactory(book__title=f"Lighthouse keeper {number}", condition="good")
        ListingFactory(book=first.book, condition="fair")
    ListingFactory(book__title="Lighthouse in poor shape", condition="poor")  # matches the words, not the conditions
    ListingFactory(book__title="Something else", condition="good")
    result = find_listings(query)
    assert result.best_books is not None
    expected = 7 if query.conditions else 8
    page = fetch_book_page(result, 2, 3, query)
    assert page.has_next and page.total == expected
    with CaptureQueriesContext(connection) as queries:
        count = count_books(result, page, 3, query)
    assert len(queries) == 0
    assert (count.first, count.last, count.total, count.capped) == (4, 6, expected, False)
