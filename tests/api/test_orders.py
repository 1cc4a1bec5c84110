"""Placing, reading and cancelling orders through the API; the Idempotency-Key makes a retry safe."""

import pytest

from catalog.models import Listing
from orders.models import Order
from orders.services import pay_order
from orders.states import OrderStatus
from orders.tests.conftest import card

ORDERS = "/api/v1/orders"


@pytest.fixture
def body(alice, bob, charlie_address, choice):
    return {"address_id": charlie_address.pk, "carriers": {str(k): v for k, v in choice.items()}}


def place(client, body, key="3f1c9a4e-order-key-0001"):
    return client.post(ORDERS, body, headers={"Idempotency-Key": key})


def test_placing_an_order_answers_201_with_its_location_and_pay_url(api, charlie, charlie_cart, body):
    response = place(api(charlie, "buy"), body)
    assert response.status_code == 201, response.content
    order = Order.objects.get(buyer=charlie)
    data = response.json()
    assert data["number"] == order.number
    assert response["Location"] == f"http://testserver{ORDERS}/{order.number}"
    assert data["status"] == OrderStatus.PENDING_PAYMENT
    assert data["pay_url"] == f"http://testserver/orders/{order.number}/pay/"
    assert len(data["shipments"]) == 2 and len(data["lines"]) == 2
    assert data["total"]["amount"] == f"{order.total:.2f}"
    assert not charlie_cart.lines.exists()


def test_a_retry_with_the_same_key_returns_the_same_order(api, charlie, charlie_cart, body, alice_listing):
    client = api(charlie, "buy")
    first = place(client, body)
    second = place(client, body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["number"] == second.json()["number"]
    assert second["Location"] == first["Location"]
    assert Order.objects.filter(buyer=charlie).count() == 1
    alice_listing.refresh_from_db()
    assert alice_listing.quantity == 1  # 3 in stock, 2 taken once


def test_the_same_key_with_another_body_is_refused(api, charlie, charlie_cart, body, carriers, alice):
    client = api(charlie, "buy")
    assert place(client, body).status_code == 201
    other = {**body, "carriers": {**body["carriers"], str(alice.pk): carriers["ENVIA"].pk}}
    response = place(client, other)
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Order.objects.filter(buyer=charlie).count() == 1


def test_a_new_key_is_a_new_order_and_keys_are_per_buyer(api, charlie, bob, charlie_cart, body, alice_listing):
    client = api(charlie, "buy")
    assert place(client, body, key="key-a-000000000001").status_code == 201
    # The cart is empty now: a new key tries a new order.
    again = place(client, body, key="key-b-000000000002")
    assert (again.status_code, again.json()["code"]) == (400, "cart_empty")


def test_the_key_is_required(api, charlie, charlie_cart, body):
    response = api(charlie, "buy").post(ORDERS, body)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]


def test_a_sold_out_line_is_a_conflict_and_takes_nothing(api, charlie, charlie_cart, body, alice_listing):
    Listing.objects.filter(pk=alice_listing.pk).update(quantity=1)
    response = place(api(charlie, "buy"), body)
    assert response.status_code == 409
    assert response.json()["code"] == "lines_unavailable"
    assert response.json()["errors"]
    assert not Order.objects.exists()
    # Fixing the cart and retrying with the same key now places the order.
    charlie_cart.lines.filter(listing=alice_listing).update(quantity=1)
    assert place(api(charlie, "buy"), body).status_code == 201


def test_a_carrier_that_does_not_serve_the_route_is_a_field_error(api, charlie, charlie_cart, body, carriers, bob):
    body["carriers"][str(bob.pk)] = carriers["SERVI"].pk  # national Colombian carrier, parcel from the USA
    response = place(api(charlie, "buy"), body)
    assert response.status_code == 422
    assert f"carriers.{bob.pk}" in response.json()["errors"]


def test_someone_elses_address_is_a_field_error(api, charlie, bob, charlie_cart, body):
    from orders.tests.conftest import AddressFactory

    body["address_id"] = AddressFactory(user=bob).pk
    response = place(api(charlie, "buy"), body)
    assert response.status_code == 422
    assert "address_id" in response.json()["errors"]


def test_an_unconfirmed_email_cannot_check_out(api, charlie, charlie_cart, body):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=charlie).update(verified=False)
    response = place(api(charlie, "buy"), body)
    assert (response.status_code, response.json()["code"]) == (403, "email_unconfirmed")


