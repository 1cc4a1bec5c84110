"""The carrier simulator: what a carrier's tracking feed would say at each step of a parcel's trip.

Only what is said (an event code and its parameters, see ``ShipmentEvent.Code``, worded when shown) and the
places live here; ``shipping.services.advance_shipments`` decides when a shipment moves and records the event.
"""

from __future__ import annotations

import random

from django_countries import countries

from shipping.models import ShipmentEvent
from shipping.states import ShipmentStatus

# What the carrier says: (ShipmentEvent code, its parameters, where it happened).
CarrierEvent = tuple[str, dict[str, str], str]

# Where each international carrier's parcels pass through.
INTERNATIONAL_HUBS = {
    "DHL": ["Miami gateway, United States", "Cincinnati hub, United States", "Leipzig hub, Germany"],
    "FEDEX": ["Memphis hub, United States", "Indianapolis hub, United States", "Paris CDG hub, France"],
}
DEFAULT_HUBS = ["Miami gateway, United States", "Panama City hub, Panama"]
NATIONAL_HUBS = {
    "CO": [
        "Bogotá sorting centre, Colombia",
        "Medellín sorting centre, Colombia",
        "Cali sorting centre, Colombia",
        "Barranquilla sorting centre, Colombia",
    ],
}


def place(city: str, country_code: str) -> str:
    """ "City, Country" (either part may be missing)."""
    country = countries.name(country_code) if country_code else ""
    return ", ".join(part for part in [city, str(country)] if part)


def shipped_event(shipment) -> CarrierEvent:
    """(code, params, location) of the seller handing the parcel to the carrier."""
    return (
        ShipmentEvent.Code.SHIPPED,
        {"carrier": shipment.carrier.name},
        place(shipment.origin_city, shipment.origin_country.code if shipment.origin_country else ""),
    )


def carrier_event(shipment, new_status: str, rng: random.Random) -> CarrierEvent:
    """(code, params, location) of the carrier moving ``shipment`` to ``new_status``."""
    order = shipment.order
    destination = place(order.ship_city, order.ship_country.code)
    if new_status == ShipmentStatus.IN_TRANSIT:
        origin = shipment.origin_country.code if shipment.origin_country else ""
        if origin and origin == order.ship_country.code:
            hubs = NATIONAL_HUBS.get(origin) or [place(shipment.origin_city, origin)]
            return ShipmentEvent.Code.AT_SORTING_CENTRE, {}, rng.choice(hubs)
        hubs = INTERNATIONAL_HUBS.get(shipment.carrier.code, DEFAULT_HUBS)
        return ShipmentEvent.Code.AT_INTERNATIONAL_HUB, {}, rng.choice(hubs)
    if new_status == ShipmentStatus.OUT_FOR_DELIVERY:
        return ShipmentEvent.Code.OUT_FOR_DELIVERY, {}, destination
    if new_status == ShipmentStatus.DELIVERED:
        return ShipmentEvent.Code.DELIVERED, {"name": order.ship_full_name}, destination
    raise ValueError(f"The carrier does not move shipments to {new_status!r}.")
