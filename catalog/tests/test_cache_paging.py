"""Deep pages start from cached markers (catalog.search.fetch_page) and the visibility rule behind every page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Listing
from catalog.search import ORDERINGS, SORT_RELEVANCE, CatalogQuery, fetch_page, find_listings, visible_listings
from catalog.search import pages as search_pages
from conftest import ListingFactory, ShopFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE_SIZE = 3


@pytest.fixture
def deep_catalog(settings, monkeypatch):
    """31 visible listings, three sellers; markers every 2 pages of 3, so page 5 is "deep"."""
    settings.DEBUG = False  # markers live in the cache with the other fragments
    monkeypatch.setattr(search_pages, "MARKER_PAGES", 2)
    sellers = [ShopFactory().owner for _ in range(3)]
    now = timezone.now()
    for number in range(31):
        ListingFactory(
            seller=sellers[number % 3],
            published_at=now - timedelta(minutes=number // 2),  # pairs share a time: the id breaks the tie
            price=Decimal(10 + number % 7),
        )


def _pages(query: CatalogQuery, count: int, scope) -> list[list[int]]:
    result = find_listings(query)
    return [
        [x.pk for x in fetch_page(result.queryset, result.ordering, n, PAGE_SIZE, scope=scope)]
        for n in range(1, count)
    ]


@pytest.mark.parametrize("sort", ["newest", "price_asc", "price_desc"])
def test_pages_from_markers_are_the_pages_offset_gives(deep_catalog, sort):
    query = CatalogQuery(sort=sort)
    expected = _pages(query, 13, scope=None)  # plain OFFSET
    first_visits = _pages(query, 13, scope=query)  # markers found and kept
    second_visits = _pages(query, 13, scope=query)  # markers read from the cache
    assert first_visits == expected == second_visits
    assert sorted(pk for page in expected for pk in page) == sorted(Listing.objects.values_list("pk", flat=True))
    assert expected[-1] == [] and expected[-2]  # page 11 holds the last listing; page 12 is past the end


def test_a_deep_page_seeks_instead_of_skipping_every_row_before_it(deep_catalog):
    query = CatalogQuery()
    result = find_listings(query)
    fetch_page(result.queryset, result.ordering, 9, PAGE_SIZE, scope=query)  # finds page 9's marker
    with CaptureQueriesContext(connection) as queries:
        page = fetch_page(result.queryset, result.ordering, 10, PAGE_SIZE, scope=query)
    id_query = queries.captured_queries[0]["sql"]
    assert len(queries.captured_queries) == 2  # ids, then the rows: the marker came from the cache
    assert "OFFSET 3" in id_query and "published_at" in id_query.split("WHERE", 1)[1]
    assert len(page) == PAGE_SIZE


def test_a_page_past_the_end_is_empty_without_loading_rows(deep_catalog):
    query = CatalogQuery()
    result = find_listings(query)
    page = fetch_page(result.queryset, result.ordering, 40, PAGE_SIZE, scope=query)
    assert page.past_end and not page.has_next


def test_markers_never_show_what_is_no_longer_visible(deep_catalog):
    query = CatalogQuery()
    before = _pages(query, 12, scope=query)
    hidden = before[6][0]
    Listing.objects.filter(pk=hidden).update(status=Listing.Status.HIDDEN)
    after = _pages(query, 12, scope=query)
    assert hidden not in [pk for page in after for pk in page]


def test_relevance_order_has_no_markers(deep_catalog):
    assert ORDERINGS[SORT_RELEVANCE] not in search_pages.KEYSET_ORDERINGS


# --- Visibility ---------------------------------------------------------------------------------------


def test_visible_listings_selects_exactly_what_listing_visible_does(alice, bob):
    for status in Listing.Status.values:
        ListingFactory(seller=alice, status=status)
        ListingFactory(seller=bob, status=status)
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    carol = UserFactory()
    ShopFactory(owner=carol, away_until=timezone.localdate() + timedelta(days=3))
    ListingFactory(seller=carol)

    expected = set(Listing.objects.visible().values_list("pk", flat=True))
    assert set(visible_listings().values_list("pk", flat=True)) == expected
    assert len(expected) == 1
    mine = Listing.objects.filter(seller=alice)
    assert set(visible_listings(mine).values_list("pk", flat=True)) == set(mine.visible().values_list("pk", flat=True))


def test_the_page_query_reads_the_listing_table_alone(alice_listing):
    """The sellers are excluded by a subquery, so no join lets the database start from the users."""
    result = find_listings(CatalogQuery())
    sql = str(result.queryset.order_by(*result.ordering).values_list("id", flat=True).query)
    assert " JOIN " not in sql.split(" WHERE ", 1)[0]
    # Hidden sellers come from their own small table: no query of the catalog reads the users.
    assert "accounts_hiddenseller" in sql and "accounts_user" not in sql and "accounts_shop" not in sql


def test_a_page_past_the_end_found_once_is_answered_without_a_query(deep_catalog):
    query = CatalogQuery()
    result = find_listings(query)
    assert not fetch_page(result.queryset, result.ordering, 40, PAGE_SIZE, scope=query).listings  # found past the end
    with CaptureQueriesContext(connection) as queries:
        for number in (40, 41, 60):  # the same segment, or one after it
            assert fetch_page(result.queryset, result.ordering, number, PAGE_SIZE, scope=query).past_end
    assert len(queries) == 0
    assert fetch_page(result.queryset, result.ordering, 11, PAGE_SIZE, scope=query).listings  # the last page
