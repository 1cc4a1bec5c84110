"""The checkout's summary endpoint: the page's parts for other choices, computed as checkout computes them."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import UserFactory
from orders.models import Order
from orders.services import add_to_cart, get_or_create_cart
from orders.tests.conftest import AddressFactory
from orders.tests.test_journeys import checkout_post

CHECKOUT = reverse("orders:checkout")
SUMMARY = reverse("orders:checkout_summary")
CONFIRMED = re.compile(r'name="confirmed" value="([^"]*)"')


@pytest.fixture
def buyer(client_for, charlie, charlie_cart, charlie_address, carriers):
    """Charlie signed in, with 2 copies from alice (Colombia), 1 from bob (United States) and a Colombian address."""
    return client_for(charlie)


def test_parts_match_the_checkout_page(buyer, charlie_address, bob, carriers):
    dhl = {"address": charlie_address.pk, f"carrier_{bob.pk}": carriers["DHL"].pk}
    page = buyer.post(CHECKOUT, {**checkout_post(buyer.get(CHECKOUT), action="preview"), **dhl})
    response = buyer.get(SUMMARY, dhl)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    parts = response.json()
    assert set(parts) == {"summary", "actions", "bar", "shipping", "total", "ready"}
    assert (
        Decimal(parts["total"]) == page.context["preview"].total == Decimal("34.99") + Decimal("4.60") + Decimal("42")
    )
    assert parts["ready"] is True
    assert "$81.59" in parts["summary"] and "$81.59" in parts["bar"] and "DHL Express" in parts["summary"]
    assert "aria-live" not in parts["summary"]  # the live region is the page's container, kept across updates
    # The fingerprint the page sends back is the one checkout computes, so "Place order" places this total.
    assert CONFIRMED.search(parts["actions"]).group(1) == page.context["confirmed_key"]


def test_placing_with_the_updated_summary_charges_what_it_showed(buyer, charlie_address, bob, carriers):
    data = checkout_post(buyer.get(CHECKOUT))
    data[f"carrier_{bob.pk}"] = carriers["DHL"].pk
    parts = buyer.get(SUMMARY, {"address": charlie_address.pk, f"carrier_{bob.pk}": carriers["DHL"].pk}).json()
    data["confirmed"] = CONFIRMED.search(parts["actions"]).group(1)
    response = buyer.post(CHECKOUT, data)
    order = Order.objects.get()
    assert response.status_code == 302 and order.total == Decimal(parts["total"]) == Decimal("81.59")


def test_amounts_from_the_client_are_ignored(buyer, charlie_address, bob, carriers):
    parts = buyer.get(SUMMARY, {"address": charlie_address.pk, "total": "0.01", "price": "0", "items": "1"}).json()
    assert Decimal(parts["total"]) == Decimal("70.59")  # the cheapest carriers, as the page starts


def test_a_carrier_that_does_not_serve_the_route_falls_back_to_the_cheapest(buyer, charlie_address, alice, carriers):
    # FedEx does not carry alice's parcel inside Colombia; the summary shows Servientrega again.
    parts = buyer.get(SUMMARY, {"address": charlie_address.pk, f"carrier_{alice.pk}": carriers["FEDEX"].pk}).json()
    assert Decimal(parts["total"]) == Decimal("70.59") and "Servientrega" in parts["summary"]


def test_without_an_address_the_newest_saved_one_is_used(buyer, charlie, charlie_address):
    newer = AddressFactory(user=charlie, country="US", region="TX", city="Austin", postal_code="73301")
    implicit, explicit = buyer.get(SUMMARY).json(), buyer.get(SUMMARY, {"address": newer.pk}).json()
    assert implicit == explicit
    assert implicit != buyer.get(SUMMARY, {"address": charlie_address.pk}).json()


@pytest.mark.parametrize(
    "query",
    [
        {"address": "abc"},
        {"address": "-1"},
        {"address": "²"},
        {"address": "9" * 40},
        {"carrier_1": "x"},
        {"carrier_abc": "1"},
        {"carrier_1": "1.5"},
        {"carrier_1": "9" * 40},
    ],
)
def test_malformed_choices_are_a_400_with_a_message(buyer, query):
    response = buyer.get(SUMMARY, query)
    assert response.status_code == 400 and response.json()["error"]


def test_another_buyers_address_is_not_found(buyer, client_for, charlie_address, alice_listing):
    dora = UserFactory()
    dora_address = AddressFactory(user=dora)
    assert buyer.get(SUMMARY, {"address": dora_address.pk}).status_code == 404
    assert buyer.get(SUMMARY, {"address": 999999}).status_code == 404
    add_to_cart(get_or_create_cart(user=dora), alice_listing, 1)
    assert client_for(dora).get(SUMMARY, {"address": charlie_address.pk}).status_code == 404


@pytest.mark.parametrize("persona", ["alice", "bob", "staff"])
def test_sellers_and_staff_with_empty_carts_get_a_409(request, client_for, charlie_cart, carriers, persona):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(SUMMARY)
    assert response.status_code == 409 and response.json()["error"]


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(SUMMARY)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_only_reading_is_allowed(buyer, method):
    assert getattr(buyer, method)(SUMMARY).status_code == 405


def test_query_budget(buyer, charlie_address, bob, carriers, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        response = buyer.get(SUMMARY, {"address": charlie_address.pk, f"carrier_{bob.pk}": carriers["DHL"].pk})
    assert response.status_code == 200


def test_spanish(buyer, charlie_address, settings):
    buyer.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    parts = buyer.get(SUMMARY, {"address": charlie_address.pk}, HTTP_ACCEPT_LANGUAGE="es").json()
    assert "Realizar pedido" in parts["actions"] and "Realizar pedido" in parts["bar"]
    assert "Total por ahora" not in parts["bar"] and "Total" in parts["bar"]  # every seller has a carrier
