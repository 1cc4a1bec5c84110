"""The buyer's cart through the API: the cart services' rules, as problem details."""

from decimal import Decimal

import pytest
from django.conf import settings

from catalog.models import Listing
from orders.services import add_to_cart, get_or_create_cart

CART = "/api/v1/cart"


def test_an_empty_cart_reads_as_empty(api, charlie):
    response = api(charlie, "read").get(CART)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "lines": [],
        "copies": 0,
        "items_total": {"amount": "0.00", "currency": settings.CURRENCY},
        "can_checkout": False,
    }


def test_add_change_and_remove_a_line(api, charlie, alice_listing):
    client = api(charlie, "buy")
    added = client.post(f"{CART}/lines", {"listing_id": alice_listing.pk, "quantity": 2})
    assert added.status_code == 201, added.content
    line = added.json()["lines"][0]
    assert added["Location"].endswith(f"{CART}/lines/{line['id']}")
    assert (line["quantity"], line["unit_price"]["amount"], line["line_total"]["amount"]) == (2, "12.50", "25.00")
    assert added.json()["can_checkout"] is True

    changed = client.patch(f"{CART}/lines/{line['id']}", {"quantity": 3})
    assert changed.status_code == 200, changed.content
    assert changed.json()["copies"] == 3

    removed = client.delete(f"{CART}/lines/{line['id']}")
    assert removed.status_code == 204
    assert client.get(CART).json()["lines"] == []


def test_sold_out_and_over_stock_are_conflicts(api, charlie, alice_listing):
    client = api(charlie, "buy")
    too_many = client.post(f"{CART}/lines", {"listing_id": alice_listing.pk, "quantity": 4})
    assert too_many.status_code == 409
    assert too_many["Content-Type"] == "application/problem+json"
    assert too_many.json()["code"] == "over_stock"
    Listing.objects.filter(pk=alice_listing.pk).update(quantity=0)
    sold_out = client.post(f"{CART}/lines", {"listing_id": alice_listing.pk})
    assert (sold_out.status_code, sold_out.json()["code"]) == (409, "sold_out")


def test_a_paused_listing_or_your_own_cannot_be_added(api, alice, charlie, alice_listing):
    assert api(alice, "buy").post(f"{CART}/lines", {"listing_id": alice_listing.pk}).json()["code"] == "own_listing"
    Listing.objects.filter(pk=alice_listing.pk).update(status=Listing.Status.PAUSED)
    response = api(charlie, "buy").post(f"{CART}/lines", {"listing_id": alice_listing.pk})
    assert (response.status_code, response.json()["code"]) == (409, "not_available")


@pytest.mark.parametrize("quantity", [0, -1, 100, "many"])
def test_a_bad_quantity_is_a_field_error(api, charlie, alice_listing, quantity):
    response = api(charlie, "buy").post(f"{CART}/lines", {"listing_id": alice_listing.pk, "quantity": quantity})
    assert response.status_code == 422
    assert "quantity" in response.json()["errors"]


def test_another_buyers_line_is_not_found(api, charlie, bob, alice_listing):
    theirs = add_to_cart(get_or_create_cart(user=bob), alice_listing, 1)
    client = api(charlie, "buy")
    add_to_cart(get_or_create_cart(user=charlie), alice_listing, 1)
    assert client.patch(f"{CART}/lines/{theirs.pk}", {"quantity": 2}).status_code == 404
    assert client.delete(f"{CART}/lines/{theirs.pk}").status_code == 404
    theirs.refresh_from_db()
    assert theirs.quantity == 1


def test_a_repriced_line_is_flagged_until_the_prices_are_accepted(api, charlie, alice_listing):
    add_to_cart(get_or_create_cart(user=charlie), alice_listing, 1)
    Listing.objects.filter(pk=alice_listing.pk).update(price=Decimal("15.00"))
    client = api(charlie, "buy")
    cart = client.get(CART).json()
    assert [p["code"] for p in cart["lines"][0]["problems"]] == ["repriced"]
    assert cart["can_checkout"] is False
    accepted = client.post(f"{CART}/accept-prices").json()
    assert accepted["lines"][0]["problems"] == [] and accepted["can_checkout"] is True


def test_the_cart_reads_in_a_fixed_number_of_queries(api, charlie, django_assert_max_num_queries):
    from conftest import ListingFactory

    cart = get_or_create_cart(user=charlie)
    for _ in range(8):
        add_to_cart(cart, ListingFactory(), 1)
    client = api(charlie, "read")
    with django_assert_max_num_queries(6):
        response = client.get(CART)
    assert len(response.json()["lines"]) == 8


def test_shipping_options_per_seller(api, charlie, charlie_address, carriers, alice, alice_listing):
    add_to_cart(get_or_create_cart(user=charlie), alice_listing, 1)
    response = api(charlie, "read").get(f"{CART}/shipping")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["country"] == "CO"
    (group,) = body["sellers"]
    assert group["seller_id"] == alice.pk
    assert "SERVI" in {carrier["code"] for carrier in group["carriers"]}


def test_ids_beyond_the_databases_integers_are_bad_requests(api, charlie):
    client = api(charlie, "buy")
    huge = 2**64
    assert client.patch(f"{CART}/lines/{huge}", {"quantity": 1}).status_code == 400
    assert client.post(f"{CART}/lines", {"listing_id": huge}).status_code == 422
    assert client.get(f"/api/v1/sell/listings/{huge}").status_code in (400, 403)
    assert client.post("/api/v1/orders", {"address_id": huge, "carriers": {str(huge): 1}},
                       headers={"Idempotency-Key": "huge-ids-key-0001"}).status_code == 422  # fmt: skip


def test_every_buyer_seller_and_message_operation_is_in_the_openapi(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/cart", "/api/v1/cart/lines/{line_id}", "/api/v1/orders", "/api/v1/orders/{number}/cancel",
                 "/api/v1/sell/listings", "/api/v1/sell/listings/bulk", "/api/v1/sell/listings/{pk}/photos",
                 "/api/v1/sell/sales/{pk}/ship", "/api/v1/messages/{pk}/messages"):  # fmt: skip
        assert path in paths, sorted(paths)
    assert any(p["name"] == "Idempotency-Key" for p in paths["/api/v1/orders"]["post"]["parameters"])
