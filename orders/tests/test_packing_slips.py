"""Packing slips: one per shipment and all parcels ready to ship on one page; only their seller sees them."""

import pytest
from django.urls import reverse

from orders.services import pay_order
from orders.services.shipments import mark_shipped
from orders.tests.conftest import card

pytestmark = pytest.mark.django_db

ALL_SLIPS = reverse("shipping:packing_slips")


def slip_url(shipment) -> str:
    return reverse("shipping:packing_slip", args=[shipment.pk])


@pytest.fixture
def paid_order(placed_order):
    pay_order(placed_order, card(), "slips-paid-key-0001")
    return placed_order


@pytest.fixture
def alice_part(paid_order, alice):
    return paid_order.shipments.get(seller=alice)


def test_seller_prints_a_slip_with_order_buyer_address_items_and_return_address(client_for, alice, alice_part):
    response = client_for(alice).get(slip_url(alice_part))
    assert response.status_code == 200
    html = response.content.decode()
    order = alice_part.order
    assert f'data-slip="{order.number}"' in html and order.ship_full_name in html
    for line in order.shipping_address_lines:
        assert str(line) in html
    assert "The Name of the Rose" in html and "Dune" not in html  # bob's book is in bob's parcel
    assert "data-quantity>2<" in html.replace(" ", "")
    assert "Alice&#x27;s Attic" in html and "Return address" in html
    assert "@media print" in html and "window.print()" in html


@pytest.mark.parametrize("persona", ["bob", "charlie", "staff"])
def test_anyone_else_gets_404(request, client_for, alice_part, persona):
    assert client_for(request.getfixturevalue(persona)).get(slip_url(alice_part)).status_code == 404


def test_unknown_shipment_is_404(client_for, alice, alice_part):
    assert client_for(alice).get(reverse("shipping:packing_slip", args=[999999])).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, alice_part):
    for url in (slip_url(alice_part), ALL_SLIPS):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_wrong_method(client_for, alice, alice_part):
    assert client_for(alice).post(slip_url(alice_part)).status_code == 405
    assert client_for(alice).post(ALL_SLIPS).status_code == 405


def test_all_ready_slips_on_one_page_only_the_sellers_ready_parcels(client_for, alice, bob, alice_part, make_order):
    client = client_for(alice)
    assert client.get(ALL_SLIPS).context["slips"][0]["shipment"] == alice_part
    mark_shipped(alice_part, alice)
    html = client.get(ALL_SLIPS).content.decode()
    assert "No parcel is waiting to be shipped." in html and "data-slip=" not in html
    bob_html = client_for(bob).get(ALL_SLIPS).content.decode()
    assert bob_html.count("data-slip=") == 1 and "Dune" in bob_html and "The Name of the Rose" not in bob_html


def test_a_buyer_without_a_shop_is_sent_to_open_one(client_for, charlie, alice_part):
    response = client_for(charlie).get(ALL_SLIPS)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:shop_edit")


def test_spanish(client_for, alice, alice_part):
    html = client_for(alice).get(slip_url(alice_part), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Albarán" in html and "Dirección de devolución" in html


def test_query_budgets(client_for, alice, bob, carriers, make_order, django_assert_max_num_queries, charlie):
    from conftest import ListingFactory
    from orders.services import add_to_cart, get_or_create_cart, new_checkout_token, place_order
    from orders.tests.conftest import AddressFactory

    for index in range(6):
        cart = get_or_create_cart(user=charlie)
        add_to_cart(cart, ListingFactory(seller=alice), 1)
        add_to_cart(cart, ListingFactory(seller=alice), 2)
        order = place_order(
            charlie, cart, AddressFactory(user=charlie), {alice.pk: carriers["ENVIA"].pk}, new_checkout_token()
        )
        pay_order(order, card(), f"slips-budget-key-{index:04d}")
    client = client_for(alice)
    with django_assert_max_num_queries(6):
        response = client.get(ALL_SLIPS)
    assert len(response.context["slips"]) == 6
    url = slip_url(order.shipments.get())
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200
