"""The buyer's order pages: list, detail with shipments and timelines, and cancelling (whole or one part)."""

import pytest
from django.urls import reverse
from django.utils import translation

from catalog.models import Listing
from orders.models import Order, Refund
from orders.services import cancel_seller_part, pay_order
from orders.services.shipments import advance_shipments, mark_shipped
from orders.states import OrderStatus, PaymentStatus, RefundStatus, ShipmentStatus
from orders.tests.conftest import DECLINE, card

ORDERS = reverse("orders:order_list")
SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def detail_url(order) -> str:
    return reverse("orders:order_detail", args=[order.number])


def cancel_url(order) -> str:
    return reverse("orders:order_cancel", args=[order.number])


def part_url(order, shipment) -> str:
    return reverse("orders:order_cancel_part", args=[order.number, shipment.pk])


@pytest.fixture
def paid_order(placed_order):
    pay_order(placed_order, card(), "paid-order-key-0001")
    placed_order.refresh_from_db()
    return placed_order


def shipment_of(order, seller):
    return order.shipments.get(seller=seller)


# --- List -----------------------------------------------------------------------


def test_list_shows_only_the_buyers_orders(client_for, charlie, placed_order, make_order):
    someone_elses = make_order()
    response = client_for(charlie).get(ORDERS)
    assert list(response.context["page"].object_list) == [placed_order]
    html = response.content.decode()
    assert placed_order.number in html and someone_elses.number not in html
    assert reverse("orders:pay", args=[placed_order.number]) in html


def test_list_query_budget(client_for, charlie, make_order, django_assert_max_num_queries):
    for _ in range(8):
        make_order(buyer=charlie)
    client = client_for(charlie)
    with django_assert_max_num_queries(6):
        response = client.get(ORDERS)
    assert len(response.context["page"].object_list) == 8


def test_anonymous_visitors_are_sent_to_login(client, placed_order):
    for url in [ORDERS, detail_url(placed_order)]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    response = client.post(cancel_url(placed_order))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={detail_url(placed_order)}"
    placed_order.refresh_from_db()
    assert placed_order.status == OrderStatus.PENDING_PAYMENT


# --- Detail ---------------------------------------------------------------------


def test_detail_by_number_or_id(client_for, charlie, placed_order):
    client = client_for(charlie)
    for key in [placed_order.number, placed_order.number.lower(), str(placed_order.pk)]:
        response = client.get(reverse("orders:order_detail", args=[key]))
        assert response.status_code == 200 and response.context["order"] == placed_order


@pytest.mark.parametrize("key", ["number", "pk", "BS-NOPE0000", "99999"])
def test_someone_elses_or_unknown_order_is_a_404(client_for, bob, placed_order, key):
    value = getattr(placed_order, key, key)
    client = client_for(bob)
    assert client.get(reverse("orders:order_detail", args=[value])).status_code == 404
    assert client.get(reverse("orders:pay", args=[value])).status_code == 404
    assert client.post(reverse("orders:order_cancel", args=[value])).status_code == 404
    placed_order.refresh_from_db()
    assert placed_order.status == OrderStatus.PENDING_PAYMENT


def test_detail_shows_lines_totals_payment_and_each_shipment(client_for, charlie, paid_order, alice, bob):
    response = client_for(charlie).get(detail_url(paid_order))
    html = response.content.decode()
    assert "The Name of the Rose" in html and "Dune" in html
    assert "Servientrega" in html and "FedEx International" in html
    assert 'data-payment-status="approved"' in html and "Visa ending in 4242" in html
    assert "$70.59" in html
    assert "Medellín" in html
    assert response.context["can_cancel_order"]
    assert response.context["cancellable_part_ids"] == {s.pk for s in paid_order.shipments.all()}


def test_detail_shows_a_declined_payment_and_the_pay_button(client_for, charlie, placed_order):
    pay_order(placed_order, card(DECLINE), "declined-key-00001")
    html = client_for(charlie).get(detail_url(placed_order)).content.decode()
    assert "The card was declined." in html
    assert reverse("orders:pay", args=[placed_order.number]) in html


def test_detail_shows_the_tracking_timeline(client_for, charlie, paid_order, alice, bob):
    shipment = mark_shipped(shipment_of(paid_order, alice), alice)
    advance_shipments(push_all=True)
    advance_shipments(push_all=True)
    response = client_for(charlie).get(detail_url(paid_order))
    html = response.content.decode()
    assert shipment.tracking_number in html
    timeline = html[html.index('aria-label="Tracking timeline"') :]
    positions = [timeline.index(label) for label in ["Shipped", "In transit", "Out for delivery"]]
    assert positions == sorted(positions)
    # Alice's part has left: only bob's part may still be cancelled, and not the whole order.
    assert not response.context["can_cancel_order"]
    assert response.context["cancellable_part_ids"] == {shipment_of(paid_order, bob).pk}


def test_the_timeline_is_worded_in_the_readers_language(client_for, charlie, paid_order, alice, bob):
    # The seller ships, the carrier simulator (a cron job) moves the parcel and the buyer cancels the other
    # part, all while English is active: each reader still sees the timeline in their own language.
    with translation.override("en"):
        mark_shipped(shipment_of(paid_order, alice), alice)
        advance_shipments(push_all=True)
        advance_shipments(push_all=True)
        cancel_seller_part(paid_order, bob, charlie)
    client = client_for(charlie)

    spanish = client.get(detail_url(paid_order), **SPANISH).content.decode()
    for text in [
        "El vendedor entregó el paquete a Servientrega.",
        "En tránsito: llegó al centro de clasificación.",
        "En reparto con el mensajero local.",
        "Se canceló el pedido.",
    ]:
        assert text in spanish
    assert "The seller handed the parcel" not in spanish and "sorting centre." not in spanish

    english = client.get(detail_url(paid_order), **ENGLISH).content.decode()
    for text in [
        "The seller handed the parcel to Servientrega.",
        "In transit: arrived at the sorting centre.",
        "Out for delivery with the local courier.",
        "The order was cancelled.",
    ]:
        assert text in english
    assert "El vendedor" not in english and "Se canceló" not in english


