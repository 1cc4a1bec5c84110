"""Shipping a sale and following it: tracking numbers, the carrier simulator, the timeline, order status."""

import random
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone

from orders.models import Order
from orders.services import cancel_seller_part, pay_order
from orders.states import IllegalTransition
from orders.tests.conftest import APPROVE, card
from shipping.models import Shipment, ShipmentEvent
from shipping.services import (
    ShippingError,
    advance_shipments,
    get_shipment_for_seller,
    mark_shipped,
    seller_sales,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_order(placed_order):
    pay_order(placed_order, card(APPROVE), "pay-the-placed-order")
    return Order.objects.get(pk=placed_order.pk)


def parts(order, alice, bob):
    return order.shipments.get(seller=alice), order.shipments.get(seller=bob)


def test_mark_shipped_generates_tracking_and_emails_buyer(
    paid_order, alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    alice_part, _bob_part = parts(paid_order, alice, bob)
    with django_capture_on_commit_callbacks(execute=True):
        shipment = mark_shipped(alice_part, alice)

    assert shipment.status == Shipment.Status.SHIPPED and shipment.shipped_at
    assert shipment.tracking_number.startswith("SERVI") and len(shipment.tracking_number) == 15
    [event] = shipment.events.all()
    assert (event.status, event.location) == ("shipped", "Bogotá, Colombia")
    assert "Servientrega" in event.description
    # Bob has not shipped yet: the order is still just paid.
    assert Order.objects.get(pk=paid_order.pk).status == Order.Status.PAID
    assert [m.to for m in mailoutbox] == [["charlie@example.com"]]
    assert shipment.tracking_number in mailoutbox[0].body


def test_only_the_seller_ships_only_when_ready(placed_order, alice, bob, charlie):
    alice_part, bob_part = parts(placed_order, alice, bob)
    with pytest.raises(ShippingError) as info:
        mark_shipped(alice_part, alice)
    assert info.value.code == "not_ready_to_ship"  # not paid yet
    pay_order(placed_order, card(APPROVE), "pay-the-placed-order")
    for outsider in (bob, charlie):
        with pytest.raises(ShippingError) as info:
            mark_shipped(alice_part, outsider)
        assert info.value.code == "not_your_shipment"
    mark_shipped(alice_part, alice)
    with pytest.raises(ShippingError) as info:
        mark_shipped(alice_part, alice)
    assert info.value.code == "not_ready_to_ship"
    cancel_seller_part(placed_order, bob, charlie)
    with pytest.raises(ShippingError):
        mark_shipped(bob_part, bob)
    assert Shipment.objects.get(pk=bob_part.pk).tracking_number is None


def test_timeline_to_delivery_and_order_status(paid_order, alice, bob, mailoutbox, django_capture_on_commit_callbacks):
    alice_part, bob_part = parts(paid_order, alice, bob)
    start = timezone.now()
    mark_shipped(alice_part, alice, now=start)
    mark_shipped(bob_part, bob, now=start)
    assert Order.objects.get(pk=paid_order.pk).status == Order.Status.SHIPPED
    rng = random.Random(7)

    # Too early: nothing moves.
    assert advance_shipments(start + timedelta(hours=1), rng) == 0
    with django_capture_on_commit_callbacks(execute=True):
        for step in range(1, 4):
            assert advance_shipments(start + timedelta(hours=6 * step + 1), rng) == 2
    assert advance_shipments(start + timedelta(days=5), rng) == 0

    for shipment in (alice_part, bob_part):
        shipment.refresh_from_db()
        assert shipment.status == Shipment.Status.DELIVERED
        assert shipment.delivered_at == start + timedelta(hours=19)
        events = list(shipment.events.all())
        assert [e.status for e in events] == ["shipped", "in_transit", "out_for_delivery", "delivered"]
        assert [e.happened_at for e in events] == sorted(e.happened_at for e in events)
        assert events[-1].location == "Medellín, Colombia"
        assert "Charlie Buyer" in events[-1].description
    assert "sorting centre" in alice_part.events.get(status="in_transit").location
    assert "hub" in bob_part.events.get(status="in_transit").location
    assert Order.objects.get(pk=paid_order.pk).status == Order.Status.DELIVERED
    delivered_mails = [m for m in mailoutbox if "delivered" in m.subject]
    assert len(delivered_mails) == 2


def test_order_is_delivered_only_when_all_live_shipments_are(paid_order, alice, bob, charlie):
    alice_part, _bob_part = parts(paid_order, alice, bob)
    mark_shipped(alice_part, alice)
    for _step in range(3):
        advance_shipments(push_all=True)
    assert Shipment.objects.get(pk=alice_part.pk).status == Shipment.Status.DELIVERED
    assert Order.objects.get(pk=paid_order.pk).status == Order.Status.PAID  # bob has not shipped
    # Bob's part is cancelled: everything left is delivered, so the order is.
    order = cancel_seller_part(paid_order, bob, charlie)
    assert order.status == Order.Status.DELIVERED


def test_command_with_all_and_now(paid_order, alice, bob, capsys):
    alice_part, _ = parts(paid_order, alice, bob)
    mark_shipped(alice_part, alice)
    soon = (timezone.now() + timedelta(hours=1)).replace(microsecond=0)
    call_command("advance_shipments", "--all", "--now", soon.isoformat(), "--seed", "1")
    assert "Advanced 1 shipment(s)." in capsys.readouterr().out
    assert ShipmentEvent.objects.get(status="in_transit").happened_at == soon
    call_command("advance_shipments")  # it just moved: not yet
    assert "Advanced 0 shipment(s)." in capsys.readouterr().out
    call_command("advance_shipments", "--now", (soon + timedelta(hours=7)).isoformat())
    assert "Advanced 1 shipment(s)." in capsys.readouterr().out
    assert Shipment.objects.get(pk=alice_part.pk).status == Shipment.Status.OUT_FOR_DELIVERY


def test_delivered_shipment_cannot_go_back(paid_order, alice, bob):
    alice_part, _ = parts(paid_order, alice, bob)
    mark_shipped(alice_part, alice)
    alice_part.refresh_from_db()
    with pytest.raises(IllegalTransition):
        alice_part.transition_to(Shipment.Status.CANCELLED)
    with pytest.raises(IllegalTransition):
        alice_part.transition_to(Shipment.Status.READY_TO_SHIP)


def test_seller_sees_only_their_own_shipments(paid_order, alice, bob, charlie, django_assert_max_num_queries):
    alice_part, bob_part = parts(paid_order, alice, bob)
    with django_assert_max_num_queries(2):
        sales = list(seller_sales(alice))
        assert [s.pk for s in sales] == [alice_part.pk]
        assert [line.title for line in sales[0].lines.all()] == ["The Name of the Rose"]
        assert sales[0].order.buyer == charlie and sales[0].carrier.code == "SERVI"
    assert list(seller_sales(alice, status="shipped")) == []
    assert get_shipment_for_seller(alice, alice_part.pk) == alice_part
    for user, pk in (
        (bob, alice_part.pk),
        (charlie, alice_part.pk),
        (alice, bob_part.pk),
        (alice, "x"),
        (alice, 999999),
    ):
        with pytest.raises(Http404):
            get_shipment_for_seller(user, pk)
