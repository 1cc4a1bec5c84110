"""The shipment machine: allowed moves pass, every other move raises."""

import itertools

import pytest

from core.states import IllegalTransition
from orders.models import Shipment, ShipmentEvent
from orders.states import CARRIER_STEPS, SHIPMENT_TRANSITIONS, ShipmentStatus
from shipping import simulator

MOVES = list(itertools.product(ShipmentStatus.values, repeat=2))


@pytest.mark.parametrize(("current", "new"), [m for m in MOVES if m[1] not in SHIPMENT_TRANSITIONS[m[0]]])
def test_illegal_transition_raises(current, new):
    shipment = Shipment(status=current)
    with pytest.raises(IllegalTransition):
        shipment.transition_to(new)
    assert shipment.status == current


@pytest.mark.parametrize(("current", "new"), [m for m in MOVES if m[1] in SHIPMENT_TRANSITIONS[m[0]]])
def test_allowed_transition(current, new):
    shipment = Shipment(status=current)
    shipment.transition_to(new)
    assert shipment.status == new


def test_the_trip_in_order():
    path = ["awaiting_payment", "ready_to_ship", "shipped", "in_transit", "out_for_delivery", "delivered"]
    for current, new in itertools.pairwise(path):
        assert new in SHIPMENT_TRANSITIONS[current]
    assert SHIPMENT_TRANSITIONS["awaiting_payment"] >= {"cancelled"}
    assert SHIPMENT_TRANSITIONS["ready_to_ship"] >= {"cancelled"}
    assert "cancelled" not in SHIPMENT_TRANSITIONS["shipped"]
    assert set(SHIPMENT_TRANSITIONS) == set(ShipmentStatus.values)


def test_the_carrier_steps_are_the_simulators_steps_as_shipment_statuses():
    # The order side follows the simulator's parcel steps; an event the simulator reports has wording here.
    assert CARRIER_STEPS == simulator.NEXT_STEP
    codes = [value for name, value in vars(simulator.EventCode).items() if name.isupper()]
    assert len(codes) == 5
    assert set(codes) <= set(ShipmentEvent.Code.values)
