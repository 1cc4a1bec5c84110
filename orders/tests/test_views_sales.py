"""The seller's sales pages: the list with its status tabs, one sale, and "mark shipped"."""

import pytest
from django.urls import reverse

from conftest import ListingFactory
from orders.models import Shipment
from orders.services import add_to_cart, get_or_create_cart, new_checkout_token, pay_order, place_order
from orders.states import ShipmentStatus
from orders.tests.conftest import AddressFactory, card

SALES = reverse("shipping:sale_list")


def detail_url(shipment) -> str:
    return reverse("shipping:sale_detail", args=[shipment.pk])


def ship_url(shipment) -> str:
    return reverse("shipping:mark_shipped", args=[shipment.pk])


@pytest.fixture
def paid_order(placed_order):
    pay_order(placed_order, card(), "sales-paid-key-0001")
    placed_order.refresh_from_db()
    return placed_order


@pytest.fixture
def alice_part(paid_order, alice):
    return paid_order.shipments.get(seller=alice)


# --- List -----------------------------------------------------------------------


def test_seller_sees_their_sales_and_what_to_ship(client_for, alice, bob, alice_part):
    response = client_for(alice).get(SALES)
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [alice_part]
    assert response.context["to_ship"] == 1
    html = response.content.decode()
    assert alice_part.order.number in html and "The Name of the Rose" in html
    assert "Dune" not in html  # bob's line of the same order


def test_status_tabs_filter_the_list(client_for, alice, alice_part):
    client = client_for(alice)
    assert list(client.get(SALES, {"status": "ready_to_ship"}).context["page"].object_list) == [alice_part]
    assert list(client.get(SALES, {"status": "delivered"}).context["page"].object_list) == []
    tabs = {tab["value"]: tab["count"] for tab in client.get(SALES).context["tabs"]}
    assert tabs[""] == 1 and tabs["ready_to_ship"] == 1 and tabs["shipped"] == 0


def test_unknown_status_filter_is_a_400_showing_everything(client_for, alice, alice_part):
    response = client_for(alice).get(SALES, {"status": "stolen"})
    assert response.status_code == 400
    assert list(response.context["page"].object_list) == [alice_part]


def test_user_without_a_shop_is_sent_to_set_one_up(client_for, charlie):
    response = client_for(charlie).get(SALES)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:shop_edit")


def test_anonymous_visitor_is_sent_to_login(client, alice_part):
    for url in [SALES, detail_url(alice_part)]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    response = client.post(ship_url(alice_part))
    assert response["Location"] == f"{reverse('account_login')}?next={detail_url(alice_part)}"
    alice_part.refresh_from_db()
    assert alice_part.status == ShipmentStatus.READY_TO_SHIP


def test_list_query_budget(client_for, alice, carriers, django_assert_max_num_queries):
    for _ in range(6):
        buyer_cart = get_or_create_cart(user=(address := AddressFactory()).user)
        add_to_cart(buyer_cart, ListingFactory(seller=alice), 2)
        place_order(address.user, buyer_cart, address, {alice.pk: carriers["ENVIA"].pk}, new_checkout_token())
    client = client_for(alice)
    with django_assert_max_num_queries(8):
        response = client.get(SALES)
    assert len(response.context["page"].object_list) == 6


# --- Detail and shipping --------------------------------------------------------


def test_detail_shows_only_the_sellers_lines_and_the_address(client_for, alice, alice_part):
    response = client_for(alice).get(detail_url(alice_part))
    assert response.status_code == 200
    html = response.content.decode()
    assert [line.title for line in response.context["lines"]] == ["The Name of the Rose"]
    assert "Dune" not in html
    assert "Calle 10 # 5-23" in html and "Medellín" in html and "+57 300 000 0000" in html
    assert ship_url(alice_part) in html


def test_another_seller_gets_404(client_for, bob, alice_part):
    client = client_for(bob)
    assert client.get(detail_url(alice_part)).status_code == 404
    assert client.post(ship_url(alice_part)).status_code == 404
    assert client.get(reverse("shipping:sale_detail", args=[999999])).status_code == 404
    alice_part.refresh_from_db()
    assert alice_part.status == ShipmentStatus.READY_TO_SHIP and not alice_part.tracking_number


def test_the_buyer_gets_404_on_the_sellers_page(client_for, charlie, alice_part):
    assert client_for(charlie).get(detail_url(alice_part)).status_code == 404


def test_mark_shipped_generates_a_tracking_number(client_for, alice, alice_part):
    client = client_for(alice)
    response = client.post(ship_url(alice_part))
    assert response.status_code == 302 and response["Location"] == detail_url(alice_part)
    alice_part.refresh_from_db()
    assert alice_part.status == ShipmentStatus.SHIPPED
    assert alice_part.tracking_number.startswith("SERVI")
    page = client.get(detail_url(alice_part))
    html = page.content.decode()
    assert alice_part.tracking_number in html and ship_url(alice_part) not in html
    assert [event.status for event in page.context["events"]] == [ShipmentStatus.SHIPPED]
    # A second click changes nothing and says why.
    again = client.post(ship_url(alice_part), follow=True)
    assert "This shipment was already shipped." in again.content.decode()
    assert Shipment.objects.get(pk=alice_part.pk).tracking_number == alice_part.tracking_number


def test_an_unpaid_sale_cannot_be_shipped(client_for, alice, placed_order):
    part = placed_order.shipments.get(seller=alice)
    client = client_for(alice)
    html = client.get(detail_url(part)).content.decode()
    assert "do not ship" in html and ship_url(part) not in html
    response = client.post(ship_url(part), follow=True)
    assert "The buyer has not paid yet: do not ship." in response.content.decode()
    part.refresh_from_db()
    assert part.status == ShipmentStatus.AWAITING_PAYMENT and part.tracking_number is None


def test_mark_shipped_refuses_get(client_for, alice, alice_part):
    assert client_for(alice).get(ship_url(alice_part)).status_code == 405


def test_detail_query_budget(client_for, alice, alice_part, django_assert_max_num_queries):
    client = client_for(alice)
    client.post(ship_url(alice_part))
    with django_assert_max_num_queries(7):
        assert client.get(detail_url(alice_part)).status_code == 200
