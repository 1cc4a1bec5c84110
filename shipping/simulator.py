"""The carrier simulator: how a carrier moves a parcel on, and what its tracking feed says at each step.

It knows parcels, not orders: given where a parcel comes from and goes to and the step it is at, it answers
the next step and the event the carrier reports (a code, its parameters, a place). The order side
(``orders.services.shipments.advance_shipments``) decides when a shipment moves and records the event.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

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


# Where something happened: (city or hub name, ISO country code). The country stays a code so that whoever
# reads the event sees it named in their own language, not in the one active where the simulator ran.
Place = tuple[str, str]

# What the carrier says: (event code, its parameters, where it happened).
CarrierEvent = tuple[str, dict[str, str], Place]

# Where each international carrier's parcels pass through. A hub's name is a proper noun: it stays as written.
INTERNATIONAL_HUBS: dict[str, list[Place]] = {
    "DHL": [("Miami gateway", "US"), ("Cincinnati hub", "US"), ("Leipzig hub", "DE")],
    "FEDEX": [("Memphis hub", "US"), ("Indianapolis hub", "US"), ("Paris CDG hub", "FR")],
}
DEFAULT_HUBS: list[Place] = [("Miami gateway", "US"), ("Panama City hub", "PA")]
NATIONAL_HUBS: dict[str, list[Place]] = {
    "CO": [
        ("Bogotá sorting centre", "CO"),
        ("Medellín sorting centre", "CO"),
        ("Cali sorting centre", "CO"),
        ("Barranquilla sorting centre", "CO"),
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


def place(city: str, country_code: str) -> Place:
    """(city, country code), either part possibly empty; the reader's side names the country."""
    return city, country_code


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
