"""orders 0005: a tracking event's stored "City, Country" becomes a city and a country code, and back.

Events recorded before it worded the country in whatever language was active where they were recorded; the
migration recognises English and Spanish names (and the simulator's old "United States"), leaves a place it
cannot read as it was, and going back joins the two parts again in English.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from orders.models import ShipmentEvent
from orders.services import pay_order
from orders.services.shipments import mark_shipped
from orders.tests.conftest import APPROVE, card

BEFORE_SPLIT = [("orders", "0004_move_shipments_from_shipping")]

# Stored location before the split -> (location, country) after it.
LEGACY = {
    "Austin, United States of America": ("Austin", "US"),
    "Leipzig hub, Alemania": ("Leipzig hub", "DE"),
    "Miami gateway, United States": ("Miami gateway", "US"),
    "Kralendijk, Bonaire, San Eustaquio y Saba": ("Kralendijk", "BQ"),
    "México": ("", "MX"),
    "Somewhere over the sea": ("Somewhere over the sea", ""),
    "": ("", ""),
}
# And the location each gets back, joined in English.
JOINED = {
    "Austin, United States of America": "Austin, United States of America",
    "Leipzig hub, Alemania": "Leipzig hub, Germany",
    "Miami gateway, United States": "Miami gateway, United States of America",
    "Kralendijk, Bonaire, San Eustaquio y Saba": "Kralendijk, Bonaire, Sint Eustatius and Saba",
    "México": "Mexico",
    "Somewhere over the sea": "Somewhere over the sea",
    "": "",
}


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _leaf_nodes():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_legacy_places_split_into_city_and_country_and_join_back_in_english(placed_order, alice):
    pay_order(placed_order, card(APPROVE), "event-places-0001")
    shipment = mark_shipped(placed_order.shipments.get(seller=alice), alice)

    old_apps = _migrate(BEFORE_SPLIT)
    OldEvent = old_apps.get_model("orders", "ShipmentEvent")
    assert "country" not in {field.name for field in OldEvent._meta.get_fields()}
    # The event recorded by the current code went back to one English place.
    assert OldEvent.objects.get(shipment_id=shipment.pk).location == "Bogotá, Colombia"
    now = timezone.now()
    legacy = {
        location: OldEvent.objects.create(
            shipment_id=shipment.pk, status="in_transit", location=location, happened_at=now
        ).pk
        for location in LEGACY
    }

    _migrate(_leaf_nodes())
    split = {
        pk: (location, country)
        for pk, location, country in ShipmentEvent.objects.values_list("pk", "location", "country")
    }
    assert {location: split[pk] for location, pk in legacy.items()} == LEGACY
    assert ShipmentEvent.objects.get(shipment=shipment, status="shipped").place == "Bogotá, Colombia"

    old_apps = _migrate(BEFORE_SPLIT)
    OldEvent = old_apps.get_model("orders", "ShipmentEvent")
    joined = dict(OldEvent.objects.values_list("pk", "location"))
    assert {location: joined[pk] for location, pk in legacy.items()} == JOINED
    _migrate(_leaf_nodes())
