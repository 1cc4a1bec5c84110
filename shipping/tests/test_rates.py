"""Carriers and rates: coverage by scope and rate, most specific rate wins, the reversible data migration."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps

from shipping.models import Carrier, Rate
from shipping.services import ShippingError, available_carriers, quote

pytestmark = pytest.mark.django_db

migration = importlib.import_module("shipping.migrations.0002_default_carriers")


def test_data_migration_carriers(carriers):
    assert {(c.code, c.scope) for c in carriers.values()} >= {
        ("DHL", "international"),
        ("FEDEX", "international"),
        ("ENVIA", "national"),
        ("SERVI", "national"),
    }


@pytest.mark.parametrize(
    ("code", "origin", "destination", "count", "price"),
    [
        ("ENVIA", "CO", "CO", 1, "3.90"),
        ("ENVIA", "CO", "CO", 3, "5.70"),
        ("SERVI", "CO", "CO", 2, "4.60"),
        ("DHL", "CO", "US", 1, "34.00"),  # the CO -> US rate beats "any -> any"
        ("DHL", "US", "CO", 1, "42.00"),
        ("DHL", "FR", "DE", 4, "61.50"),
        ("FEDEX", "US", "CO", 2, "36.50"),
        ("FEDEX", "CO", "US", 1, "39.50"),
    ],
)
def test_quote(carriers, code, origin, destination, count, price):
    assert quote(carriers[code], origin, destination, count) == Decimal(price)


@pytest.mark.parametrize(
    ("code", "origin", "destination"),
    [("ENVIA", "CO", "US"), ("SERVI", "US", "US"), ("DHL", "CO", "CO"), ("FEDEX", "US", "US"), ("DHL", "", "CO")],
)
def test_routes_not_covered(carriers, code, origin, destination):
    with pytest.raises(ShippingError) as info:
        quote(carriers[code], origin, destination, 1)
    assert info.value.code == "route_not_covered"


def test_inactive_carrier_covers_nothing(carriers):
    Carrier.objects.filter(code="ENVIA").update(active=False)
    carriers["ENVIA"].refresh_from_db()
    with pytest.raises(ShippingError):
        quote(carriers["ENVIA"], "CO", "CO", 1)
    assert [q.carrier.code for q in available_carriers("CO", "CO")] == ["SERVI"]


def test_available_carriers_cheapest_first(carriers, django_assert_num_queries):
    with django_assert_num_queries(2):
        quotes = available_carriers("US", "CO", 1)
    assert [(q.carrier.code, q.price) for q in quotes] == [("FEDEX", Decimal("31.00")), ("DHL", Decimal("42.00"))]
    assert available_carriers("US", "US") == []


def test_staff_rates_apply(carriers):
    Rate.objects.filter(carrier=carriers["SERVI"]).update(base=Decimal("2.00"), per_extra_item=Decimal("0.50"))
    carriers["SERVI"] = Carrier.objects.prefetch_related("rates").get(code="SERVI")
    assert quote(carriers["SERVI"], "CO", "CO", 3) == Decimal("3.00")


def test_data_migration_is_reversible(carriers):
    migration.remove_carriers(django_apps, None)
    assert not Carrier.objects.filter(code__in=["DHL", "FEDEX", "ENVIA", "SERVI"]).exists()
    assert not Rate.objects.exists()
    migration.add_carriers(django_apps, None)
    migration.add_carriers(django_apps, None)  # running twice changes nothing
    assert Carrier.objects.count() == 4 and Rate.objects.count() == len(migration.RATES)


def test_reversing_keeps_carriers_that_carried_shipments(placed_order):
    migration.remove_carriers(django_apps, None)
    assert set(Carrier.objects.values_list("code", flat=True)) == {"SERVI", "FEDEX"}
