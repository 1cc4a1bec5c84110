"""The order, payment, refund and shipment state machines: every allowed transition is listed here, once.

Models call :func:`check_transition` from their ``transition_to`` method; nothing else assigns ``status``
(except the initial value on creation). An illegal move raises :class:`core.states.IllegalTransition`, a domain error
the services let through to their callers: it means a bug or a stale page, never a user typing mistake.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.states import check_transition
from shipping import simulator


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
    PAID = "paid", _("Paid")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Processing")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    REFUNDED = "refunded", _("Refunded")


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Processing")
    SUCCEEDED = "succeeded", _("Refunded")
    FAILED = "failed", _("Failed")


# An order is "shipped" once every part that is not cancelled has left its seller, and "delivered" once every
# such part has arrived. Cancelling one seller's part leaves the order in its current status.
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.PENDING_PAYMENT: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED, OrderStatus.EXPIRED}),
    OrderStatus.PAID: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.EXPIRED: frozenset(),
}

PAYMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    PaymentStatus.PENDING: frozenset({PaymentStatus.APPROVED, PaymentStatus.DECLINED}),
    PaymentStatus.APPROVED: frozenset({PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED}),
    PaymentStatus.PARTIALLY_REFUNDED: frozenset({PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED}),
    PaymentStatus.DECLINED: frozenset(),
    PaymentStatus.REFUNDED: frozenset(),
}

# A failed refund stays on record and may be retried (same idempotency key) until it succeeds.
REFUND_TRANSITIONS: dict[str, frozenset[str]] = {
    RefundStatus.PENDING: frozenset({RefundStatus.SUCCEEDED, RefundStatus.FAILED}),
    RefundStatus.FAILED: frozenset({RefundStatus.SUCCEEDED, RefundStatus.FAILED}),
    RefundStatus.SUCCEEDED: frozenset(),
}


class ShipmentStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    READY_TO_SHIP = "ready_to_ship", _("Ready to ship")
    # From here on the carrier has the parcel: the same steps as the carrier simulator's.
    SHIPPED = simulator.SHIPPED, _("Shipped")
    IN_TRANSIT = simulator.IN_TRANSIT, _("In transit")
    OUT_FOR_DELIVERY = simulator.OUT_FOR_DELIVERY, _("Out for delivery")
    DELIVERED = simulator.DELIVERED, _("Delivered")
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

# The carrier's own steps (shipping.simulator, or a real carrier's webhook), as shipment statuses.
CARRIER_STEPS: dict[str, str] = {
    ShipmentStatus(current): ShipmentStatus(new) for current, new in simulator.NEXT_STEP.items()
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