def test_the_timelines_places_name_their_country_in_the_readers_language(client_for, charlie, paid_order, bob):
    # Bob ships from Austin and the carrier simulator carries the parcel to Medellín, all while English is
    # active: the country of each place is still named in the reader's language.
    with translation.override("en"):
        mark_shipped(shipment_of(paid_order, bob), bob)
        for _step in range(3):
            advance_shipments(push_all=True)
    assert shipment_of(paid_order, bob).status == ShipmentStatus.DELIVERED
    client = client_for(charlie)

    spanish = client.get(detail_url(paid_order), **SPANISH).content.decode()
    assert "Austin, Estados Unidos" in spanish
    assert "Medellín, Colombia" in spanish
    assert "United States" not in spanish

    english = client.get(detail_url(paid_order), **ENGLISH).content.decode()
    assert "Austin, United States of America" in english
    assert "Medellín, Colombia" in english
    assert "Estados Unidos" not in english


@pytest.mark.parametrize("written_in", ["en", "es"])
def test_a_declined_payments_reason_is_worded_in_the_readers_language(client_for, charlie, placed_order, written_in):
    with translation.override(written_in):
        pay_order(placed_order, card(DECLINE), "declined-key-00002")
    client = client_for(charlie)

    spanish = client.get(detail_url(placed_order), **SPANISH).content.decode()
    assert "Tu último intento fue rechazado: La tarjeta fue rechazada." in spanish
    assert "The card was declined." not in spanish

    english = client.get(detail_url(placed_order), **ENGLISH).content.decode()
    assert "Your last attempt was declined: The card was declined." in english
    assert "La tarjeta fue rechazada." not in english


def test_detail_query_budget(client_for, charlie, paid_order, alice, django_assert_max_num_queries):
    mark_shipped(shipment_of(paid_order, alice), alice)
    advance_shipments(push_all=True)
    client = client_for(charlie)
    with django_assert_max_num_queries(11):
        response = client.get(detail_url(paid_order))
    assert response.status_code == 200


# --- Cancelling -----------------------------------------------------------------


def test_cancel_unpaid_order_returns_stock(client_for, charlie, placed_order, alice_listing, bob_listing):
    response = client_for(charlie).post(cancel_url(placed_order))
    assert response.status_code == 302 and response["Location"] == detail_url(placed_order)
    placed_order.refresh_from_db()
    assert placed_order.status == OrderStatus.CANCELLED
    assert [Listing.objects.get(pk=x.pk).quantity for x in (alice_listing, bob_listing)] == [3, 3]
    assert not Refund.objects.exists()


def test_cancel_paid_order_refunds_everything(client_for, charlie, paid_order):
    client_for(charlie).post(cancel_url(paid_order))
    paid_order.refresh_from_db()
    refund = Refund.objects.get()
    assert paid_order.status == OrderStatus.CANCELLED
    assert refund.status == RefundStatus.SUCCEEDED and refund.amount == paid_order.payments.get().amount
    assert paid_order.payments.get().status == PaymentStatus.REFUNDED


def test_cancel_part_of_a_paid_order(client_for, charlie, paid_order, bob, bob_listing):
    bob_part = shipment_of(paid_order, bob)
    client = client_for(charlie)
    response = client.post(part_url(paid_order, bob_part))
    assert response.status_code == 302
    bob_part.refresh_from_db()
    paid_order.refresh_from_db()
    assert bob_part.status == ShipmentStatus.CANCELLED and paid_order.status == OrderStatus.PAID
    assert Listing.objects.get(pk=bob_listing.pk).quantity == 3
    assert Refund.objects.get().amount == bob_listing.price + bob_part.shipping_cost
    messages = [str(m) for m in client.get(detail_url(paid_order)).context["messages"]]
    assert any("Bob's Books" in m for m in messages)


def test_cannot_cancel_after_shipping(client_for, charlie, paid_order, alice, alice_listing):
    mark_shipped(shipment_of(paid_order, alice), alice)
    client = client_for(charlie)
    response = client.post(cancel_url(paid_order), follow=True)
    assert "Already shipped by Alice&#x27;s Attic" in response.content.decode()
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.PAID
    assert Listing.objects.get(pk=alice_listing.pk).quantity == 1
    client.post(part_url(paid_order, shipment_of(paid_order, alice)))
    assert shipment_of(paid_order, alice).status == ShipmentStatus.SHIPPED
    assert not Refund.objects.exists()


def test_a_shipment_of_another_order_is_a_404(client_for, charlie, placed_order, make_order):
    other = make_order(buyer=charlie)
    foreign_part = other.shipments.get()
    response = client_for(charlie).post(part_url(placed_order, foreign_part))
    assert response.status_code == 404
    assert Order.objects.filter(status=OrderStatus.CANCELLED).count() == 0


@pytest.mark.parametrize("name", ["cancel", "part"])
def test_cancel_urls_refuse_get(client_for, charlie, placed_order, name):
    url = cancel_url(placed_order) if name == "cancel" else part_url(placed_order, placed_order.shipments.first())
    assert client_for(charlie).get(url).status_code == 405
    placed_order.refresh_from_db()
    assert placed_order.status == OrderStatus.PENDING_PAYMENT
