"""Destination zones of a parcel: domestic, a neighbouring country, or the rest of the world.

The one place that says which countries neighbour the countries where a shop can open
(``accounts.models.SHOP_COUNTRIES``) and which countries a buyer may ask about. A seller's own prices are
set per zone; carriers still decide which routes they serve (their rates).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.models import SHOP_COUNTRIES


class Zone(models.TextChoices):
    DOMESTIC = "domestic", _("Domestic")
    NEIGHBOUR = "neighbour", _("Neighbouring countries")
    WORLD = "world", _("Rest of the world")


# Countries sharing a land border with a shop country (pairs, read both ways). Buyer countries not listed
# here are "rest of the world" for every shop.
NEIGHBOUR_PAIRS: frozenset[frozenset[str]] = frozenset(
    frozenset(pair)
    for pair in [
        ("CO", "VE"),
        ("CO", "EC"),
        ("CO", "PE"),
        ("CO", "BR"),
        ("CO", "PA"),
        ("US", "MX"),
        ("US", "CA"),
        ("MX", "GT"),
        ("MX", "BZ"),
        ("ES", "FR"),
        ("ES", "PT"),
        ("ES", "AD"),
        ("ES", "GI"),
        ("ES", "MA"),
    ]
)

# The zones each kind of carrier serves: a national carrier stays within one country.
NATIONAL_ZONES = (Zone.DOMESTIC,)
INTERNATIONAL_ZONES = (Zone.NEIGHBOUR, Zone.WORLD)


def _code(country) -> str:
    return str(getattr(country, "code", country) or "").upper()


def zone_for(origin_country, destination_country) -> Zone:
    """The zone of a parcel from one country to another."""
    origin, destination = _code(origin_country), _code(destination_country)
    if origin == destination:
        return Zone.DOMESTIC
    if frozenset((origin, destination)) in NEIGHBOUR_PAIRS:
        return Zone.NEIGHBOUR
    return Zone.WORLD


def neighbours(country) -> list[str]:
    """The neighbouring countries of ``country`` (codes, sorted)."""
    code = _code(country)
    return sorted(next(iter(pair - {code})) for pair in NEIGHBOUR_PAIRS if code in pair)


def is_served_country(code) -> bool:
    """Whether buyers may ask about ``code``: any country an address can be in (international carriers take
    parcels everywhere; each route is still checked against the carriers' rates)."""
    return isinstance(code, str) and code.upper() in dict(countries)


def served_countries() -> list[tuple[str, str]]:
    """(code, name) of the countries a buyer may pick, shop countries first, then all others by name."""
    named = list(countries)
    first = [(code, name) for code, name in named if code in SHOP_COUNTRIES]
    return first + [(code, name) for code, name in named if code not in SHOP_COUNTRIES]