def test_orders_list_pages_with_a_cursor(api, charlie, make_order, django_assert_max_num_queries):
    numbers = [make_order(buyer=charlie).number for _ in range(5)]
    client = api(charlie, "read")
    seen = []
    cursor = None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        with django_assert_max_num_queries(4):
            page = client.get(ORDERS, params).json()
        seen += [item["number"] for item in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == list(reversed(numbers))
    assert client.get(ORDERS, {"cursor": "not-a-cursor"}).status_code == 400


def test_order_detail_shows_shipments_and_tracking(api, charlie, shipped_order, alice, django_assert_max_num_queries):
    client = api(charlie, "read")
    with django_assert_max_num_queries(10):
        response = client.get(f"{ORDERS}/{shipped_order.number}")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["pay_url"] is None
    alices = next(s for s in data["shipments"] if s["seller_id"] == alice.pk)
    assert alices["tracking_number"]
    assert [e["status"] for e in alices["events"]][:2] == ["shipped", "in_transit"]
    assert all(e["description"] for e in alices["events"])


def test_another_buyers_order_is_not_found(api, bob, placed_order):
    client = api(bob, "buy")
    assert client.get(f"{ORDERS}/{placed_order.number}").status_code == 404
    assert client.post(f"{ORDERS}/{placed_order.number}/cancel").status_code == 404
    placed_order.refresh_from_db()
    assert placed_order.status == OrderStatus.PENDING_PAYMENT


def test_cancel_gives_the_stock_back(api, charlie, placed_order, alice_listing):
    response = api(charlie, "buy").post(f"{ORDERS}/{placed_order.number}/cancel", {"reason": "Changed my mind"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == OrderStatus.CANCELLED
    alice_listing.refresh_from_db()
    assert alice_listing.quantity == 3


def test_an_order_that_shipped_cannot_be_cancelled(api, charlie, shipped_order):
    response = api(charlie, "buy").post(f"{ORDERS}/{shipped_order.number}/cancel")
    assert response.status_code == 409
    assert response.json()["code"] == "not_cancellable"


def test_a_paid_order_has_no_pay_url(api, charlie, placed_order):
    pay_order(placed_order, card(), "api-test-pay-key-0001")
    data = api(charlie, "read").get(f"{ORDERS}/{placed_order.number}").json()
    assert (data["status"], data["pay_url"]) == (OrderStatus.PAID, None)


# --- Saved addresses ---------------------------------------------------------------------------------------------

ADDRESS = {
    "full_name": "Charlie Buyer",
    "line1": "Calle 10 # 5-20",
    "city": "Cali",
    "region": "Valle del Cauca",
    "postal_code": "760001",
    "country": "CO",
    "phone": "+57 300 555 0100",
}


def test_a_buyer_saves_an_address_and_checks_out_to_it(api, charlie, charlie_cart, choice):
    client = api(charlie, "read", "buy")
    response = client.post(f"{ORDERS}/addresses", ADDRESS)
    assert response.status_code == 201, response.content
    saved = response.json()
    assert (saved["country"], saved["line2"], saved["city"]) == ("CO", "", "Cali")
    assert response["Location"].endswith(f"{ORDERS}/addresses")
    assert saved["id"] in [address["id"] for address in client.get(f"{ORDERS}/addresses").json()]
    again = client.post(f"{ORDERS}/addresses", ADDRESS)
    assert again.status_code == 201 and again.json()["id"] == saved["id"]  # the same address is not saved twice

    body = {"address_id": saved["id"], "carriers": {str(k): v for k, v in choice.items()}}
    placed = place(client, body, key="3f1c9a4e-order-key-address")
    assert placed.status_code == 201, placed.content


def test_an_address_is_checked_as_at_checkout(api, charlie):
    from orders.models import Address

    before = Address.objects.count()
    client = api(charlie, "buy")
    response = client.post(f"{ORDERS}/addresses", {**ADDRESS, "country": "ZZ", "phone": "call me"})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"country", "phone"}
    missing = client.post(f"{ORDERS}/addresses", {key: value for key, value in ADDRESS.items() if key != "city"})
    assert missing.status_code in (400, 422)
    assert api(charlie, "read").post(f"{ORDERS}/addresses", ADDRESS).status_code == 403
    assert Address.objects.count() == before


@pytest.mark.parametrize("key", ["²", "99999999999999999999999"])
def test_an_order_number_of_odd_digits_is_not_found(api, charlie, key):
    assert api(charlie, "read").get(f"/api/v1/orders/{key}").status_code == 404
    assert api(charlie, "buy").post(f"/api/v1/orders/{key}/cancel").status_code == 404
