"""The carrier simulator: how a carrier moves a parcel on, and what its tracking feed says at each step.

It knows parcels, not orders: given where a parcel comes from and goes to and the step it is at, it answers
the next step and the event the carrier reports (a code, its parameters, a place). The order side
(``orders.services.shipments.advance_shipments``) decides when a shipment moves and records the event.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django_countries import countries

# A parcel's steps once its seller handed it over. The order side's shipment statuses use the same values.
SHIPPED = "shipped"
IN_TRANSIT = "in_transit"
OUT_FOR_DELIVERY = "out_for_delivery"
DELIVERED = "delivered"

# The carrier's own steps, which the simulator (or a real carrier's webhook) drives.
NEXT_STEP: dict[str, str] = {
    SHIPPED: IN_TRANSIT,
    IN_TRANSIT: OUT_FOR_DELIVERY,
    OUT_FOR_DELIVERY: DELIVERED,
}


class EventCode:
    """What a carrier's feed says happened; the order side words each code for the reader."""

    SHIPPED = "shipped"
    AT_SORTING_CENTRE = "at_sorting_centre"
    AT_INTERNATIONAL_HUB = "at_international_hub"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"


# What the carrier says: (event code, its parameters, where it happened).
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


@dataclass(frozen=True)
class Parcel:
    """What a carrier knows of a parcel: who carries it, where from, where to and for whom."""

    carrier_code: str
    carrier_name: str
    origin_city: str
    origin_country: str
    destination_city: str
    destination_country: str
    recipient: str


def place(city: str, country_code: str) -> str:
    """ "City, Country" (either part may be missing)."""
    country = countries.name(country_code) if country_code else ""
    return ", ".join(part for part in [city, str(country)] if part)


def shipped_event(parcel: Parcel) -> CarrierEvent:
    """(code, params, location) of the seller handing the parcel to the carrier."""
    return EventCode.SHIPPED, {"carrier": parcel.carrier_name}, place(parcel.origin_city, parcel.origin_country)


def carrier_event(parcel: Parcel, new_status: str, rng: random.Random) -> CarrierEvent:
    """(code, params, location) of the carrier moving ``parcel`` to ``new_status`` (a value of NEXT_STEP)."""
    destination = place(parcel.destination_city, parcel.destination_country)
    if new_status == IN_TRANSIT:
        origin = parcel.origin_country
        if origin and origin == parcel.destination_country:
            hubs = NATIONAL_HUBS.get(origin) or [place(parcel.origin_city, origin)]
            return EventCode.AT_SORTING_CENTRE, {}, rng.choice(hubs)
        hubs = INTERNATIONAL_HUBS.get(parcel.carrier_code, DEFAULT_HUBS)
        return EventCode.AT_INTERNATIONAL_HUB, {}, rng.choice(hubs)
    if new_status == OUT_FOR_DELIVERY:
        return EventCode.OUT_FOR_DELIVERY, {}, destination
    if new_status == DELIVERED:
        return EventCode.DELIVERED, {"name": parcel.recipient}, destination
    raise ValueError(f"The carrier does not move shipments to {new_status!r}.")
