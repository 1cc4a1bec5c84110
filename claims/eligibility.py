"""When a buyer may open a claim on a shipment: pure date rules, no database access.

- "not received": the parcel left its seller, has not been delivered, and its expected delivery date (the day it
  shipped plus the carrier's slowest delivery time in business days) passed CLAIM_NOT_RECEIVED_GRACE_DAYS ago;
- "not as described": the parcel was delivered less than NOT_AS_DESCRIBED_DAYS ago.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.states import ClaimKind
from orders.models import Shipment
from orders.states import ShipmentStatus
from shipping.services import add_business_days

NOT_AS_DESCRIBED_DAYS = 30
# When the carrier does not say how slow it may be.
DEFAULT_DELIVERY_BUSINESS_DAYS = 15
ON_THE_WAY = frozenset({ShipmentStatus.SHIPPED, ShipmentStatus.IN_TRANSIT, ShipmentStatus.OUT_FOR_DELIVERY})


def expected_delivery_date(shipment: Shipment) -> datetime.date | None:
    """The latest day the carrier promises delivery by (reads ``carrier``), or None before it shipped."""
    if shipment.shipped_at is None:
        return None
    days = shipment.carrier.max_days if shipment.carrier.max_days is not None else DEFAULT_DELIVERY_BUSINESS_DAYS
    return add_business_days(timezone.localdate(shipment.shipped_at), days)


def not_received_from(shipment: Shipment) -> datetime.date | None:
    """The first day a "not received" claim may be opened, or None before the parcel shipped."""
    expected = expected_delivery_date(shipment)
    if expected is None:
        return None
    return expected + datetime.timedelta(days=settings.CLAIM_NOT_RECEIVED_GRACE_DAYS)


def not_as_described_until(shipment: Shipment) -> datetime.datetime | None:
    """Until when a "not as described" claim may be opened, or None while the parcel is not delivered."""
    if shipment.status != ShipmentStatus.DELIVERED or shipment.delivered_at is None:
        return None
    return shipment.delivered_at + datetime.timedelta(days=NOT_AS_DESCRIBED_DAYS)


def kind_problem(shipment: Shipment, kind: str, now: datetime.datetime | None = None) -> str | None:
    """Why ``kind`` of claim cannot be opened on ``shipment`` now (in the active language), or None if it can.

    Looks at the dates only: whether another claim is in progress is the caller's question.
    """
    now = now or timezone.now()
    if kind == ClaimKind.NOT_RECEIVED:
        if shipment.status == ShipmentStatus.DELIVERED:
            return _("The carrier says this parcel was delivered: report it as not as described instead.")
        if shipment.status not in ON_THE_WAY:
            return _("This parcel has not been shipped, so it cannot be reported as not received.")
        first_day = not_received_from(shipment)
        if first_day is None:  # shipped before shipping dates were kept: staff handle it
            return _("This parcel has not been shipped, so it cannot be reported as not received.")
        if timezone.localdate(now) < first_day:
            return _("The parcel may still arrive: you can report it as not received from %(date)s.") % {
                "date": first_day.strftime("%Y-%m-%d")
            }
        return None
    if kind == ClaimKind.NOT_AS_DESCRIBED:
        until = not_as_described_until(shipment)
        if until is None:
            return _("A book can be reported as not as described once it has been delivered.")
        if now > until:
            return _("Books can be reported as not as described within %(days)s days of delivery.") % {
                "days": NOT_AS_DESCRIBED_DAYS
            }
        return None
    return _("Choose what went wrong.")


def eligible_kinds(shipment: Shipment, now: datetime.datetime | None = None) -> list[str]:
    """The kinds of claim the dates allow on ``shipment`` now."""
    now = now or timezone.now()
    return [kind for kind in ClaimKind.values if kind_problem(shipment, kind, now) is None]
