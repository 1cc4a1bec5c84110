"""The carrier simulator's steps for a parcel, on their own: no order, no database."""

import random

import pytest
from django_countries import countries

from shipping import simulator

DOMESTIC = simulator.Parcel(
    carrier_code="SERVI",
    carrier_name="Servientrega",
    origin_city="Bogotá",
    origin_country="CO",
    destination_city="Medellín",
    destination_country="CO",
    recipient="Charlie Buyer",
)
ABROAD = simulator.Parcel(
    carrier_code="DHL",
    carrier_name="DHL Express",
    origin_city="Austin",
    origin_country="US",
    destination_city="Bogotá",
    destination_country="CO",
    recipient="Charlie Buyer",
)


def test_a_parcel_moves_from_shipped_to_delivered_and_no_further():
    steps, status = [], simulator.SHIPPED
    while status in simulator.NEXT_STEP:
        status = simulator.NEXT_STEP[status]
        steps.append(status)
    assert steps == [simulator.IN_TRANSIT, simulator.OUT_FOR_DELIVERY, simulator.DELIVERED]


def test_handing_over_names_the_carrier_at_the_origin():
    assert simulator.shipped_event(DOMESTIC) == (
        simulator.EventCode.SHIPPED,
        {"carrier": "Servientrega"},
        ("Bogotá", "CO"),
    )


def test_a_domestic_parcel_passes_a_national_sorting_centre():
    code, params, location = simulator.carrier_event(DOMESTIC, simulator.IN_TRANSIT, random.Random(1))
    assert (code, params) == (simulator.EventCode.AT_SORTING_CENTRE, {})
    assert location in simulator.NATIONAL_HUBS["CO"]


def test_a_parcel_abroad_passes_its_carriers_international_hub():
    code, _params, location = simulator.carrier_event(ABROAD, simulator.IN_TRANSIT, random.Random(1))
    assert code == simulator.EventCode.AT_INTERNATIONAL_HUB
    assert location in simulator.INTERNATIONAL_HUBS["DHL"]


def test_every_hub_is_a_name_and_a_country_code():
    """The country stays a code, so the reader's side can name it in their language."""
    hubs = [*simulator.DEFAULT_HUBS, *(h for lists in simulator.INTERNATIONAL_HUBS.values() for h in lists)]
    hubs += [h for lists in simulator.NATIONAL_HUBS.values() for h in lists]
    for name, code in hubs:
        assert name and "," not in name
        assert code in countries, code


def test_the_last_steps_happen_at_the_destination_and_name_the_recipient():
    rng = random.Random(1)
    assert simulator.carrier_event(ABROAD, simulator.OUT_FOR_DELIVERY, rng) == (
        simulator.EventCode.OUT_FOR_DELIVERY,
        {},
        ("Bogotá", "CO"),
    )
    assert simulator.carrier_event(ABROAD, simulator.DELIVERED, rng) == (
        simulator.EventCode.DELIVERED,
        {"name": "Charlie Buyer"},
        ("Bogotá", "CO"),
    )


def test_a_carrier_does_not_move_a_parcel_backwards():
    with pytest.raises(ValueError):
        simulator.carrier_event(ABROAD, simulator.SHIPPED, random.Random(1))
