"""The inventory page at scale: search, filters, sort, pagination, parameter validation, query budget."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Listing
from catalog.selectors import InventoryFilters, inventory_listings, inventory_page
from conftest import ListingFactory, mysql_only

Status = Listing.Status
Condition = Listing.Condition
pytestmark = pytest.mark.django_db

URL = reverse("sell:inventory")


def titles(response) -> list[str]:
    return [listing.book.title for listing in response.context["page"].object_list]


@pytest.fixture
def shelf(alice):
    """Four of alice's listings with distinct figures, and one of bob's that must never show."""
    return {
        "rose": ListingFactory(
            seller=alice,
            book__title="The Name of the Rose",
            book__authors="Umberto Eco",
            book__isbn13="9780156001311",
            price=Decimal("12.50"),
            quantity=3,
            condition=Condition.GOOD,
        ),
        "pendulum": ListingFactory(
            seller=alice,
            book__title="Foucault's Pendulum",
            book__authors="Umberto Eco",
            price=Decimal("8.00"),
            quantity=1,
            condition=Condition.AS_NEW,
            status=Status.PAUSED,
        ),
        "dune": ListingFactory(
            seller=alice,
            book__title="Dune",
            book__authors="Frank Herbert",
            price=Decimal("20.00"),
            quantity=7,
            condition=Condition.POOR,
        ),
        "middlemarch": ListingFactory(
            seller=alice,
            book__title="Middlemarch",
            book__authors="George Eliot",
            price=Decimal("5.25"),
            quantity=0,
            condition=Condition.FINE,
            status=Status.DRAFT,
        ),
    }


@pytest.fixture
def bobs(bob):
    return ListingFactory(seller=bob, book__title="The Name of the Rose, Bob's copy", book__authors="Umberto Eco")


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("eco", {"The Name of the Rose", "Foucault's Pendulum"}),
        ("ECO rose", {"The Name of the Rose"}),
        ("herbert", {"Dune"}),
        ("978-0-15-600131-1", {"The Name of the Rose"}),  # ISBN-13 with hyphens
        ("0156001314", {"The Name of the Rose"}),  # the same book's ISBN-10
        ("600131", {"The Name of the Rose"}),  # part of the ISBN
        ("nothing like it", set()),
    ],
)
def test_search_finds_my_listings_by_title_author_or_isbn(client_for, alice, shelf, bobs, q, expected):
    response = client_for(alice).get(URL, {"q": q})
    assert response.status_code == 200
    assert set(titles(response)) == expected


def test_search_finds_my_listings_by_sku(client_for, alice, bob, shelf):
    Listing.objects.filter(pk=shelf["dune"].pk).update(sku="SHELF-A-017")
    Listing.objects.filter(pk=shelf["rose"].pk).update(sku="SHELF-B-002")
    ListingFactory(seller=bob, sku="SHELF-A-018", book__title="Bob's shelf")
    client = client_for(alice)
    assert titles(client.get(URL, {"q": "shelf-a-017"})) == ["Dune"]  # the whole code, any case
    assert set(titles(client.get(URL, {"q": "SHELF-"}))) == {"Dune", "The Name of the Rose"}  # its start


def test_search_and_filters_never_show_another_sellers_listings(client_for, bob, shelf, bobs):
    response = client_for(bob).get(URL, {"q": "eco"})
    assert titles(response) == ["The Name of the Rose, Bob's copy"]


def test_filter_by_condition_and_status_combine_with_the_search(client_for, alice, shelf):
    client = client_for(alice)
    assert titles(client.get(URL, {"condition": "as_new"})) == ["Foucault's Pendulum"]
    assert titles(client.get(URL, {"q": "eco", "status": "active"})) == ["The Name of the Rose"]
    assert titles(client.get(URL, {"q": "eco", "status": "active", "condition": "as_new"})) == []


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("title", ["Dune", "Foucault's Pendulum", "Middlemarch", "The Name of the Rose"]),
        ("-title", ["The Name of the Rose", "Middlemarch", "Foucault's Pendulum", "Dune"]),
        ("price", ["Middlemarch", "Foucault's Pendulum", "The Name of the Rose", "Dune"]),
        ("-price", ["Dune", "The Name of the Rose", "Foucault's Pendulum", "Middlemarch"]),
        ("quantity", ["Middlemarch", "Foucault's Pendulum", "The Name of the Rose", "Dune"]),
        ("-quantity", ["Dune", "The Name of the Rose", "Foucault's Pendulum", "Middlemarch"]),
        ("condition", ["Foucault's Pendulum", "Middlemarch", "The Name of the Rose", "Dune"]),  # best first
        ("-condition", ["Dune", "The Name of the Rose", "Middlemarch", "Foucault's Pendulum"]),
    ],
)
def test_sort_by_any_column(client_for, alice, shelf, sort, expected):
    response = client_for(alice).get(URL, {"sort": sort})
    assert response.status_code == 200
    assert titles(response) == expected


def test_sort_by_status_and_by_last_change(client_for, alice, shelf):
    client = client_for(alice)
    statuses = [listing.status for listing in client.get(URL, {"sort": "status"}).context["page"].object_list]
    assert statuses == sorted(statuses)
    Listing.objects.filter(pk=shelf["dune"].pk).update(updated_at="2000-01-01T00:00:00Z")
    assert titles(client.get(URL, {"sort": "updated"}))[0] == "Dune"
    assert titles(client.get(URL))[-1] == "Dune"  # the default: most recently changed first


def test_column_headings_link_to_their_sort_and_say_which_is_current(client_for, alice, shelf):
    html = client_for(alice).get(URL, {"sort": "price", "q": "e"}).content.decode()
    assert 'aria-sort="ascending"' in html
    assert "?sort=-price&amp;q=e" in html or "?q=e&amp;sort=-price" in html  # a second click reverses it


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sort": "price; DROP TABLE"}, "sort order does not exist"),
        ({"condition": "like new-ish"}, "condition does not exist"),
        ({"status": "sold'--"}, "status filter does not exist"),
        ({"q": "x" * 101}, "search is too long"),
    ],
)
def test_a_bad_parameter_is_a_400_with_a_message_and_is_left_out(client_for, alice, shelf, params, message):
    response = client_for(alice).get(URL, {"q": "eco", **params} if "q" not in params else params)
    assert response.status_code == 400
    assert message in response.content.decode()
    shown = set(titles(response))
    assert shown  # the page still lists what the good parameters ask for
    if "q" not in params:
        assert shown == {"The Name of the Rose", "Foucault's Pendulum"}


@pytest.mark.parametrize("page", ["nonsense", "0", "-1", "99999", "1.5"])
def test_a_bad_page_number_shows_a_page_rather_than_an_error(client_for, alice, shelf, page):
    assert client_for(alice).get(URL, {"page": page}).status_code == 200


def test_pagination_keeps_the_search_and_sort(client_for, alice):
    ListingFactory.create_batch(30, seller=alice, book__authors="Jane Austen")
    ListingFactory.create_batch(3, seller=alice, book__authors="Someone Else")
    client = client_for(alice)
    first = client.get(URL, {"q": "austen", "sort": "price"})
    assert first.context["page"].paginator.count == 30
    html = first.content.decode()
    assert "page=2" in html and "q=austen" in html and "sort=price" in html
    second = client.get(URL, {"q": "austen", "sort": "price", "page": "2"})
    assert len(second.context["page"].object_list) == 5


def test_the_search_form_and_empty_result_are_shown(client_for, alice, shelf):
    response = client_for(alice).get(URL, {"q": "zzz"})
    html = response.content.decode()
    assert 'id="inventory-q"' in html and 'value="zzz"' in html
    assert "No listings match your search." in html


# session, user, shop, the stock summary and answered appeals, [the count,] the page's ids, its rows, and the
# copies unpaid orders hold: a search reads its matching ids in one pass that also counts them.
@pytest.mark.parametrize(
    ("params", "queries"),
    [
        ({"q": "austen", "sort": "-price", "condition": "very_good"}, 8),
        ({"sort": "-price", "condition": "very_good"}, 9),
    ],
)
def test_query_count_is_the_same_for_a_page_of_3_and_of_25_listings(
    client_for, alice, django_assert_num_queries, params, queries, django_capture_on_commit_callbacks
):
    client = client_for(alice)
    with django_capture_on_commit_callbacks(execute=True):  # as on the site: the shop's stock figures are renewed
        ListingFactory.create_batch(3, seller=alice, book__authors="Jane Austen", condition=Condition.VERY_GOOD)
    with django_assert_num_queries(queries) as few:
        client.get(URL, params)
    with django_capture_on_commit_callbacks(execute=True):
        ListingFactory.create_batch(40, seller=alice, book__authors="Jane Austen", condition=Condition.VERY_GOOD)
    with django_assert_num_queries(len(few)):
        response = client.get(URL, params)
    assert len(response.context["page"].object_list) == 25
    assert response.context["page"].paginator.count == 43


@pytest.mark.parametrize("who", ["anonymous", "charlie"])
def test_outsiders_do_not_get_the_inventory(client, client_for, charlie, who):
    response = client.get(URL) if who == "anonymous" else client_for(charlie).get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response.url or response.url == reverse("accounts:shop_edit")


def test_staff_without_a_shop_is_sent_to_set_one_up(client_for, staff):
    assert client_for(staff).get(URL).url == reverse("accounts:shop_edit")


def test_the_inventory_is_read_only_to_post(client_for, alice):
    assert client_for(alice).post(URL).status_code == 405


def test_every_sortable_column_has_both_orders_in_the_sort_menu():
    from catalog.forms.inventory import SORT_CHOICES, SORTABLE_COLUMNS
    from catalog.selectors import INVENTORY_SORTS

    values = {value for value, _label in SORT_CHOICES}
    assert values == {f"{sign}{key}" for key in INVENTORY_SORTS for sign in ("", "-")}
    assert {key for key, _label in SORTABLE_COLUMNS} == set(INVENTORY_SORTS)


@pytest.mark.parametrize("q", ["marquez", "MÁRQUEZ", "garcia", "cien anos", "CIEN AÑOS soledad"])
def test_search_ignores_accents_and_case_on_every_database(client_for, alice, q):
    ListingFactory(seller=alice, book__title="Cien años de soledad", book__authors="Gabriel García Márquez")
    ListingFactory(seller=alice, book__title="Marquee Moon Stories", book__authors="Tom Verlaine")
    assert titles(client_for(alice).get(URL, {"q": q})) == ["Cien años de soledad"]


def test_without_a_search_the_status_tabs_count_serves_the_pager(client_for, alice, django_assert_num_queries):
    client = client_for(alice)
    ListingFactory.create_batch(30, seller=alice, status=Status.PAUSED)
    client.get(URL)
    # session, user, shop, the stock summary and answered appeals, the page's ids, its rows, the unpaid holds:
    # no COUNT, as the summary's figure for the tab is the number of matching listings
    with django_assert_num_queries(8):
        response = client.get(URL, {"status": "paused", "sort": "price"})
    page = response.context["page"]
    assert page.paginator.count == 30
    assert page.paginator.num_pages == 2
    assert len(page.object_list) == 25


def test_condition_sorts_from_the_best_grade_to_the_worst_and_back(client_for, alice):
    for condition in (Condition.GOOD, Condition.AS_NEW, Condition.POOR, Condition.FINE):
        ListingFactory(seller=alice, condition=condition, book__title=condition.label)
    client = client_for(alice)
    best_first = titles(client.get(URL, {"sort": "condition"}))
    assert best_first == ["As New", "Fine", "Good", "Poor"]
    assert titles(client.get(URL, {"sort": "-condition"})) == best_first[::-1]


# How MariaDB reads one page of a large shop: from the sort's index, never by sorting every listing of the shop.
PLANNED_ORDERS = [
    *("-updated", "updated", "price", "-price", "quantity", "-quantity", "condition", "-condition", "title", "-title")
]


@mysql_only
@pytest.mark.parametrize("sort", PLANNED_ORDERS)
def test_every_inventory_order_reads_a_page_from_an_index_without_sorting_the_shop(alice, sort):
    ListingFactory.create_batch(40, seller=alice)
    ids = inventory_listings(alice, InventoryFilters(sort=sort)).values_list("pk", flat=True)[:25]
    sql, params = ids.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN FORMAT=JSON {sql}", params)
        plan = json.dumps(json.loads(cursor.fetchone()[0]))
    assert "filesort" not in plan, plan


@mysql_only
@pytest.mark.parametrize("sort", ["status", "-status"])
def test_the_status_order_reads_a_page_from_its_index(alice, sort):
    # Enough listings, in every status, that the optimizer weighs a sort of the shop against the index.
    book = ListingFactory(seller=alice).book
    statuses = [Status.ACTIVE, Status.PAUSED, Status.DRAFT, Status.ARCHIVED]
    Listing.objects.bulk_create(
        Listing(seller=alice, book=book, condition="good", price=Decimal("5.00"), quantity=1, status=statuses[n % 4])
        for n in range(2_000)
    )
    ids = inventory_listings(alice, InventoryFilters(sort=sort)).values_list("pk", flat=True)[:25]
    sql, params = ids.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN FORMAT=JSON {sql}", params)
        plan = json.loads(cursor.fetchone()[0])
    assert "filesort" not in json.dumps(plan), plan
    [table] = _tables(plan)
    assert table["key"] == "listing_seller_status_idx", table


@mysql_only
def test_an_isbn_search_reads_the_book_by_its_isbn_not_the_shops_listings(alice, shelf):
    ListingFactory.create_batch(40, seller=alice)
    ids = inventory_listings(alice, InventoryFilters(q="978-0-15-600131-1")).values_list("pk", flat=True)
    assert list(ids) == [shelf["rose"].pk]
    sql, params = ids.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN FORMAT=JSON {sql}", params)
        plan = json.loads(cursor.fetchone()[0])
    assert "catalog_book" not in json.dumps(plan.get("query_block", {}).get("nested_loop", plan)), plan


@mysql_only
def test_a_condition_filter_is_counted_from_an_index_without_reading_the_listings(alice):
    ListingFactory.create_batch(40, seller=alice)
    matching = inventory_listings(alice, InventoryFilters(condition="good")).order_by().values_list("pk", flat=True)
    sql, params = matching.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN FORMAT=JSON {sql}", params)
        table = json.loads(cursor.fetchone()[0])["query_block"]["nested_loop"][0]["table"]
    assert table["key"] == "listing_seller_condition_idx", table
    assert table.get("using_index") is True, table


def _tables(plan):
    """Every table access in an EXPLAIN FORMAT=JSON plan, however deeply it is nested."""
    if isinstance(plan, dict):
        if "table_name" in plan:
            yield plan
        for value in plan.values():
            yield from _tables(value)
    elif isinstance(plan, list):
        for value in plan:
            yield from _tables(value)


@mysql_only
def test_a_search_by_words_reads_the_shops_search_index_alone(alice, shelf):
    # Fixed words: the factory's random titles and names ("Rose Smith") could hold the "rose" searched for.
    ListingFactory.create_batch(40, seller=alice, book__title="Walden", book__authors="Henry Thoreau")
    with CaptureQueriesContext(connection) as captured:
        page = inventory_page(alice, InventoryFilters(q="rose", sort="price"), 1, 25)
    assert [listing.pk for listing in page.object_list] == [shelf["rose"].pk]
    [search] = [query["sql"] for query in captured.captured_queries if "listing_seller_search_idx" in query["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN FORMAT=JSON {search}")
        [table] = _tables(json.loads(cursor.fetchone()[0]))
    assert table["key"] == "listing_seller_search_idx" and table.get("using_index") is True, table
