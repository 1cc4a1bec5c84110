"""The carrier simulator: what a carrier's tracking feed would say at each step of a parcel's trip.

Only the wording and the places live here; ``shipping.services.advance_shipments`` decides when a shipment
moves and records the event.
"""

from __future__ import annotations

import random

from django.utils.translation import gettext as _
from django_countries import countries

from shipping.states import ShipmentStatus

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


def shipped_event(shipment) -> tuple[str, str]:
    """(description, location) of the seller handing the parcel to the carrier."""
    return (
        _("The seller handed the parcel to %(carrier)s.") % {"carrier": shipment.carrier.name},
        place(shipment.origin_city, shipment.origin_country.code if shipment.origin_country else ""),
    )


def carrier_event(shipment, new_status: str, rng: random.Random) -> tuple[str, str]:
    """(description, location) of the carrier moving ``shipment`` to ``new_status``."""
    order = shipment.order
    destination = place(order.ship_city, order.ship_country.code)
    if new_status == ShipmentStatus.IN_TRANSIT:
        origin = shipment.origin_country.code if shipment.origin_country else ""
        if origin and origin == order.ship_country.code:
            hubs = NATIONAL_HUBS.get(origin) or [place(shipment.origin_city, origin)]
            return _("In transit: arrived at the sorting centre."), rng.choice(hubs)
        hubs = INTERNATIONAL_HUBS.get(shipment.carrier.code, DEFAULT_HUBS)
        return _("In transit: arrived at the international hub."), rng.choice(hubs)
    if new_status == ShipmentStatus.OUT_FOR_DELIVERY:
        return _("Out for delivery with the local courier."), destination
    if new_status == ShipmentStatus.DELIVERED:
        return _("Delivered to %(name)s.") % {"name": order.ship_full_name}, destination
    raise ValueError(f"The carrier does not move shipments to {new_status!r}.")
