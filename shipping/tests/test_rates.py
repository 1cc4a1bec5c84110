"""Carriers and rates: coverage by scope and rate, most specific rate wins, the reversible data migrations."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from accounts.models import SHOP_COUNTRIES
from orders.services import add_to_cart, get_or_create_cart, new_checkout_token, place_order
from orders.tests.conftest import AddressFactory
from shipping.models import Carrier, Rate
from shipping.services import ShippingError, available_carriers, delivers, forget_routes, quote, shop_reach

pytestmark = pytest.mark.django_db

national = importlib.import_module("shipping.migrations.0005_national_carriers")


def test_data_migration_carriers(carriers):
    assert {(c.code, c.scope) for c in carriers.values()} >= {
        ("DHL", "international"),
        ("FEDEX", "international"),
        ("ENVIA", "national"),
        ("SERVI", "national"),
        ("USPSMM", "national"),
        ("UPSGND", "national"),
    }


@pytest.mark.parametrize("country", SHOP_COUNTRIES)
def test_every_shop_country_has_national_carriers(carriers, country):
    # The test that lets a country into accounts.SHOP_COUNTRIES: its shops can ship to their own buyers.
    assert len(available_carriers(country, country)) >= 2
    assert all(q.carrier.scope == "national" for q in available_carriers(country, country))


@pytest.mark.parametrize("origin", SHOP_COUNTRIES)
@pytest.mark.parametrize("destination", [*SHOP_COUNTRIES, "FR", "JP", "BR"])
def test_international_carriers_cover_every_cross_border_pair(carriers, origin, destination):
    if origin == destination:
        return
    assert {q.carrier.code for q in available_carriers(origin, destination)} == {"DHL", "FEDEX"}
    assert delivers(origin, destination)


def test_us_national_carriers_rates_and_delivery_times(carriers):
    quotes = {q.carrier.code: q.price for q in available_carriers("US", "US", 3)}
    assert quotes == {"USPSMM": Decimal("6.23"), "UPSGND": Decimal("14.00")}  # 4.63 + 2 x 0.80; 11.00 + 2 x 1.50
    assert (carriers["USPSMM"].min_days, carriers["USPSMM"].max_days) == (2, 8)
    assert (carriers["UPSGND"].min_days, carriers["UPSGND"].max_days) == (1, 5)


def test_delivery_time_is_worded_in_each_language(carriers):
    media_mail = carriers["USPSMM"]
    with translation.override("en"):
        assert media_mail.delivery_time == "2\u20138 business days"
    with translation.override("es"):
        assert media_mail.delivery_time == "2\u20138 días hábiles"
    media_mail.min_days = media_mail.max_days = 1
    with translation.override("en"):
        assert media_mail.delivery_time == "1 business day"
    with translation.override("es"):
        assert media_mail.delivery_time == "1 día hábil"
    media_mail.min_days = media_mail.max_days = None
    assert media_mail.delivery_time == ""


def test_a_slowest_delivery_faster_than_the_fastest_is_refused(carriers):
    envia = carriers["ENVIA"]
    envia.min_days, envia.max_days = 5, 2
    with pytest.raises(ValidationError) as info:
        envia.full_clean()
    assert "max_days" in info.value.message_dict


def test_routes_follow_the_carriers_and_their_cache_is_forgotten(carriers):
    assert delivers("US", "US") and delivers("CO", "FR")
    assert not delivers("FR", "FR")  # no national carrier in France (and no shop can open there)
    Carrier.objects.filter(code__in=["USPSMM", "UPSGND"]).update(active=False)
    assert delivers("US", "US")  # still the cached routes
    forget_routes()
    assert not delivers("US", "US")
    assert shop_reach("US") == shop_reach("US").__class__(
        country="US", domestic=False, abroad_everywhere=True, abroad_somewhere=True
    )
    assert shop_reach("CO").domestic and shop_reach("CO").abroad_everywhere


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
    assert [q.carrier.code for q in available_carriers("US", "US")] == ["USPSMM", "UPSGND"]
    assert available_carriers("FR", "FR") == []


def test_staff_rates_apply(carriers):
    Rate.objects.filter(carrier=carriers["SERVI"]).update(base=Decimal("2.00"), per_extra_item=Decimal("0.50"))
    carriers["SERVI"] = Carrier.objects.prefetch_related("rates").get(code="SERVI")
    assert quote(carriers["SERVI"], "CO", "CO", 3) == Decimal("3.00")


def test_national_carriers_migration_is_reversible(carriers):
    national.remove_carriers(django_apps, None)
    assert not Carrier.objects.filter(code__in=[c[0] for c in national.CARRIERS]).exists()
    assert {"DHL", "FEDEX", "ENVIA", "SERVI"} <= set(Carrier.objects.values_list("code", flat=True))
    national.add_carriers(django_apps, None)
    national.add_carriers(django_apps, None)  # running twice changes nothing
    assert Rate.objects.filter(carrier__code__in=[c[0] for c in national.CARRIERS]).count() == len(national.CARRIERS)


def test_reversing_keeps_national_carriers_that_carried_shipments(carriers, charlie, bob_listing):
    address = AddressFactory(user=charlie, country="US", city="Denver")
    cart = get_or_create_cart(user=charlie)
    add_to_cart(cart, bob_listing, 1)
    place_order(charlie, cart, address, {bob_listing.seller_id: carriers["USPSMM"].pk}, new_checkout_token())
    national.remove_carriers(django_apps, None)
    assert set(Carrier.objects.filter(scope="national").values_list("code", flat=True)) == {"ENVIA", "SERVI", "USPSMM"}


@pytest.mark.django_db(transaction=True)
def test_delivery_days_migration_goes_back_to_text_and_forward_again(carriers):
    """0004 turns "2-4 business days" into numbers and back; 0005 adds and removes the national carriers."""
    executor = MigrationExecutor(connection)
    executor.migrate([("shipping", "0003_shipmentevent_code")])
    old_apps = executor.loader.project_state([("shipping", "0003_shipmentevent_code")]).apps
    OldCarrier = old_apps.get_model("shipping", "Carrier")
    assert OldCarrier.objects.get(code="SERVI").transit_days == "2-4 business days"
    assert not OldCarrier.objects.filter(code="USPSMM").exists()
    OldCarrier.objects.filter(code="ENVIA").update(transit_days="3 business days")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    servientrega, envia = Carrier.objects.get(code="SERVI"), Carrier.objects.get(code="ENVIA")
    assert (servientrega.min_days, servientrega.max_days) == (2, 4)
    assert (envia.min_days, envia.max_days) == (3, 3)
    assert Carrier.objects.get(code="USPSMM").max_days == 8
