"""Bulk actions on the inventory: the rules, the preview, personas, query counts and one transaction."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Book, Listing
from catalog.selectors import InventoryFilters
from catalog.services.bulk import BulkAction, Selection, Skip, apply_bulk_action, new_price, preview_bulk_action
from conftest import CategoryFactory, ListingFactory
from orders.models import Order
from orders.services import expire_unpaid_orders
from orders.tests.conftest import buy_fixture, carriers  # noqa: F401 - fixtures

Status = Listing.Status
pytestmark = pytest.mark.django_db
URL = reverse("sell:inventory_bulk")


def ids(*listings) -> Selection:
    return Selection.of_ids(listing.pk for listing in listings)


def fresh(listing) -> Listing:
    return Listing.objects.get(pk=listing.pk)


def make_listings(seller, count: int, **fields) -> list[Listing]:
    """``count`` listings of one book, created in two queries (factories would take minutes for thousands)."""
    book = Book.objects.create(title="Bulk book", authors="Many Copies", category=CategoryFactory())
    values = {"condition": "good", "price": Decimal("10.00"), "quantity": 2, "status": Status.ACTIVE, **fields}
    Listing.objects.bulk_create([Listing(seller=seller, book=book, **values) for _ in range(count)])
    return list(Listing.objects.filter(seller=seller, book=book).order_by("pk"))


# --- The rules ------------------------------------------------------------------


def test_pause_and_resume_follow_the_state_machine(alice):
    active = ListingFactory(seller=alice)
    paused = ListingFactory(seller=alice, status=Status.PAUSED)
    empty = ListingFactory(seller=alice, status=Status.PAUSED, quantity=0)
    hidden = ListingFactory(seller=alice, status=Status.HIDDEN, status_before_hidden=Status.PAUSED)
    draft = ListingFactory(seller=alice, status=Status.DRAFT, published_at=None)
    everything = ids(active, paused, empty, hidden, draft)

    outcome = apply_bulk_action(alice, BulkAction.PAUSE, None, everything)
    assert outcome.changed == 1 and outcome.skipped == {Skip.NOT_ACTIVE: 4}
    assert fresh(active).status == Status.PAUSED

    outcome = apply_bulk_action(alice, BulkAction.RESUME, None, everything)
    assert outcome.changed == 2  # the two paused with stock
    assert outcome.skipped == {Skip.NO_STOCK: 1, Skip.NOT_PAUSED: 2}
    assert fresh(active).status == fresh(paused).status == Status.ACTIVE
    assert fresh(empty).status == Status.PAUSED
    assert fresh(hidden).status == Status.HIDDEN  # staff's hiding is never undone by the seller
    assert fresh(draft).status == Status.DRAFT  # resuming does not publish a draft


def test_set_quantity_leaves_archived_listings_alone(alice):
    active = ListingFactory(seller=alice, quantity=3)
    archived = ListingFactory(seller=alice, status=Status.ARCHIVED, quantity=1)
    outcome = apply_bulk_action(alice, BulkAction.SET_QUANTITY, 9, ids(active, archived))
    assert outcome.changed == 1 and outcome.skipped == {Skip.ARCHIVED: 1}
    assert fresh(active).quantity == 9 and fresh(archived).quantity == 1


def test_delete_deletes_unsold_archives_sold_and_hidden(alice):
    unsold = ListingFactory(seller=alice)
    sold = ListingFactory(seller=alice, units_sold=2)
    hidden = ListingFactory(seller=alice, status=Status.HIDDEN)
    outcome = apply_bulk_action(alice, BulkAction.DELETE, None, ids(unsold, sold, hidden))
    assert (outcome.deleted, outcome.archived) == (1, 2)
    assert not Listing.objects.filter(pk=unsold.pk).exists()
    assert fresh(sold).status == fresh(hidden).status == Status.ARCHIVED


def test_a_listing_in_an_unpaid_order_keeps_its_reserved_copies(alice, buy, settings):
    listing = ListingFactory(seller=alice, quantity=5)
    order = buy(listing, 2)
    assert fresh(listing).quantity == 3  # checkout took the two copies out of what is for sale

    # Setting the quantity sets what is for sale: the order still holds its two copies.
    apply_bulk_action(alice, BulkAction.SET_QUANTITY, 0, ids(listing))
    assert fresh(listing).quantity == 0
    assert sum(order.lines.values_list("quantity", flat=True)) == 2

    # Deleting it would strand those copies on a retired listing: it is paused instead.
    outcome = apply_bulk_action(alice, BulkAction.DELETE, None, ids(listing))
    assert outcome.paused_instead == 1 and outcome.deleted == outcome.archived == 0
    assert fresh(listing).status == Status.PAUSED

    # If the buyer does not pay, the copies come back to the listing, which can go on sale again.
    Order.objects.filter(pk=order.pk).update(expires_at="2000-01-01T00:00:00Z")
    expire_unpaid_orders()
    assert fresh(listing).quantity == 2
    apply_bulk_action(alice, BulkAction.RESUME, None, ids(listing))
    assert fresh(listing).status == Status.ACTIVE


def test_the_inventory_shows_the_copies_unpaid_orders_hold(client_for, alice, buy):
    listing = ListingFactory(seller=alice, quantity=5)
    buy(listing, 2)
    html = client_for(alice).get(reverse("sell:inventory")).content.decode()
    assert "+2 in unpaid orders" in html


@pytest.mark.parametrize(
    ("price", "action", "value", "expected"),
    [
        ("10.00", "price_percent", "10", "11.00"),
        ("10.05", "price_percent", "10", "11.06"),  # 11.055 rounds half up
        ("0.99", "price_percent", "-50", "0.50"),  # 0.495 rounds half up
        ("19.99", "price_percent", "-12.5", "17.49"),  # 17.49125
        ("1.01", "price_percent", "33.33", "1.35"),  # 1.346633
        ("12.34", "price_percent", "7.77", "13.30"),  # 13.298818
        ("99.99", "price_amount", "-0.99", "99.00"),
        ("5.00", "price_amount", "2.5", "7.50"),
    ],
)
def test_price_changes_round_to_cents_in_the_database_as_in_the_preview(alice, price, action, value, expected):
    listing = ListingFactory(seller=alice, price=Decimal(price))
    assert new_price(Decimal(price), action, Decimal(value)) == Decimal(expected)
    apply_bulk_action(alice, action, Decimal(value), ids(listing))
    assert fresh(listing).price == Decimal(expected)


def test_a_price_change_that_leaves_the_limits_changes_nothing(alice):
    cheap = ListingFactory(seller=alice, price=Decimal("1.00"))
    dear = ListingFactory(seller=alice, price=Decimal("30.00"))
    with pytest.raises(ValidationError, match="1 listing"):
        apply_bulk_action(alice, BulkAction.PRICE_AMOUNT, Decimal("-5.00"), ids(cheap, dear))
    assert fresh(cheap).price == Decimal("1.00") and fresh(dear).price == Decimal("30.00")
    preview = preview_bulk_action(alice, BulkAction.PRICE_PERCENT, Decimal("-90"), ids(cheap, dear))
    assert preview.out_of_range == 0  # 0.10 and 3.00 are allowed


@pytest.mark.parametrize(
    ("action", "value"),
    [
        ("explode", None),
        ("set_quantity", -1),
        ("set_quantity", 1000),
        ("set_quantity", True),
        ("price_percent", Decimal("-95")),
        ("price_percent", Decimal("0")),
        ("price_amount", Decimal("0.001")),
        ("price_amount", Decimal("NaN")),
    ],
)
def test_bad_values_are_refused_by_the_service(alice, alice_listing, action, value):
    with pytest.raises(ValidationError):
        apply_bulk_action(alice, action, value, ids(alice_listing))


def test_all_matching_uses_the_search_and_filters(alice):
    eco = ListingFactory(seller=alice, book__authors="Umberto Eco", condition="good")
    eco_fine = ListingFactory(seller=alice, book__authors="Umberto Eco", condition="fine")
    # A fixed title: the factory's random words ("become", "second") could hold the "eco" searched for.
    other = ListingFactory(seller=alice, book__title="Walden", book__authors="Someone Else", condition="good")
    selection = Selection.matching(InventoryFilters(q="eco", condition="good"))
    apply_bulk_action(alice, BulkAction.PAUSE, None, selection)
    assert [fresh(x).status for x in (eco, eco_fine, other)] == [Status.PAUSED, Status.ACTIVE, Status.ACTIVE]


def test_the_catalog_caches_are_told_once(alice, django_capture_on_commit_callbacks):
    listings = make_listings(alice, 30)
    with django_capture_on_commit_callbacks() as callbacks:
        apply_bulk_action(alice, BulkAction.PRICE_PERCENT, Decimal("5"), ids(*listings))
    # The caches' version bump, and the hand-over of the job that matches buyers' wants (one for all 30).
    assert [callback.__name__ for callback in callbacks] == ["_bump_version", "jobs.hand_over"]


# --- Other sellers ----------------------------------------------------------------


def test_another_sellers_ids_change_nothing_and_are_counted(alice, bob, alice_listing, bob_listing):
    outcome = apply_bulk_action(alice, BulkAction.PRICE_AMOUNT, Decimal("1"), ids(alice_listing, bob_listing))
    assert outcome.changed == 1 and outcome.not_found == 1
    assert fresh(bob_listing).price == Decimal("9.99")
    outcome = apply_bulk_action(alice, BulkAction.DELETE, None, Selection.matching(InventoryFilters(q="dune")))
    assert outcome.total == 0 and fresh(bob_listing).status == Status.ACTIVE


@pytest.mark.parametrize("action", ["pause", "delete", "set_quantity", "price_percent"])
def test_posting_another_sellers_ids_is_a_404_that_says_so(client_for, bob, alice_listing, action):
    data = {"action": action, "scope": "selected", "ids": [alice_listing.pk], "quantity": "0", "percent": "10"}
    response = client_for(bob).post(URL, {**data, "confirm": "yes"})
    assert response.status_code == 404
    assert "None of the selected listings is in your shop" in response.content.decode()
    after = fresh(alice_listing)
    assert (after.status, after.quantity, after.price) == (Status.ACTIVE, 3, Decimal("12.50"))


def test_all_matching_from_another_seller_reaches_only_their_own(client_for, bob, alice_listing, bob_listing):
    response = client_for(bob).post(URL, {"action": "pause", "scope": "matching", "status": "all"})
    assert response.status_code == 302
    assert fresh(alice_listing).status == Status.ACTIVE and fresh(bob_listing).status == Status.PAUSED


def test_anonymous_and_shopless_users_are_sent_away(client, client_for, charlie, alice_listing):
    data = {"action": "pause", "scope": "selected", "ids": [alice_listing.pk]}
    assert "/accounts/login/" in client.post(URL, data).url
    assert client_for(charlie).post(URL, data).url == reverse("accounts:shop_edit")
    assert fresh(alice_listing).status == Status.ACTIVE


def test_get_is_405(client_for, alice):
    assert client_for(alice).get(URL).status_code == 405


# --- The pages ----------------------------------------------------------------------


def test_pause_from_the_page_returns_to_the_search(client_for, alice, alice_listing):
    back = reverse("sell:inventory") + "?q=rose"
    data = {"action": "pause", "scope": "selected", "ids": [alice_listing.pk], "next": back}
    response = client_for(alice).post(URL, data)
    assert response.status_code == 302 and response.url == back
    assert fresh(alice_listing).status == Status.PAUSED


def test_price_change_shows_a_preview_then_applies_on_confirmation(client_for, alice):
    listings = make_listings(alice, 30, price=Decimal("10.00"))
    client = client_for(alice)
    data = {"action": "price_percent", "percent": "10", "scope": "matching", "status": "all", "q": "bulk"}
    preview = client.post(URL, data)
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "30 listings" in html and "$10.00" in html and "$11.00" in html
    assert len(preview.context["outcome"].sample) == 20
    assert fresh(listings[0]).price == Decimal("10.00")  # nothing changed yet
    done = client.post(URL, {**data, "confirm": "yes"})
    assert done.status_code == 302
    assert set(Listing.objects.filter(seller=alice).values_list("price", flat=True)) == {Decimal("11.00")}
    assert "Prices changed on 30 listings." in client.get(done.url).content.decode()


def test_delete_asks_for_confirmation(client_for, alice, alice_listing):
    client = client_for(alice)
    data = {"action": "delete", "scope": "selected", "ids": [alice_listing.pk]}
    preview = client.post(URL, data)
    assert preview.status_code == 200 and "1 listing will be deleted." in preview.content.decode()
    assert Listing.objects.filter(pk=alice_listing.pk).exists()
    client.post(URL, {**data, "confirm": "yes"})
    assert not Listing.objects.filter(pk=alice_listing.pk).exists()


def test_a_price_out_of_the_limits_is_explained_on_the_preview(client_for, alice):
    listing = ListingFactory(seller=alice, price=Decimal("1.00"))
    data = {"action": "price_amount", "amount": "-2", "scope": "selected", "ids": [listing.pk]}
    client = client_for(alice)
    html = client.post(URL, data).content.decode()
    assert "out of the allowed range" in html and "Change the prices" not in html
    response = client.post(URL, {**data, "confirm": "yes"})
    assert response.status_code == 400 and "nothing was changed" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "melt", "scope": "selected", "ids": ["1"]}, "Select a valid choice"),
        ({"action": "pause", "scope": "selected"}, "Select at least one listing first."),
        ({"action": "pause", "scope": "selected", "ids": ["x"]}, "The selection is not valid"),
        ({"action": "pause", "scope": "everything", "ids": ["1"]}, "Select a valid choice"),
        ({"action": "set_quantity", "scope": "selected", "ids": ["1"]}, "This action needs a value."),
        ({"action": "set_quantity", "scope": "selected", "ids": ["1"], "quantity": "-3"}, "greater than or equal"),
        ({"action": "price_amount", "scope": "selected", "ids": ["1"], "amount": "1,5O"}, "Enter a number."),
        ({"action": "price_amount", "scope": "selected", "ids": ["1"], "amount": "0.001"}, "decimal places"),
        ({"action": "price_percent", "scope": "selected", "ids": ["1"], "percent": "-95"}, "greater than or equal"),
        ({"action": "price_percent", "scope": "selected", "ids": ["1"], "percent": "0"}, "other than zero"),
        ({"action": "pause", "scope": "matching", "condition": "mint"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_a_400_with_a_message(client_for, alice, alice_listing, data, message):
    response = client_for(alice).post(URL, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert fresh(alice_listing).status == Status.ACTIVE


def test_too_many_ticked_ids_are_refused(client_for, alice):
    data = {"action": "pause", "scope": "selected", "ids": [str(n) for n in range(1, 502)]}
    response = client_for(alice).post(URL, data)
    assert response.status_code == 400 and "at most 500" in response.content.decode()


# --- Scale: one transaction, constant queries -------------------------------------


def _count_queries(callable_) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        callable_()
    return [query["sql"] for query in context.captured_queries]


@pytest.mark.parametrize(
    ("action", "value"),
    [
        (BulkAction.PRICE_PERCENT, Decimal("10")),
        (BulkAction.PRICE_AMOUNT, Decimal("-1.25")),
        (BulkAction.PAUSE, None),
        (BulkAction.SET_QUANTITY, 4),
    ],
)
def test_the_query_count_is_the_same_for_10_and_5000_listings(alice, bob, action, value):
    few, many = make_listings(alice, 10), make_listings(bob, 5000)
    small = _count_queries(lambda: apply_bulk_action(alice, action, value, Selection.matching(InventoryFilters())))
    large = _count_queries(lambda: apply_bulk_action(bob, action, value, Selection.matching(InventoryFilters())))
    assert len(small) == len(large)
    # One transaction: everything between one savepoint or BEGIN and its release or COMMIT.
    statements = [sql for sql in large if not sql.upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT"))]
    # The listings' statements; the wants job (a pause offers nothing) is one row whatever the number of listings.
    job = [sql for sql in statements if '"jobs_job"' in sql or "`jobs_job`" in sql]
    # The books' figures (catalog.book_stats): lock the books, group their copies, find covers, delete, upsert.
    figures = 5
    assert len(statements) - len(job) <= 4 + figures and len(job) <= (0 if action == BulkAction.PAUSE else 2)
    assert Listing.objects.filter(seller=bob).exclude(updated_at=many[0].updated_at).count() == 5000
    assert Listing.objects.filter(seller=alice).count() == len(few)


def test_a_price_change_on_5000_listings_is_one_transaction(alice, django_assert_num_queries):
    listings = make_listings(alice, 5000, price=Decimal("10.05"))
    selection = Selection.matching(InventoryFilters())
    # the ids, the locked rows, one UPDATE (and the test's own transaction's savepoint and release), then the one
    # job that matches buyers' wants against the new prices (a look for the same key, its savepoint and insert);
    # and the books' figures (catalog.book_stats: lock the books, group their copies, their covers, upsert)
    with django_assert_num_queries(13) as captured:
        outcome = apply_bulk_action(alice, BulkAction.PRICE_PERCENT, Decimal("10"), selection)
    assert outcome.changed == 5000
    sql = [query["sql"] for query in captured.captured_queries]
    assert sql[0].startswith("SAVEPOINT") and sql[-1].startswith("RELEASE SAVEPOINT")
    assert sum(1 for statement in sql if statement.startswith("UPDATE")) == 1
    assert set(Listing.objects.filter(seller=alice).values_list("price", flat=True)) == {Decimal("11.06")}
    assert fresh(listings[-1]).price == Decimal("11.06")


def test_the_one_listing_delete_is_refused_while_an_unpaid_order_holds_copies(client_for, alice, buy):
    listing = ListingFactory(seller=alice, quantity=5)
    buy(listing, 1)
    url = reverse("sell:listing_delete", args=[listing.pk])
    response = client_for(alice).post(url, {"confirm": "yes"}, follow=True)
    assert "in an order awaiting payment" in response.content.decode()
    assert fresh(listing).status == Status.ACTIVE
