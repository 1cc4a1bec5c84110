"""The public catalog page /books/: visibility, filters, sort orders, pages, bad parameters, query budget."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accounts.models import User
from accounts.visibility import check_hidden_sellers
from catalog.book_stats import refresh_seller_books
from catalog.models import Book, Listing
from catalog.search import COUNT_LIMIT
from catalog.search import counts as search_counts
from catalog.tests.queries import is_count
from conftest import BookFactory, CategoryFactory, ListingFactory, ShopFactory
from core.templatetags.site_tags import number as format_number

BROWSE = "/books/"
# SQLite and MySQL quote differently; either way the page query selects nothing but ids.
ONLY_IDS = re.compile(r'^SELECT [`"]catalog_listing[`"]\.[`"]id[`"]( AS [`"]id[`"])? FROM')

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return [listing.book.title for listing in response.context["page"].listings]


def listing_at(minutes_ago: int, **kwargs) -> Listing:
    return ListingFactory(published_at=timezone.now() - timedelta(minutes=minutes_ago), **kwargs)


# --- Visibility -------------------------------------------------------------------


def test_only_active_listings_of_active_sellers_are_listed(client, alice, bob):
    listing_at(1, seller=alice, book__title="On sale")
    for status in (Listing.Status.DRAFT, Listing.Status.PAUSED, Listing.Status.HIDDEN, Listing.Status.ARCHIVED):
        listing_at(2, seller=alice, book__title=f"Not on sale {status}", status=status)
    bob.is_active = False
    bob.save()
    listing_at(3, seller=bob, book__title="Deactivated seller's book")

    response = client.get(BROWSE)

    assert response.status_code == 200
    assert titles(response) == ["On sale"]
    body = response.content.decode()
    assert "Not on sale" not in body
    assert "Deactivated seller" not in body


def test_empty_catalog_says_so(client, db):
    response = client.get(BROWSE)
    assert response.status_code == 200
    assert "No books match your search." in response.content.decode()


def test_card_shows_title_authors_condition_price_shop_and_links_to_listing(client, bob):
    listing = ListingFactory(
        seller=bob,
        book__title="Dune",
        book__authors="Frank Herbert",
        condition=Listing.Condition.FINE,
        price=Decimal("9.99"),
    )
    body = client.get(BROWSE, {"view": "copies"}).content.decode()
    assert "Dune" in body and "Frank Herbert" in body
    assert "Fine" in body
    assert "$9.99" in body
    assert "Bob&#x27;s Books" in body and "Austin" in body and "United States" in body
    assert f'href="/books/{listing.pk}/"' in body
    assert 'aria-label="No photo of this copy yet"' in body


def test_card_shows_the_cover_thumbnail_when_there_is_one(client, alice):
    listing = ListingFactory(seller=alice, cover="listings/abc_thumb.jpg")
    body = client.get(BROWSE, {"view": "copies"}).content.decode()
    assert 'src="/media/listings/abc_thumb.jpg"' in body
    assert listing.book.title in body


# --- Filters ----------------------------------------------------------------------


def test_category_filter(client, alice):
    history = CategoryFactory(slug="history", name="History")
    listing_at(1, seller=alice, book__title="SPQR", book__category=history)
    listing_at(2, seller=alice, book__title="Dune")

    response = client.get(BROWSE, {"category": "history"})

    assert response.status_code == 200
    assert titles(response) == ["SPQR"]
    assert "<h1" in response.content.decode() and "History" in response.content.decode()


def test_condition_filter_takes_one_or_several_grades(client, alice):
    listing_at(1, seller=alice, book__title="Fine copy", condition=Listing.Condition.FINE)
    listing_at(2, seller=alice, book__title="Good copy", condition=Listing.Condition.GOOD)
    listing_at(3, seller=alice, book__title="Poor copy", condition=Listing.Condition.POOR)

    assert titles(client.get(BROWSE, {"condition": "good"})) == ["Good copy"]
    assert titles(client.get(BROWSE, {"condition": ["fine", "poor"]})) == ["Fine copy", "Poor copy"]


def test_language_filter(client, alice):
    listing_at(1, seller=alice, book__title="Cien años de soledad", book__language=Book.Language.SPANISH)
    listing_at(2, seller=alice, book__title="Dune", book__language=Book.Language.ENGLISH)
    assert titles(client.get(BROWSE, {"language": "es"})) == ["Cien años de soledad"]


def test_binding_filter(client, alice):
    listing_at(1, seller=alice, book__title="Hardback", book__binding=Book.Binding.HARDCOVER)
    listing_at(2, seller=alice, book__title="Softback", book__binding=Book.Binding.PAPERBACK)
    assert titles(client.get(BROWSE, {"binding": "hardcover"})) == ["Hardback"]


def test_price_range_filters_are_inclusive(client, alice):
    for minutes, price in enumerate(["5.00", "10.00", "15.00", "20.00"]):
        listing_at(minutes, seller=alice, book__title=f"Costs {price}", price=Decimal(price))

    assert titles(client.get(BROWSE, {"price_min": "15"})) == ["Costs 15.00", "Costs 20.00"]
    assert titles(client.get(BROWSE, {"price_max": "10"})) == ["Costs 5.00", "Costs 10.00"]
    assert titles(client.get(BROWSE, {"price_min": "10", "price_max": "15.00"})) == ["Costs 10.00", "Costs 15.00"]


def test_filters_combine(client, alice, bob):
    fiction = CategoryFactory(slug="fiction", name="Fiction")
    listing_at(1, seller=alice, book__title="Match", book__category=fiction, condition="fine", price=Decimal("8"))
    listing_at(2, seller=bob, book__title="Too dear", book__category=fiction, condition="fine", price=Decimal("80"))
    listing_at(3, seller=bob, book__title="Wrong grade", book__category=fiction, condition="poor", price=Decimal("8"))
    listing_at(4, seller=bob, book__title="Wrong shelf", condition="fine", price=Decimal("8"))

    response = client.get(BROWSE, {"category": "fiction", "condition": "fine", "price_max": "10"})

    assert titles(response) == ["Match"]


def test_filter_form_is_a_labelled_get_form_that_keeps_values(client, db):
    CategoryFactory(slug="poetry", name="Poetry")
    body = client.get(BROWSE, {"category": "poetry", "condition": "fine", "price_min": "3"}).content.decode()
    assert 'method="get"' in body
    for field in ("id_q", "id_category", "id_language", "id_binding", "id_price_min", "id_price_max", "id_sort"):
        assert f'for="{field}"' in body, field
    assert '<option value="poetry" selected>Poetry</option>' in body
    assert 'value="fine"' in body and "checked" in body
    assert 'value="3"' in body
    # The sidebar collapses behind a button on phones.
    assert 'data-bs-target="#filters-panel"' in body and 'aria-controls="filters-panel"' in body


# --- Sort orders --------------------------------------------------------------------


@pytest.fixture
def three_listings(alice, bob):
    return [
        listing_at(30, seller=alice, book__title="Oldest, mid price", price=Decimal("10.00")),
        listing_at(20, seller=bob, book__title="Middle, cheapest", price=Decimal("4.00")),
        listing_at(10, seller=alice, book__title="Newest, dearest", price=Decimal("25.00")),
    ]


def test_default_order_without_search_is_newest_first(client, three_listings):
    response = client.get(BROWSE)
    assert titles(response) == ["Newest, dearest", "Middle, cheapest", "Oldest, mid price"]
    assert '<option value="newest" selected>' in response.content.decode()


def test_sort_newest(client, three_listings):
    assert titles(client.get(BROWSE, {"sort": "newest"})) == [
        "Newest, dearest",
        "Middle, cheapest",
        "Oldest, mid price",
    ]


def test_sort_price_ascending(client, three_listings):
    assert titles(client.get(BROWSE, {"sort": "price_asc"})) == [
        "Middle, cheapest",
        "Oldest, mid price",
        "Newest, dearest",
    ]


def test_sort_price_descending(client, three_listings):
    assert titles(client.get(BROWSE, {"sort": "price_desc"})) == [
        "Newest, dearest",
        "Oldest, mid price",
        "Middle, cheapest",
    ]


def test_relevance_without_search_falls_back_to_newest(client, three_listings):
    response = client.get(BROWSE, {"sort": "relevance"})
    assert response.status_code == 200
    assert titles(response)[0] == "Newest, dearest"


def test_equal_prices_are_ordered_by_id_so_pages_never_overlap(client, alice, settings):
    settings.CATALOG_PAGE_SIZE = 2
    same_price = [listing_at(i, seller=alice, price=Decimal("7.00")) for i in range(5)]
    seen = []
    for number in (1, 2, 3):
        params = {"sort": "price_asc", "page": number, "view": "copies"}
        seen += [listing.pk for listing in client.get(BROWSE, params).context["page"]]
    assert seen == sorted(listing.pk for listing in same_price)


# --- Pages ---------------------------------------------------------------------------


@pytest.fixture
def five_listings(alice, settings):
    settings.CATALOG_PAGE_SIZE = 2
    return [listing_at(minutes, seller=alice, book__title=f"Book {minutes}") for minutes in range(1, 6)]


def test_pages_split_the_listings_and_link_to_each_other(client, five_listings):
    first = client.get(BROWSE)
    assert titles(first) == ["Book 1", "Book 2"]
    first_body = first.content.decode()
    assert "Page 1" in first_body
    assert 'href="?page=2"' in first_body
    assert "Previous" not in first_body

    second = client.get(BROWSE, {"page": 2})
    assert titles(second) == ["Book 3", "Book 4"]
    second_body = second.content.decode()
    assert "Page 2" in second_body
    assert 'rel="prev" href="?"' in second_body  # page 1 is the bare URL
    assert 'href="?page=3"' in second_body

    last = client.get(BROWSE, {"page": 3})
    assert titles(last) == ["Book 5"]
    last_body = last.content.decode()
    assert "Next" not in last_body
    assert "First" in last_body and 'href="?page=2"' in last_body


def test_page_links_keep_the_filters(client, five_listings):
    body = client.get(BROWSE, {"condition": "very_good", "sort": "price_asc"}).content.decode()
    assert 'href="?condition=very_good&amp;sort=price_asc&amp;page=2"' in body


def test_exactly_one_full_page_has_no_next_link(client, alice, settings):
    settings.CATALOG_PAGE_SIZE = 2
    listing_at(1, seller=alice)
    listing_at(2, seller=alice)
    response = client.get(BROWSE)
    assert len(response.context["page"]) == 2
    assert "Next" not in response.content.decode()


def test_page_past_the_end_is_a_friendly_404(client, five_listings):
    response = client.get(BROWSE, {"page": 4})
    assert response.status_code == 404
    body = response.content.decode()
    assert "There is no page 4 for this search." in body
    assert "Go to the first page" in body


def test_far_page_past_the_end_is_404_too(client, five_listings):
    assert client.get(BROWSE, {"page": 9999}).status_code == 404


# --- Bad parameters ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"page": "abc"}, "page", "The page must be a whole number, 1 or more."),
        ({"page": "0"}, "page", "The page must be a whole number, 1 or more."),
        ({"page": "-3"}, "page", "The page must be a whole number, 1 or more."),
        ({"page": "10000000000000000000000"}, "page", "We only show results up to page"),
        ({"price_min": "-1"}, "price_min", "Prices cannot be negative."),
        ({"price_min": "cheap"}, "price_min", "Enter a price as a number"),
        ({"price_max": "NaN"}, "price_max", "Enter a price as a number"),
        ({"price_max": "1e30"}, "price_max", "Enter a price up to"),
        ({"price_min": "20", "price_max": "10"}, "price_max", "The highest price must not be below the lowest price."),
        ({"sort": "xyz"}, "sort", "“xyz” is not a sort order."),
        ({"condition": "bogus"}, "condition", "“bogus” is not a condition we grade books by."),
        ({"category": "nope"}, "category", "There is no category “nope”."),
        ({"language": "klingon"}, "language", "“klingon” is not a language we list."),
        ({"binding": "scroll"}, "binding", "“scroll” is not a binding we list."),
        ({"q": "x" * 500}, "q", "Searches can be at most 200 characters long (this one has 500)."),
    ],
)
def test_bad_parameters_answer_400_with_the_message_by_the_filter(client, alice, params, field, message):
    ListingFactory(seller=alice, book__title="Should not be listed on an invalid request")

    response = client.get(BROWSE, params)

    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "Some of your filters need fixing" in body
    if field != "page":  # page is not a visible control; its message is in the summary
        assert f'id="id_{field}_errors"' in body
    assert "Should not be listed" not in body


def test_bad_parameter_keeps_the_other_values_typed(client, db):
    body = client.get(BROWSE, {"q": "dune", "price_min": "-1", "price_max": "abc"}).content.decode()
    assert 'value="dune"' in body
    assert 'value="-1"' in body and 'value="abc"' in body


def test_unknown_parameters_are_ignored(client, alice):
    listing_at(1, seller=alice, book__title="Listed")
    response = client.get(BROWSE, {"utm_source": "newsletter"})
    assert response.status_code == 200
    assert titles(response) == ["Listed"]


def test_post_is_not_allowed(client, db):
    assert client.post(BROWSE).status_code == 405


# --- Query budget -----------------------------------------------------------------------


def _many_listings(count: int):
    sellers = [ShopFactory().owner for _ in range(3)]
    for i in range(count):
        listing_at(i, seller=sellers[i % 3], cover="listings/x_thumb.jpg" if i % 2 else "")


@pytest.mark.parametrize("count", [3, 30])
def test_catalog_query_budget_anonymous(client, django_assert_max_num_queries, count):
    _many_listings(count)
    with django_assert_max_num_queries(6):
        response = client.get(BROWSE, {"condition": ["very_good", "fine"], "sort": "price_asc"})
    assert len(response.context["page"]) == min(count, 24)


@pytest.mark.parametrize("count", [3, 30])
def test_catalog_query_budget_signed_in(client_for, charlie, django_assert_max_num_queries, count, settings):
    settings.CATALOG_PAGE_SIZE = 30
    _many_listings(count)
    client = client_for(charlie)
    with django_assert_max_num_queries(6):
        response = client.get(BROWSE)
    assert len(response.context["page"]) == count


def test_catalog_query_budget_for_a_seller_on_a_deep_page(client_for, alice, django_assert_max_num_queries, settings):
    settings.CATALOG_PAGE_SIZE = 3
    _many_listings(30)
    client = client_for(alice)
    with django_assert_max_num_queries(6):
        response = client.get(BROWSE, {"page": 5, "sort": "price_desc"})
    assert response.status_code == 200 and len(response.context["page"]) == 3


def test_catalog_selects_ids_one_past_the_page_and_counts_no_further_than_its_limit(client, alice, settings):
    settings.CATALOG_PAGE_SIZE = 4
    _many_listings(10)
    with CaptureQueriesContext(connection) as queries:
        client.get(BROWSE, {"page": 2, "view": "copies"})
    sql = [query["sql"] for query in queries.captured_queries]
    counts = [statement for statement in sql if is_count(statement)]
    assert len(counts) == 1 and f"LIMIT {COUNT_LIMIT + 1}" in counts[0]
    id_queries = [s for s in sql if ONLY_IDS.match(s) and not is_count(s)]
    assert len(id_queries) == 1
    assert "LIMIT 5 OFFSET 4" in id_queries[0]
    card_query = next(
        s for s in sql if not ONLY_IDS.match(s) and "IN (" in s and "catalog_listing" in s and "accounts_shop" in s
    )
    # Only what a card shows (catalog.search.pages.CARD_FIELDS): no category, no seller's account columns.
    assert "catalog_book" in card_query and "accounts_user" in card_query
    assert "catalog_category" not in card_query and "condition_notes" not in card_query
    assert '"accounts_user"."email"' not in card_query and '"catalog_book"."description"' not in card_query


def test_the_last_page_counts_without_a_count_query(client, alice, settings):
    settings.CATALOG_PAGE_SIZE = 4
    _many_listings(10)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(BROWSE, {"page": 3, "view": "copies"})
    assert not any(is_count(query["sql"]) for query in queries.captured_queries)
    assert result_count(response) == "9-10 of 10"


def result_count(response) -> str:
    match = re.search(r"<p[^>]*data-result-count>(.*?)</p>", response.content.decode(), re.S)
    # The en dash between the positions, as a hyphen: plain to type in the assertions.
    return match.group(1).strip().replace("\u2013", "-") if match else ""


def test_result_count_shows_the_page_positions_and_the_total(client, alice, settings):
    settings.CATALOG_PAGE_SIZE = 4
    _many_listings(10)
    assert result_count(client.get(BROWSE)) == "1-4 of 10"
    assert result_count(client.get(BROWSE, {"page": 2})) == "5-8 of 10"
    assert result_count(client.get(BROWSE, {"q": "nothing like this"})) == ""


def test_each_view_counts_what_it_shows_books_or_copies(client, settings):
    settings.CATALOG_PAGE_SIZE = 4
    sellers = [ShopFactory().owner for _ in range(3)]
    for number in range(5):
        book = BookFactory(title=f"Volume {number}")
        for seller in sellers:
            ListingFactory(seller=seller, book=book)
    assert result_count(client.get(BROWSE)) == "1-4 of 5"
    assert result_count(client.get(BROWSE, {"page": 2})) == "5-5 of 5"
    assert result_count(client.get(BROWSE, {"view": "copies"})) == "1-4 of 15"
    assert result_count(client.get(BROWSE, {"view": "copies", "page": 4})) == "13-15 of 15"
    spanish = client.get(BROWSE, {"view": "copies", "page": 2}, HTTP_ACCEPT_LANGUAGE="es")
    assert result_count(spanish) == "5-8 de 15"


def test_result_count_in_spanish(client, alice, settings, monkeypatch):
    monkeypatch.setattr(search_counts, "COUNT_LIMIT", 5)
    settings.CATALOG_PAGE_SIZE = 4
    _many_listings(12)
    assert result_count(client.get(BROWSE, HTTP_ACCEPT_LANGUAGE="es")) == "1-4 de más de 5"
    assert result_count(client.get(BROWSE, {"page": 3}, HTTP_ACCEPT_LANGUAGE="es")) == "9-12 de 12"


@pytest.mark.parametrize(
    ("language", "value", "shown"),
    [("en", 3412, "3,412"), ("en", 10_000, "10,000"), ("es", 3412, "3.412"), ("es", 10_000, "10.000")],
)
def test_counts_are_grouped_the_readers_way(language, value, shown):
    with translation.override(language):
        assert format_number(value) == shown


def test_result_count_stops_at_its_limit(client, alice, settings, monkeypatch):
    monkeypatch.setattr(search_counts, "COUNT_LIMIT", 5)
    settings.CATALOG_PAGE_SIZE = 4
    _many_listings(12)
    assert result_count(client.get(BROWSE)) == "1-4 of more than 5"
    assert result_count(client.get(BROWSE, {"page": 3})) == "9-12 of 12"  # the last page knows its total


def test_categories_come_from_the_cache_after_the_first_page(client, db):
    CategoryFactory(slug="travel", name="Travel")
    client.get(BROWSE)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(BROWSE)
    assert not any("catalog_category" in query["sql"] for query in queries.captured_queries)
    assert "Travel" in response.content.decode()


def test_a_user_made_inactive_around_the_services_disappears_at_the_next_check(client, alice):
    listing_at(1, seller=alice, book__title="Alice's book")
    assert titles(client.get(BROWSE)) == ["Alice's book"]
    User.objects.filter(pk=alice.pk).update(is_active=False)  # a raw update, as in a shell: no service, no save
    assert check_hidden_sellers() == 1  # the periodic check (accounts.tasks) finds and corrects it
    assert titles(client.get(BROWSE, {"view": "copies"})) == []
    # The books view reads each book's figures, which the services write again when a seller leaves.
    refresh_seller_books([alice.pk])
    assert titles(client.get(BROWSE)) == []
