"""Every money line on the cart, checkout, order and sale pages says what it adds up, and the parts add up.

The pages mark each amount with ``data-part`` (``seller-items``, ``items``, ``shipping``, ``total``) and its
plain value in ``data-amount``: the tests read what the page shows, not the context.
"""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Shop
from orders.services import cancel_seller_part, pay_order
from orders.tests.conftest import card
from orders.tests.test_journeys import ADDRESS, checkout_post

pytestmark = pytest.mark.django_db

CART = reverse("orders:cart")
CHECKOUT = reverse("orders:checkout")
PART = re.compile(r'data-part="([a-z-]+)" data-amount="([0-9.]+)"')


def parts(html: str) -> dict[str, list[Decimal]]:
    found: dict[str, list[Decimal]] = {}
    for name, amount in PART.findall(html):
        found.setdefault(name, []).append(Decimal(amount))
    return found


def test_cart_names_each_sellers_books_and_the_items_subtotal(client_for, charlie, charlie_cart):
    html = client_for(charlie).get(CART).content.decode()
    amounts = parts(html)
    assert amounts["seller-items"] == [Decimal("25.00"), Decimal("9.99")]
    assert amounts["items"] == [sum(amounts["seller-items"])] == [Decimal("34.99")]
    assert "total" not in amounts  # shipping is not known yet: no total pretends to be one
    assert "Books from Alice&#x27;s Attic" in html and "Books from Bob&#x27;s Books" in html
    assert "Items subtotal (3 copies)" in html and "Shipping, per seller" in html
    assert "Total before shipping" not in html


def test_cart_labels_in_spanish(client_for, charlie, charlie_cart):
    html = client_for(charlie).get(CART, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Subtotal de libros (3 ejemplares)" in html and "Libros de Alice&#x27;s Attic" in html


def test_checkout_adds_books_and_each_sellers_shipping(client_for, charlie, charlie_cart, charlie_address, carriers):
    page = client_for(charlie).get(CHECKOUT)
    html = page.content.decode()
    amounts = parts(html)
    assert amounts["items"] == [Decimal("34.99")]
    # The cheapest carriers are preselected: Servientrega within Colombia, FedEx from the US.
    assert amounts["shipping"] == [Decimal("4.60"), Decimal("31.00")]
    assert amounts["total"] == [amounts["items"][0] + sum(amounts["shipping"])] == [Decimal("70.59")]
    assert "Items subtotal (3 copies)" in html
    assert "Shipping from Alice&#x27;s Attic" in html and "Shipping from Bob&#x27;s Books" in html
    assert "Total: books and shipping" in html
    assert "Total before shipping" not in html


def test_checkout_without_address_says_its_total_is_books_only(client_for, charlie, charlie_cart, carriers):
    html = client_for(charlie).get(CHECKOUT).content.decode()
    amounts = parts(html)
    assert amounts["total"] == amounts["items"] == [Decimal("34.99")] and "shipping" not in amounts
    assert "Total so far: books only" in html and "Total: books and shipping" not in html


def test_checkout_with_a_seller_no_carrier_serves_says_what_its_total_holds(
    client_for, charlie, charlie_cart, carriers
):
    Shop.objects.filter(owner__email="bob@example.com").update(country="FR")  # opened before the limit
    client = client_for(charlie)
    client.post(CHECKOUT, {**ADDRESS, "country": "FR", "city": "Lyon"})
    html = client.get(CHECKOUT).content.decode()
    amounts = parts(html)
    # Alice's parcel to France goes international (FedEx, the cheapest); nobody carries within France.
    assert amounts["shipping"] == [Decimal("46.50")]
    assert amounts["total"] == [amounts["items"][0] + amounts["shipping"][0]]
    assert "Total so far: books and the shipping chosen" in html and "no carrier" in html


def test_order_page_adds_books_and_each_shipment(client_for, charlie, placed_order, alice, bob):
    client = client_for(charlie)
    html = client.get(placed_order.get_absolute_url()).content.decode()
    amounts = parts(html)
    assert amounts["items"] == [placed_order.items_total] == [Decimal("34.99")]
    assert amounts["shipping"] == [Decimal("4.60"), Decimal("31.00")]
    assert amounts["total"] == [amounts["items"][0] + sum(amounts["shipping"])] == [placed_order.total]
    assert "Items subtotal" in html and "Total: books and shipping" in html
    assert "Shipping from Alice&#x27;s Attic" in html and "(Servientrega)" in html

    # A cancelled part leaves the sums, and what is left still adds up.
    cancel_seller_part(placed_order, bob, charlie)
    amounts = parts(client.get(placed_order.get_absolute_url()).content.decode())
    assert amounts["items"] == [Decimal("25.00")] and amounts["shipping"] == [Decimal("4.60")]
    assert amounts["total"] == [Decimal("29.60")]


def test_pay_page_names_its_parts(client_for, charlie, placed_order):
    html = client_for(charlie).get(reverse("orders:pay", args=[placed_order.number])).content.decode()
    assert "Items subtotal" in html and "Shipping, all sellers" in html and "Total: books and shipping" in html


def test_sale_page_adds_the_sellers_books_and_shipping(client_for, alice, placed_order):
    pay_order(placed_order, card(), "totals-sale-key-0001")
    shipment = placed_order.shipments.get(seller=alice)
    html = client_for(alice).get(reverse("shipping:sale_detail", args=[shipment.pk])).content.decode()
    amounts = parts(html)
    assert amounts["items"] == [Decimal("25.00")] and amounts["shipping"] == [shipment.shipping_cost]
    assert amounts["total"] == [amounts["items"][0] + amounts["shipping"][0]] == [Decimal("29.60")]
    assert "Items subtotal" in html and "Total for this shipment: books and shipping" in html
    spanish = client_for(alice).get(reverse("shipping:sale_detail", args=[shipment.pk]), HTTP_ACCEPT_LANGUAGE="es")
    assert "Total de este envío: libros y envío" in spanish.content.decode()


def test_checkout_pages_amounts_are_plain_numbers_in_spanish_too(client_for, charlie, charlie_cart, charlie_address):
    html = client_for(charlie).get(CHECKOUT, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    amounts = parts(html)
    assert amounts["total"] == [amounts["items"][0] + sum(amounts["shipping"])]
    assert "Total: libros y envío" in html


def test_checkout_post_keeps_the_labels(client_for, charlie, charlie_cart, charlie_address, carriers):
    client = client_for(charlie)
    page = client.get(CHECKOUT)
    preview = client.post(CHECKOUT, checkout_post(page, "preview"))
    assert "Total: books and shipping" in preview.content.decode()
