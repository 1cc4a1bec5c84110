"""The shipment state machine: every allowed transition is listed here, once.

``Shipment.transition_to`` is the only place that changes a shipment's status; an illegal move raises
:class:`core.states.IllegalTransition` (one exception type for every machine in the project).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.states import check_transition

__all__ = [
    "CARRIER_STEPS",
    "IN_FLIGHT",
    "LEFT_SELLER",
    "SHIPMENT_TRANSITIONS",
    "ShipmentStatus",
    "check_shipment_transition",
]


class ShipmentStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    READY_TO_SHIP = "ready_to_ship", _("Ready to ship")
    SHIPPED = "shipped", _("Shipped")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


SHIPMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    ShipmentStatus.AWAITING_PAYMENT: frozenset({ShipmentStatus.READY_TO_SHIP, ShipmentStatus.CANCELLED}),
    ShipmentStatus.READY_TO_SHIP: frozenset({ShipmentStatus.SHIPPED, ShipmentStatus.CANCELLED}),
    ShipmentStatus.SHIPPED: frozenset({ShipmentStatus.IN_TRANSIT}),
    ShipmentStatus.IN_TRANSIT: frozenset({ShipmentStatus.OUT_FOR_DELIVERY}),
    ShipmentStatus.OUT_FOR_DELIVERY: frozenset({ShipmentStatus.DELIVERED}),
    ShipmentStatus.DELIVERED: frozenset(),
    ShipmentStatus.CANCELLED: frozenset(),
}

# The carrier's own steps, which the simulator (or a real carrier's webhook) drives.
CARRIER_STEPS: dict[str, str] = {
    ShipmentStatus.SHIPPED: ShipmentStatus.IN_TRANSIT,
    ShipmentStatus.IN_TRANSIT: ShipmentStatus.OUT_FOR_DELIVERY,
    ShipmentStatus.OUT_FOR_DELIVERY: ShipmentStatus.DELIVERED,
}

# Statuses of a parcel that has left its seller (it can no longer be cancelled).
LEFT_SELLER = frozenset(
    {
        ShipmentStatus.SHIPPED,
        ShipmentStatus.IN_TRANSIT,
        ShipmentStatus.OUT_FOR_DELIVERY,
        ShipmentStatus.DELIVERED,
    }
)
# Statuses the carrier simulator moves forward.
IN_FLIGHT = frozenset(CARRIER_STEPS)


def check_shipment_transition(current: str, new: str) -> None:
    """Raise IllegalTransition unless a shipment may move from ``current`` to ``new``."""
    check_transition("Shipment", SHIPMENT_TRANSITIONS, current, new)
