"""The checkout page: addresses, carriers per seller, the server's summary, placing once and only once."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Listing
from orders.models import Address, CartLine, Order
from orders.tests.conftest import AddressFactory
from orders.tests.test_journeys import ADDRESS, checkout_post
from shipping.models import Carrier

CHECKOUT = reverse("orders:checkout")


@pytest.fixture
def page(client_for, charlie, charlie_cart, charlie_address, carriers):
    """Charlie's checkout page with his saved Colombian address (2 copies from alice, 1 from bob)."""
    response = client_for(charlie).get(CHECKOUT)
    assert response.status_code == 200
    return response


def stock(*listings):
    return [Listing.objects.get(pk=listing.pk).quantity for listing in listings]


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(CHECKOUT)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert client.post(CHECKOUT, {"action": "place"}).status_code == 302
    assert not Order.objects.exists()


def test_empty_cart_goes_back_to_the_cart(client_for, charlie):
    response = client_for(charlie).get(CHECKOUT)
    assert response.status_code == 302 and response["Location"] == reverse("orders:cart")


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_refused(client_for, charlie, method):
    assert getattr(client_for(charlie), method)(CHECKOUT).status_code == 405


def test_summary_is_computed_on_the_server_with_the_cheapest_carriers(page, alice, bob):
    preview = page.context["preview"]
    chosen = {c.group.seller: (c.chosen.carrier.code, c.chosen.price) for c in preview.shipping}
    # Servientrega: 3.50 + 1.10 for the second copy; FedEx US -> CO: 31.00.
    assert chosen == {alice: ("SERVI", Decimal("4.60")), bob: ("FEDEX", Decimal("31.00"))}
    assert preview.items_total == Decimal("34.99")
    assert preview.total == Decimal("70.59")
    html = page.content.decode()
    assert "$70.59" in html and "Servientrega" in html and "DHL Express" in html
    assert 'name="checkout_token"' in html


def test_placing_takes_stock_once_even_when_submitted_twice(page, client, charlie, alice_listing, bob_listing):
    data = checkout_post(page)
    first = client.post(CHECKOUT, data)
    second = client.post(CHECKOUT, data)
    order = Order.objects.get()
    pay_url = reverse("orders:pay", args=[order.number])
    assert first["Location"] == second["Location"] == pay_url
    assert stock(alice_listing, bob_listing) == [1, 2]
    assert order.total == Decimal("70.59") and order.buyer == charlie


def test_a_changed_choice_is_shown_before_it_is_placed(page, client, bob, carriers):
    # The buyer switched bob's carrier but the page had not refreshed its summary (no script).
    data = checkout_post(page, **{f"carrier_{bob.pk}": carriers["DHL"].pk})
    response = client.post(CHECKOUT, data)
    assert response.status_code == 200 and not Order.objects.exists()
    assert response.context["preview"].total == Decimal("34.99") + Decimal("4.60") + Decimal("42.00")
    # Placing from the refreshed page works.
    client.post(CHECKOUT, checkout_post(response))
    assert Order.objects.get().shipping_total == Decimal("46.60")


def test_a_carrier_that_does_not_serve_the_route_is_a_form_error(page, client, bob, carriers, bob_listing):
    for carrier in ["ENVIA", "SERVI"]:  # national carriers cannot take bob's parcel from the US
        response = client.post(CHECKOUT, checkout_post(page, **{f"carrier_{bob.pk}": carriers[carrier].pk}))
        assert response.status_code == 400
        assert "This carrier does not deliver from Bob&#x27;s Books to this address." in response.content.decode()
    assert not Order.objects.exists() and stock(bob_listing) == [3]


@pytest.mark.parametrize("carrier", ["", "abc", "-1", "99999"])
def test_missing_or_garbage_carrier_is_a_form_error(page, client, alice, carrier):
    response = client.post(CHECKOUT, checkout_post(page, **{f"carrier_{alice.pk}": carrier}))
    assert response.status_code == 400 and not Order.objects.exists()


