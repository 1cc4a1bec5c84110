"""Moving Shipment and ShipmentEvent from shipping to orders (orders 0004, shipping 0006) copies and loses nothing.

The migrations are state only: the tables keep their names and rows, the order lines keep pointing at their
shipments, and the content types follow the models. Run back to the state before the move and forward again.
"""

import io

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation
from django_countries import countries

from orders.models import OrderLine, Shipment, ShipmentEvent
from orders.services import cancel_seller_part, pay_order
from orders.services.shipments import advance_shipments, mark_shipped
from orders.tests.conftest import APPROVE, card

BEFORE_MOVE = [("orders", "0003_order_language"), ("shipping", "0005_national_carriers")]


def _events(event_model) -> list[tuple]:
    """The events, each place as one English "City, Country" (orders 0005 splits it, and joins it going back)."""
    if not any(field.name == "country" for field in event_model._meta.get_fields()):
        return sorted(event_model.objects.values_list("pk", "shipment_id", "status", "code", "location"))
    rows = event_model.objects.values_list("pk", "shipment_id", "status", "code", "location", "country")
    with translation.override("en"):
        return sorted(
            (*row[:4], ", ".join(part for part in (row[4], str(countries.name(row[5])) if row[5] else "") if part))
            for row in rows
        )


def _snapshot(shipment_model, event_model, line_model) -> dict:
    return {
        "shipments": sorted(
            shipment_model.objects.values_list(
                "pk", "order_id", "seller_id", "carrier_id", "status", "tracking_number"
            )
        ),
        "events": _events(event_model),
        "lines": sorted(line_model.objects.values_list("pk", "order_id", "shipment_id")),
    }


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _move_back_and_forth(staff) -> None:
    shipped = Shipment.objects.filter(tracking_number__isnull=False).first()
    LogEntry.objects.log_actions(staff.pk, [shipped], CHANGE, change_message="Looked at it.")
    before = _snapshot(Shipment, ShipmentEvent, OrderLine)
    assert before["shipments"] and before["events"] and before["lines"]

    old_apps = _migrate(BEFORE_MOVE)
    old = _snapshot(
        old_apps.get_model("shipping", "Shipment"),
        old_apps.get_model("shipping", "ShipmentEvent"),
        old_apps.get_model("orders", "OrderLine"),
    )
    assert old == before
    # An order line still reaches its shipment through the foreign key, in the old state.
    OldLine = old_apps.get_model("orders", "OrderLine")
    line = OldLine.objects.select_related("shipment").get(pk=before["lines"][0][0])
    assert line.shipment.pk == before["lines"][0][2]
    assert ContentType.objects.filter(app_label="shipping", model="shipment").exists()
    assert not ContentType.objects.filter(app_label="orders", model="shipment").exists()

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert _snapshot(Shipment, ShipmentEvent, OrderLine) == before
    assert (
        OrderLine.objects.select_related("shipment").get(pk=before["lines"][0][0]).shipment.pk
        == (before["lines"][0][2])
    )
    content_type = ContentType.objects.get_for_model(Shipment)
    assert (content_type.app_label, content_type.model) == ("orders", "shipment")
    assert LogEntry.objects.get(object_id=str(shipped.pk)).content_type == content_type
    assert not ContentType.objects.filter(app_label="shipping", model__in=["shipment", "shipmentevent"]).exists()


@pytest.fixture
def orders_in_every_state(placed_order, make_order, alice, bob, charlie):
    """A placed, paid and shipped order (one part delivered, one cancelled), and one left unpaid."""
    pay_order(placed_order, card(APPROVE), "migration-pay-0001")
    mark_shipped(placed_order.shipments.get(seller=alice), alice)
    cancel_seller_part(placed_order, bob, charlie)
    for _step in range(3):
        advance_shipments(push_all=True)
    make_order()
    return placed_order


@pytest.mark.django_db(transaction=True)
def test_shipments_survive_the_move_back_and_forth(orders_in_every_state, staff):
    _move_back_and_forth(staff)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_shipments_survive_the_move_on_the_demo_shop(orders_in_every_state, staff):
    call_command("seed_demo", stdout=io.StringIO())
    _move_back_and_forth(staff)
