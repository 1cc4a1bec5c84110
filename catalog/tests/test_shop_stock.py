"""The inventory's stock figures are counted once per change of the shop, and every way of writing listings makes
them count again: the services, the views, a sale, a cancellation, the queryset's bulk writes and deletes."""

import uuid
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Book, Listing
from catalog.selectors import _shop_figures
from catalog.services.moderation import accept_appeal, appeal_listing, hide_listing
from catalog.shop_stock import counted_fields_in, shop_stock_changed, shop_stock_figures
from conftest import ListingFactory
from orders.services import cancel_order, pay_order
from orders.tests.conftest import buy_fixture, card, carriers  # noqa: F401 - fixtures

Status = Listing.Status
# Transactional: every write commits, so each one's on-commit work runs when it would on the site.
pytestmark = pytest.mark.django_db(transaction=True)


def counting_queries(captured: CaptureQueriesContext) -> list[str]:
    """The figures' own query: the shop's listings grouped by status."""
    return [q["sql"] for q in captured.captured_queries if "catalog_listing" in q["sql"] and "GROUP BY" in q["sql"]]


def inventory_figures(client) -> tuple[dict, int]:
    """The figures the inventory shows, and how many times the page counted the shop's listings for them."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("sell:inventory"))
    assert response.status_code == 200
    return response.context["summary"], len(counting_queries(captured))


@pytest.fixture
def warm(client_for, alice):
    """alice's signed-in client, once her shop's figures are stored (a shop with no listing yet has no version: its
    first visit starts one, the second counts and stores, the third reads them)."""
    client = client_for(alice)
    inventory_figures(client)
    inventory_figures(client)
    assert inventory_figures(client)[1] == 0
    return client


def test_the_figures_are_counted_once_then_read_until_the_shop_changes(client_for, alice):
    ListingFactory(seller=alice, quantity=3)
    ListingFactory(seller=alice, quantity=0)
    ListingFactory(seller=alice, status=Status.PAUSED, quantity=2)
    client = client_for(alice)
    counts = [inventory_figures(client)[1] for _ in range(4)]
    assert counts == [1, 0, 0, 0]  # her listings' creation started the shop's version
    figures, _ = inventory_figures(client)
    assert figures == _shop_figures(alice)
    assert (figures["active"], figures["out_of_stock"], figures["copies"], figures["all"]) == (2, 1, 5, 3)


def test_each_shop_has_its_own_figures(client_for, alice, bob, warm):
    ListingFactory(seller=bob, quantity=9)  # bob's change leaves alice's figures stored
    assert inventory_figures(warm)[1] == 0
    bob_client = client_for(bob)
    assert inventory_figures(bob_client)[0]["copies"] == 9


def test_a_change_that_rolls_back_keeps_the_figures(alice, alice_listing, warm):
    with transaction.atomic():
        Listing.objects.filter(pk=alice_listing.pk).update(status=Status.PAUSED)
        transaction.set_rollback(True)
    figures, counted = inventory_figures(warm)
    assert counted == 0 and figures["active"] == 1


def test_a_price_change_keeps_the_figures(alice_listing, warm):
    alice_listing.price = Decimal("15.00")
    alice_listing.save(update_fields=["price"])
    Listing.objects.filter(pk=alice_listing.pk).update(price=F("price") + 1)
    assert inventory_figures(warm)[1] == 0


def _pause_by_view(client, listing, **_):
    assert client.post(reverse("sell:listing_pause", args=[listing.pk])).status_code == 302


def _bulk_set_quantity_by_view(client, listing, **_):
    data = {"action": "set_quantity", "scope": "selected", "ids": [listing.pk], "quantity": "0", "confirm": "yes"}
    assert client.post(reverse("sell:inventory_bulk"), data).status_code == 302


def _delete_draft_by_view(client, listing, alice, **_):
    draft = ListingFactory(seller=alice, status=Status.DRAFT)
    client.get(reverse("sell:inventory"))  # its creation counted; now the deletion must count again
    client.get(reverse("sell:inventory"))
    assert client.post(reverse("sell:listing_delete", args=[draft.pk]), {"confirm": "yes"}).status_code == 302
    assert not Listing.objects.filter(pk=draft.pk).exists()


def _sale(client, listing, buy, **_):
    buy(listing, 3)  # the last copies


def _cancelled_sale(client, listing, buy, charlie, **_):
    order = buy(listing, 3)
    inventory_figures(client)
    inventory_figures(client)
    cancel_order(order, by=charlie)


def _queryset_update(client, listing, **_):
    Listing.objects.filter(pk=listing.pk).update(quantity=F("quantity") - 3)


def _bulk_create(client, listing, alice, **_):
    Listing.objects.bulk_create([Listing(seller=alice, book=listing.book, condition="good", price=5, quantity=4)])


def _bulk_update(client, listing, **_):
    listing.status = Status.PAUSED
    Listing.objects.bulk_update([listing], ["status"])


def _queryset_delete(client, listing, alice, **_):
    draft = ListingFactory(seller=alice, status=Status.DRAFT, quantity=6)
    client.get(reverse("sell:inventory"))
    client.get(reverse("sell:inventory"))
    Listing.objects.filter(pk=draft.pk).delete()


def _instance_delete(client, listing, alice, **_):
    draft = ListingFactory(seller=alice, status=Status.DRAFT, quantity=6)
    client.get(reverse("sell:inventory"))
    client.get(reverse("sell:inventory"))
    Listing.objects.get(pk=draft.pk).delete()


def _moved_to_another_seller(client, listing, bob, **_):
    listing.seller = bob
    listing.save()


def _appeal_accepted(client, listing, alice, staff, **_):
    hidden = hide_listing(listing, by=staff, reason="The photos show another book.")
    appeal = appeal_listing(hidden, alice, "The photos are of this copy.")
    inventory_figures(client)
    inventory_figures(client)
    accept_appeal(appeal, by=staff, note="Checked, thank you.")


def _book_saved_with_its_listings(client, listing, **_):
    book = Book.objects.get(pk=listing.book_id)
    book.title = "Il nome della rosa"
    book.save()  # copies the title onto the listings: not a counted field
    Listing.objects.filter(pk=listing.pk).update(status=Status.PAUSED)


@pytest.mark.parametrize(
    "write",
    [
        _pause_by_view,
        _bulk_set_quantity_by_view,
        _delete_draft_by_view,
        _sale,
        _cancelled_sale,
        _queryset_update,
        _bulk_create,
        _bulk_update,
        _queryset_delete,
        _instance_delete,
        _moved_to_another_seller,
        _appeal_accepted,
        _book_saved_with_its_listings,
    ],
)
def test_every_write_makes_the_figures_count_again(write, alice, bob, charlie, staff, alice_listing, warm, buy):
    write(warm, alice_listing, alice=alice, bob=bob, charlie=charlie, staff=staff, buy=buy)
    figures, counted = inventory_figures(warm)
    assert counted == 1
    assert figures == _shop_figures(alice)
    if write is _appeal_accepted:
        assert figures["appeals_answered"] == 1 and figures["hidden"] == 0


def test_without_the_cache_every_visit_counts(alice, alice_listing, settings):
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    calls = []

    def count():
        calls.append(1)
        return _shop_figures(alice)

    for _ in range(3):
        assert shop_stock_figures(alice.pk, count)["active"] == 1
    assert len(calls) == 3


@pytest.mark.parametrize(
    ("fields", "counted"),
    [(None, True), (["status"], True), (["quantity", "units_sold"], True), (["seller"], True), (["price"], False)],
)
def test_which_writes_can_change_the_figures(fields, counted):
    assert counted_fields_in(fields) is counted


def _held_queries(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "orders_orderline" in q["sql"] and "SUM" in q["sql"]]


def test_the_copies_unpaid_orders_hold_show_after_a_sale_and_go_after_payment(alice, alice_listing, warm, buy):
    with CaptureQueriesContext(connection) as captured:
        warm.get(reverse("sell:inventory"))
    assert _held_queries(captured) == []  # no unpaid order holds anything of hers: the page does not ask

    order = buy(alice_listing, 2)
    html = warm.get(reverse("sell:inventory")).content.decode()
    assert "+2 in unpaid orders" in html or "+2 in an unpaid order" in html

    pay_order(order, card(), uuid.uuid4().hex)  # paid: no listing changes, the figures stay as they were
    with CaptureQueriesContext(connection) as captured:
        html = warm.get(reverse("sell:inventory")).content.decode()
    assert len(_held_queries(captured)) == 1  # so the page asks, and finds nothing held any more
    assert "unpaid order" not in html


def _version(seller_id: int):
    return cache.get(f"shop-stock:version:{seller_id}")


def test_one_transaction_renews_its_shops_together_and_a_rolled_back_savepoint_renews_none(alice, bob, charlie):
    before = {pk: _version(pk) for pk in (alice.pk, bob.pk, charlie.pk)}
    with transaction.atomic():
        shop_stock_changed([alice.pk])
        shop_stock_changed([bob.pk])
        try:
            with transaction.atomic():
                shop_stock_changed([charlie.pk])
                raise RuntimeError("roll the savepoint back")
        except RuntimeError:
            pass
        renewals = [callback for _ids, callback, _robust in connection.run_on_commit]
        assert len(renewals) == 1  # alice's and bob's together; charlie's went with its savepoint
        assert _version(alice.pk) == before[alice.pk]  # nothing before the commit
    assert _version(alice.pk) != before[alice.pk] and _version(bob.pk) != before[bob.pk]
    assert _version(charlie.pk) == before[charlie.pk]


def test_a_transaction_that_rolls_back_leaves_nothing_waiting_for_the_next(alice, bob):
    before = {pk: _version(pk) for pk in (alice.pk, bob.pk)}
    with transaction.atomic():
        shop_stock_changed([alice.pk])
        transaction.set_rollback(True)
    with transaction.atomic():
        shop_stock_changed([bob.pk])
    assert _version(alice.pk) == before[alice.pk]
    assert _version(bob.pk) != before[bob.pk]