def test_someone_elses_address_is_refused(page, client, bob, alice_listing):
    other = AddressFactory(user=bob, country="US", city="Austin")
    response = client.post(CHECKOUT, checkout_post(page, address=other.pk))
    assert response.status_code == 400 and not Order.objects.exists()
    assert stock(alice_listing) == [3]
    assert client.get(CHECKOUT, {"address": other.pk}).status_code == 404
    assert client.get(CHECKOUT, {"address": "nope"}).status_code == 404


@pytest.mark.parametrize("token", ["", "short", "x" * 65, "bad token with spaces!!"])
def test_a_bad_token_places_nothing(page, client, token):
    response = client.post(CHECKOUT, checkout_post(page, checkout_token=token))
    assert response.status_code == 400 and not Order.objects.exists()


def test_a_line_that_became_unavailable_is_named_and_nothing_is_taken(page, client, alice_listing, bob_listing):
    Listing.objects.filter(pk=bob_listing.pk).update(status=Listing.Status.PAUSED)
    response = client.post(CHECKOUT, checkout_post(page))
    assert response.status_code == 409 and not Order.objects.exists()
    assert [(p.title, p.code) for p in response.context["problems"]] == [("Dune", "not_available")]
    html = response.content.decode()
    assert "Dune" in html and "The seller paused this listing." in html
    assert stock(alice_listing, bob_listing) == [3, 3]
    assert CartLine.objects.count() == 2


def test_stock_taken_by_someone_else_meanwhile_is_named(page, client, alice_listing):
    # The page was shown; then another buyer took two of alice's three copies.
    Listing.objects.filter(pk=alice_listing.pk).update(quantity=1)
    response = client.post(CHECKOUT, checkout_post(page))
    assert response.status_code == 409 and not Order.objects.exists()
    html = response.content.decode()
    assert "The Name of the Rose" in html and "Only 1 copy is left." in html
    assert "nothing was charged" in html
    assert stock(alice_listing) == [1]


def test_a_new_address_is_saved_for_reuse_and_selected(client_for, charlie, charlie_cart, carriers):
    client = client_for(charlie)
    response = client.post(CHECKOUT, {**ADDRESS, "country": "US", "city": "Austin"})
    address = Address.objects.get(user=charlie)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.context["address"] == address
    # Shipping to the US: alice's parcel goes international, bob's with a US national carrier.
    options = {
        c.group.seller.shop.country.code: [q.carrier.code for q in c.options] for c in page.context["preview"].shipping
    }
    assert options == {"CO": ["DHL", "FEDEX"], "US": ["USPSMM", "UPSGND"]}
    html = page.content.decode()
    assert "USPS Media Mail" in html and "2\u20138 business days" in html
    assert page.context["preview"].ready  # the cheapest carrier of each seller is pre-selected


def test_checkout_names_the_seller_no_carrier_serves(client_for, charlie, charlie_cart, carriers):
    Carrier.objects.filter(code__in=["USPSMM", "UPSGND"]).update(active=False)
    client = client_for(charlie)
    response = client.post(CHECKOUT, {**ADDRESS, "country": "US", "city": "Austin"})
    page = client.get(response["Location"])
    assert "No carrier delivers from United States of America to United States of America." in page.content.decode()
    assert not page.context["preview"].ready


@pytest.mark.parametrize(
    "changes",
    [{"full_name": ""}, {"phone": "call me"}, {"country": "XX"}, {"line1": "x" * 201}, {"city": ""}],
)
def test_bad_address_is_a_form_error_and_keeps_what_was_typed(client_for, charlie, charlie_cart, changes):
    response = client_for(charlie).post(CHECKOUT, {**ADDRESS, **changes})
    assert response.status_code == 400 and not Address.objects.exists()
    assert response.context["address_form"].errors
    assert "Carrera 43A # 1-50" in response.content.decode() or "line1" in changes


def test_checkout_page_query_budget(page, client, django_assert_max_num_queries, charlie):
    for _ in range(5):
        AddressFactory(user=charlie)
    with django_assert_max_num_queries(10):
        response = client.get(CHECKOUT)
    assert response.status_code == 200 and len(response.context["addresses"]) == 6
