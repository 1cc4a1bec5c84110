"""A ranked search counts its results in its own id query: the count shown needs no second pass."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.search import CatalogQuery, count_results, fetch_page, find_listings
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
