"""Vacation mode: a seller closes the shop until a return date; it reopens by itself or by hand."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Shop
from accounts.services import close_for_vacation, reopen_returned_shops, reopen_shop
from accounts.tasks import reopen_returned_shops_task
from conftest import UserFactory
from jobs.models import ScheduledRun
from orders.errors import CartError
from orders.models import Shipment
from orders.services import add_to_cart, get_or_create_cart, pay_order
from orders.services.cart_summary import cart_summary
from orders.services.shipments import mark_shipped
from orders.tests.conftest import card

pytestmark = pytest.mark.django_db

VACATION = reverse("accounts:vacation")


def today():
    return timezone.localdate()


def away(shop: Shop, days: int = 7, message: str = "Back soon with more books") -> Shop:
    return close_for_vacation(shop, today() + timedelta(days=days), message)


# --- Rules --------------------------------------------------------------------


def test_the_return_date_must_be_ahead_and_within_a_year(alice):
    for days in (0, -1, 366):
        with pytest.raises(ValidationError):
            close_for_vacation(alice.shop, today() + timedelta(days=days))
    assert not Shop.objects.get(pk=alice.shop.pk).is_away


def test_away_listings_leave_browse_search_and_the_shop_page(client, alice, alice_listing, bob_listing):
    away(alice.shop)
    for url in ["/books/", "/books/?q=Rose", f"/shops/{alice.shop.slug}/", "/"]:
        page = client.get(url).content.decode()
        assert "The Name of the Rose" not in page, url
    shop_page = client.get(alice.shop.get_absolute_url()).content.decode()
    assert "Back soon with more books" in shop_page
    assert "Dune" in client.get("/books/").content.decode()


def test_the_listing_page_shows_the_message_and_no_add_to_cart(client_for, charlie, alice, alice_listing):
    away(alice.shop)
    page = client_for(charlie).get(alice_listing.get_absolute_url()).content.decode()
    assert "Back soon with more books" in page
    assert reverse("orders:cart_add", kwargs={"listing_id": alice_listing.pk}) not in page
    assert "Not available while the seller is away" in page


def test_add_to_cart_is_refused_with_a_clear_message(client_for, charlie, alice, alice_listing):
    away(alice.shop)
    with pytest.raises(CartError) as exc:
        add_to_cart(get_or_create_cart(user=charlie), alice_listing, 1)
    assert exc.value.code == "shop_away"
    assert "away until" in str(exc.value)
    response = client_for(charlie).post(
        reverse("orders:cart_add", kwargs={"listing_id": alice_listing.pk}), {"quantity": 1}
    )
    assert response.status_code in (400, 409)
    assert "away until" in response.content.decode()


def test_lines_already_in_carts_are_flagged_and_checkout_refuses_them(client_for, charlie, alice, alice_listing):
    cart = get_or_create_cart(user=charlie)
    add_to_cart(cart, alice_listing, 1)
    away(alice.shop)
    summary = cart_summary(cart)
    assert summary.problems[0].code == "shop_away"
    assert not summary.can_checkout
    page = client_for(charlie).get(reverse("orders:cart")).content.decode()
    assert "away until" in page


def test_reopening_by_hand_brings_the_listings_back(client, alice, alice_listing):
    away(alice.shop)
    reopen_shop(alice.shop)
    assert not Shop.objects.get(pk=alice.shop.pk).is_away
    assert "The Name of the Rose" in client.get("/books/").content.decode()


def test_the_periodic_task_reopens_shops_on_their_return_date_once_per_period(alice, bob):
    away(alice.shop, days=1)
    away(bob.shop, days=5)
    assert reopen_returned_shops() == 0
    Shop.objects.filter(pk=alice.shop.pk).update(away_until=today())
    reopen_returned_shops_task()
    reopen_returned_shops_task()
    assert not Shop.objects.get(pk=alice.shop.pk).is_away
    assert Shop.objects.get(pk=bob.shop.pk).is_away
    [run] = ScheduledRun.objects.all()
    assert (run.task, run.result) == ("accounts.reopen_returned_shops", "1")


def test_the_catalog_cache_follows(alice, alice_listing, django_capture_on_commit_callbacks):
    visitor = Client()
    visitor.get("/books/")
    assert "The Name of the Rose" in visitor.get("/books/").content.decode()  # served from the cache
    with django_capture_on_commit_callbacks(execute=True):
        away(alice.shop)
    assert "The Name of the Rose" not in visitor.get("/books/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        Shop.objects.filter(pk=alice.shop.pk).update(away_until=today())
        reopen_returned_shops()
    assert "The Name of the Rose" in visitor.get("/books/").content.decode()


# --- The seller's page ----------------------------------------------------------


def test_the_seller_closes_and_reopens_the_shop(client_for, alice, alice_listing):
    client = client_for(alice)
    assert client.get(VACATION).status_code == 200
    back = today() + timedelta(days=10)
    response = client.post(VACATION, {"away_until": back.isoformat(), "away_message": "At a book fair"})
    assert response.status_code == 302
    shop = Shop.objects.get(pk=alice.shop.pk)
    assert (shop.away_until, shop.away_message) == (back, "At a book fair")
    page = client.get(VACATION).content.decode()
    assert "Reopen my shop now" in page
    assert client.post(reverse("accounts:vacation_end")).status_code == 302
    assert not Shop.objects.get(pk=alice.shop.pk).is_away


@pytest.mark.parametrize("value", ["", "yesterday", "2001-01-01", "9999-12-31"])
def test_bad_dates_are_form_errors(client_for, alice, value):
    response = client_for(alice).post(VACATION, {"away_until": value, "away_message": ""})
    assert response.status_code == 400
    assert not Shop.objects.get(pk=alice.shop.pk).is_away


def test_personas(client, client_for, charlie, alice, bob, staff):
    assert reverse("account_login") in client.get(VACATION)["Location"]
    assert client.post(reverse("accounts:vacation_end")).status_code == 302
    # Someone without a shop is sent to open one; nobody reaches another's shop (no id in the URL).
    assert client_for(charlie).get(VACATION)["Location"] == reverse("accounts:shop_edit")
    away(alice.shop)
    client_for(bob).post(reverse("accounts:vacation_end"))
    assert Shop.objects.get(pk=alice.shop.pk).is_away
    assert client_for(UserFactory()).get(VACATION).status_code == 302
    assert client_for(staff).get(VACATION).status_code == 302
    assert client_for(alice).get(reverse("accounts:vacation_end")).status_code == 405


def test_vacation_page_queries(client_for, alice, django_assert_max_num_queries):
    client = client_for(alice)
    client.get(VACATION)
    with django_assert_max_num_queries(8):
        assert client.get(VACATION).status_code == 200


def test_admin_shows_and_filters_away_shops(client_for, staff, alice, bob):
    away(alice.shop)
    client = client_for(staff)
    page = client.get(reverse("admin:accounts_shop_changelist") + "?away=yes").content.decode()
    assert "Alice&#x27;s Attic" in page and "Bob&#x27;s Books" not in page
    page = client.get(reverse("admin:accounts_shop_changelist") + "?away=no").content.decode()
    assert "Bob&#x27;s Books" in page and "Alice&#x27;s Attic" not in page
    assert client.get(reverse("admin:accounts_shop_change", args=[alice.shop.pk])).status_code == 200


def test_orders_already_placed_are_unaffected(placed_order, alice):
    away(alice.shop)
    pay_order(placed_order, card(), "vacation-pay-0001")
    shipment = placed_order.shipments.get(seller=alice)
    mark_shipped(shipment, alice)
    assert Shipment.objects.get(pk=shipment.pk).status == Shipment.Status.SHIPPED


def test_both_visibility_queries_leave_out_away_shops(alice, alice_listing, bob_listing):
    from catalog.models import Listing
    from catalog.search import visible_listings

    away(alice.shop)
    assert set(Listing.objects.visible()) == set(visible_listings()) == {bob_listing}


def test_checkout_refuses_the_lines_of_an_away_shop(charlie, charlie_cart, charlie_address, choice, alice):
    from orders.errors import CheckoutError
    from orders.models import Order
    from orders.services import new_checkout_token, place_order

    away(alice.shop)
    with pytest.raises(CheckoutError) as exc:
        place_order(charlie, charlie_cart, charlie_address, choice, new_checkout_token())
    assert exc.value.code == "lines_unavailable"
    assert [p.code for p in exc.value.problems] == ["shop_away"]
    assert "away until" in exc.value.problems[0].message
    assert not Order.objects.exists()
