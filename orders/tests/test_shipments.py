"""Shipping a sale and following it: tracking numbers, the carrier simulator, the timeline, order status."""

import importlib
import random
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation

from core.states import IllegalTransition
from orders.errors import ShipmentError
from orders.models import Order, Shipment, ShipmentEvent
from orders.services import cancel_seller_part, pay_order
from orders.services.shipments import advance_shipments, get_shipment_for_seller, mark_shipped, seller_sales
from orders.tests.conftest import APPROVE, card

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
    assert (event.status, event.location, event.country.code) == ("shipped", "Bogotá", "CO")
    assert event.place == "Bogotá, Colombia"
    assert (event.code, event.params) == ("shipped", {"carrier": "Servientrega"})
    assert event.display_description == event.description == "The seller handed the parcel to Servientrega."
    # Bob has not shipped yet: the order is still just paid.
    assert Order.objects.get(pk=paid_order.pk).status == Order.Status.PAID
    assert [m.to for m in mailoutbox] == [["charlie@example.com"]]
    assert shipment.tracking_number in mailoutbox[0].body


def test_only_the_seller_ships_only_when_ready(placed_order, alice, bob, charlie):
    alice_part, bob_part = parts(placed_order, alice, bob)
    with pytest.raises(ShipmentError) as info:
        mark_shipped(alice_part, alice)
    assert info.value.code == "not_ready_to_ship"  # not paid yet
    pay_order(placed_order, card(APPROVE), "pay-the-placed-order")
    for outsider in (bob, charlie):
        with pytest.raises(ShipmentError) as info:
            mark_shipped(alice_part, outsider)
        assert info.value.code == "not_your_shipment"
    mark_shipped(alice_part, alice)
    with pytest.raises(ShipmentError) as info:
        mark_shipped(alice_part, alice)
    assert info.value.code == "not_ready_to_ship"
    cancel_seller_part(placed_order, bob, charlie)
    with pytest.raises(ShipmentError):
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
        assert (events[-1].location, events[-1].country.code) == ("Medellín", "CO")
        assert events[-1].place == "Medellín, Colombia"
        assert events[-1].display_description == "Delivered to Charlie Buyer."
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
    with django_assert_max_num_queries(3):  # shipments, their lines, their claims
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


# --- Events in the reader's language -----------------------------------------------------------------------------


def test_events_are_stored_as_codes_and_worded_when_shown(paid_order, alice, bob, charlie):
    alice_part, _bob_part = parts(paid_order, alice, bob)
    with translation.override("en"):  # the carrier simulator runs from cron, in the default language
        mark_shipped(alice_part, alice)
        for _step in range(3):
            advance_shipments(push_all=True)
    events = list(alice_part.events.all())
    assert [e.code for e in events] == ["shipped", "at_sorting_centre", "out_for_delivery", "delivered"]
    assert events[-1].params == {"name": "Charlie Buyer"}
    with translation.override("es"):
        assert [e.display_description for e in events] == [
            "El vendedor entregó el paquete a Servientrega.",
            "En tránsito: llegó al centro de clasificación.",
            "En reparto con el mensajero local.",
            "Entregado a Charlie Buyer.",
        ]
    # The source-language wording stays next to the code, for staff.
    with translation.override("es"):
        cancel_seller_part(paid_order, bob, charlie)
    [cancelled] = ShipmentEvent.objects.filter(shipment__seller=bob)
    assert (cancelled.code, cancelled.description) == ("order_cancelled", "The order was cancelled.")


def test_the_sellers_timeline_is_worded_in_the_sellers_language(client_for, paid_order, alice, bob):
    alice_part, _bob_part = parts(paid_order, alice, bob)
    with translation.override("en"):
        mark_shipped(alice_part, alice)
        advance_shipments(push_all=True)
    url = reverse("shipping:sale_detail", args=[alice_part.pk])
    spanish = client_for(alice).get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "El vendedor entregó el paquete a Servientrega." in spanish
    assert "En tránsito: llegó al centro de clasificación." in spanish
    assert "The seller handed the parcel" not in spanish
    english = client_for(alice).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "In transit: arrived at the sorting centre." in english


def test_events_recorded_before_codes_get_the_code_of_their_text(paid_order, alice, bob):
    """The data migration: known messages, in English or Spanish, get their code; anything else stays text."""
    alice_part, _bob_part = parts(paid_order, alice, bob)
    expected = {
        "The seller handed the parcel to DHL Express.": ("shipped", {"carrier": "DHL Express"}),
        "Entregado a Charlie Buyer.": ("delivered", {"name": "Charlie Buyer"}),
        "Delivered to Charlie Buyer.": ("delivered", {"name": "Charlie Buyer"}),
        "In transit: arrived at the international hub.": ("at_international_hub", {}),
        "Se canceló el pedido.": ("order_cancelled", {}),
        "The order was not paid in time.": ("not_paid_in_time", {}),
        "Cancelled by our staff.": ("cancelled_by_staff", {}),
        "Changed my mind": ("", {}),
        "Delivered to": ("", {}),
    }
    now = timezone.now()
    ids = {
        text: ShipmentEvent.objects.create(shipment=alice_part, status="shipped", description=text, happened_at=now).pk
        for text in expected
    }
    migration = importlib.import_module("shipping.migrations.0003_shipmentevent_code")
    # The migration reads the models of its time (shipments were in shipping then): the same table.
    loader = MigrationLoader(connection)
    migration.fill_codes(loader.project_state(("shipping", "0003_shipmentevent_code")).apps, None)

    for text, (code, params) in expected.items():
        event = ShipmentEvent.objects.get(pk=ids[text])
        assert (event.code, event.params, event.description) == (code, params, text)
    with translation.override("en"):
        assert ShipmentEvent.objects.get(pk=ids["Entregado a Charlie Buyer."]).display_description == (
            "Delivered to Charlie Buyer."
        )
        assert ShipmentEvent.objects.get(pk=ids["Changed my mind"]).display_description == "Changed my mind"
