"""Checkout with the sellers' own shipping settings: their carriers and prices on the checkout page, in the order
and its totals (read from the pages), and the handling time in the expected delivery dates."""

import re
from collections import Counter
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import ListingFactory, ShopFactory, mysql_only
from orders.errors import CarrierChoiceError
from orders.models import Order
from orders.services import checkout_preview, new_checkout_token, place_order
from orders.tests.conftest import AddressFactory
from orders.tests.test_journeys import checkout_post
from orders.tests.test_totals import parts
from shipping.services import add_business_days
from shipping.shop_settings import save_shop_shipping

pytestmark = pytest.mark.django_db

D = Decimal
CART = reverse("orders:cart")
CHECKOUT = reverse("orders:checkout")


@pytest.fixture
def alice_prices(alice, carriers):
    """Alice ships only with Envia within Colombia, at her own 2.00 + 0.50, after 3 business days of handling;
    and with DHL abroad at the carrier's rates."""
    save_shop_shipping(alice.shop, 3, {carriers["ENVIA"]: {"domestic": (D("2.00"), D("0.50"))}, carriers["DHL"]: {}})


def test_checkout_preview_offers_only_the_sellers_carriers_at_their_prices(charlie_cart, alice, alice_prices):
    preview = checkout_preview(charlie_cart, "CO")
    alice_choice = next(c for c in preview.shipping if c.group.seller == alice)
    assert [(q.carrier.code, q.price, q.handling_days) for q in alice_choice.options] == [("ENVIA", D("2.50"), 3)]
    bob_choice = next(c for c in preview.shipping if c.group.seller != alice)  # bob has no settings
    assert [q.carrier.code for q in bob_choice.options] == ["FEDEX", "DHL"]


def test_the_order_charges_the_sellers_price(
    charlie, charlie_cart, charlie_address, alice, bob, carriers, alice_prices
):
    order = place_order(
        charlie,
        charlie_cart,
        charlie_address,
        {alice.pk: carriers["ENVIA"].pk, bob.pk: carriers["FEDEX"].pk},
        new_checkout_token(),
    )
    costs = {s.seller_id: s.shipping_cost for s in order.shipments.all()}
    assert costs == {alice.pk: D("2.50"), bob.pk: D("31.00")}
    assert order.shipping_total == D("33.50") and order.total == order.items_total + D("33.50") == D("68.49")


def test_a_carrier_the_seller_does_not_use_is_refused(
    charlie, charlie_cart, charlie_address, alice, bob, carriers, alice_prices
):
    with pytest.raises(CarrierChoiceError) as refused:
        place_order(
            charlie,
            charlie_cart,
            charlie_address,
            {alice.pk: carriers["SERVI"].pk, bob.pk: carriers["FEDEX"].pk},
            new_checkout_token(),
        )
    assert refused.value.seller_ids == [alice.pk] and not Order.objects.exists()


def test_totals_add_up_on_cart_checkout_and_order_pages(
    client_for, charlie, charlie_cart, charlie_address, alice_prices
):
    client = client_for(charlie)
    cart = parts(client.get(CART).content.decode())
    assert cart["items"] == [D("34.99")]

    page = client.get(CHECKOUT)
    checkout = parts(page.content.decode())
    assert checkout["items"] == cart["items"]
    assert checkout["shipping"] == [D("2.50"), D("31.00")]  # alice's own price, FedEx's rate from the US
    assert checkout["total"] == [checkout["items"][0] + sum(checkout["shipping"])] == [D("68.49")]

    placed = client.post(CHECKOUT, checkout_post(page))
    order = Order.objects.get(buyer=charlie)
    assert placed.status_code == 302
    shown = parts(client.get(order.get_absolute_url()).content.decode())
    assert shown["shipping"] == checkout["shipping"] and shown["total"] == checkout["total"] == [order.total]


def test_checkout_page_shows_the_expected_delivery_with_handling_time(
    client_for, charlie, charlie_cart, charlie_address, alice_prices
):
    html = client_for(charlie).get(CHECKOUT).content.decode()
    envia = re.search(r'Envia <span.*?data-expected="([0-9-]+)/([0-9-]+)"', html, re.DOTALL)
    today = timezone.localdate()
    # Envia takes 1 to 3 business days, after alice's 3 days of handling.
    assert envia.groups() == (add_business_days(today, 3 + 1).isoformat(), add_business_days(today, 3 + 3).isoformat())
    assert "includes the seller's handling time of 3 business days" in html


def test_checkout_budget_holds_with_shop_settings(
    client_for, charlie, charlie_cart, charlie_address, alice_prices, django_assert_max_num_queries
):
    client = client_for(charlie)
    client.get(CHECKOUT)
    with django_assert_max_num_queries(16):
        assert client.get(CHECKOUT).status_code == 200


# --- MariaDB: the row locks of place_order with sellers' own prices ------------------------------------


@mysql_only
@pytest.mark.mysql
@pytest.mark.django_db(transaction=True)
def test_buyers_racing_for_the_last_copies_pay_the_sellers_price(carriers):
    from orders.tests.test_concurrency import buyer_with_cart, checkout_job, run_together

    shop = ShopFactory()
    save_shop_shipping(shop, 2, {carriers["ENVIA"]: {"domestic": (D("1.25"), D("0.25"))}})
    listing = ListingFactory(seller=shop.owner, quantity=3, price=D("10.00"))
    jobs = [checkout_job(*buyer_with_cart([listing], carriers)) for _ in range(10)]

    outcomes = Counter(run_together(jobs))

    assert outcomes == {"ok": 3, "lines_unavailable:sold_out": 7}, outcomes
    assert {order.shipping_total for order in Order.objects.all()} == {D("1.25")}
    listing.refresh_from_db()
    assert listing.quantity == 0


def test_cart_flags_a_seller_whose_own_carriers_do_not_reach_the_buyer(
    client_for,
    charlie,
    charlie_cart,
    alice,
    bob,
    carriers,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    AddressFactory(user=charlie, country="US", city="Austin")
    client = client_for(charlie)
    assert client.get(CART).context["unreachable"] == set()  # with the carriers' rates, both reach the US
    with django_capture_on_commit_callbacks(execute=True):  # the cached terms are forgotten on commit
        save_shop_shipping(alice.shop, 1, {carriers["ENVIA"]: {}})  # alice now ships within Colombia only
    client.get(CART)
    with django_assert_max_num_queries(5):  # the cart page's budget (test_views_cart.py)
        response = client.get(CART)
    assert response.context["unreachable"] == {alice.pk}
