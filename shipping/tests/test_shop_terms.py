"""Zones, the seller's own carriers and prices, handling time and expected delivery: shipping.zones and .quotes."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache

from shipping.models import Rate, ShopShipping
from shipping.quotes import DEFAULT_TERMS, cached_shop_delivery, carriers_from, quotes, shop_delivery, shop_terms
from shipping.services import add_business_days, forget_routes
from shipping.shop_settings import ShopSettingsError, save_shop_shipping
from shipping.zones import Zone, is_served_country, neighbours, zone_for

pytestmark = pytest.mark.django_db

D = Decimal


# --- Zones -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "destination", "zone"),
    [
        ("CO", "CO", Zone.DOMESTIC),
        ("ES", "ES", Zone.DOMESTIC),
        ("CO", "VE", Zone.NEIGHBOUR),
        ("VE", "CO", Zone.NEIGHBOUR),
        ("US", "MX", Zone.NEIGHBOUR),
        ("MX", "US", Zone.NEIGHBOUR),
        ("ES", "FR", Zone.NEIGHBOUR),
        ("ES", "PT", Zone.NEIGHBOUR),
        ("CO", "US", Zone.WORLD),
        ("ES", "MX", Zone.WORLD),
        ("US", "FR", Zone.WORLD),
    ],
)
def test_zone_of_a_route(origin, destination, zone):
    assert zone_for(origin, destination) == zone


def test_neighbours_are_read_both_ways():
    assert "MX" in neighbours("US") and "US" in neighbours("MX")
    assert neighbours("ES") == ["AD", "FR", "GI", "MA", "PT"]


@pytest.mark.parametrize(("code", "served"), [("CO", True), ("fr", True), ("XX", False), ("", False), (None, False)])
def test_served_countries(code, served):
    assert is_served_country(code) is served


def test_business_days_skip_weekends():
    friday = date(2026, 12, 4)
    assert add_business_days(friday, 0) == friday
    assert add_business_days(friday, 1) == date(2026, 12, 7)  # Monday
    assert add_business_days(date(2026, 12, 5), 1) == date(2026, 12, 7)  # from a Saturday, Monday is the first
    assert add_business_days(friday, 6) == date(2026, 12, 14)


# --- Quotes ----------------------------------------------------------------------------------


def test_without_settings_every_carrier_serving_the_route_at_its_rate(alice, carriers):
    found = quotes("CO", "CO", 2)
    assert [(q.carrier.code, q.price) for q in found] == [("SERVI", D("4.60")), ("ENVIA", D("4.80"))]
    assert all(q.handling_days == 1 and not q.own_price for q in found)


def test_the_sellers_price_applies_per_zone(alice, carriers):
    save_shop_shipping(
        alice.shop,
        2,
        {
            carriers["ENVIA"]: {"domestic": (D("2.00"), D("0.50"))},
            carriers["DHL"]: {"neighbour": (D("15.00"), D("3.00")), "world": (D("30.00"), D("4.00"))},
        },
    )
    terms = shop_terms([alice.shop.pk])[alice.shop.pk]
    assert terms.handling_days == 2 and terms.carrier_ids == {carriers["ENVIA"].pk, carriers["DHL"].pk}
    # Domestic: Envia at the seller's price; Servientrega is not among the seller's carriers.
    (domestic,) = quotes("CO", "CO", 3, terms)
    assert (domestic.carrier.code, domestic.price, domestic.own_price) == ("ENVIA", D("3.00"), True)
    # A neighbouring country and the rest of the world: DHL at the seller's prices; FedEx is not used.
    (neighbour,) = quotes("CO", "VE", 1, terms)
    assert (neighbour.carrier.code, neighbour.price) == ("DHL", D("15.00"))
    (world,) = quotes("CO", "US", 2, terms)
    assert (world.carrier.code, world.price) == ("DHL", D("34.00"))


def test_a_zone_without_the_sellers_price_uses_the_carriers_rate(alice, carriers):
    save_shop_shipping(alice.shop, 1, {carriers["DHL"]: {"neighbour": (D("15.00"), D("3.00"))}})
    terms = shop_terms([alice.shop.pk])[alice.shop.pk]
    (world,) = quotes("CO", "US", 1, terms)
    assert world.price == D("34.00") and not world.own_price  # DHL's CO -> US rate
    assert quotes("CO", "CO", 1, terms) == []  # no national carrier chosen


def test_handling_time_is_in_the_expected_delivery(alice, carriers):
    save_shop_shipping(alice.shop, 3, {carriers["SERVI"]: {}})
    (quote,) = quotes("CO", "CO", 1, shop_terms([alice.shop.pk])[alice.shop.pk])
    monday = date(2026, 12, 7)
    # Servientrega takes 2 to 4 business days, after 3 of handling.
    assert quote.delivery_window(monday) == (date(2026, 12, 14), date(2026, 12, 16))
    (default,) = [q for q in quotes("CO", "CO", 1, DEFAULT_TERMS) if q.carrier.code == "SERVI"]
    assert default.delivery_window(monday) == (date(2026, 12, 10), date(2026, 12, 14))


def test_carriers_offered_to_a_shop_are_those_leaving_its_country(carriers):
    assert [c.code for c in carriers_from("CO")] == ["ENVIA", "SERVI", "DHL", "FEDEX"]
    assert [c.code for c in carriers_from("US")] == ["UPSGND", "USPSMM", "DHL", "FEDEX"]


def test_shop_delivery_in_one_query_matches_the_quotes(alice, carriers, django_assert_num_queries):
    save_shop_shipping(alice.shop, 2, {carriers["ENVIA"]: {"domestic": (D("2.00"), D("0.50"))}})
    with django_assert_num_queries(1):
        found = shop_delivery(alice.shop.pk, "CO", "CO")
    assert [(q.carrier.code, q.price, q.handling_days) for q in found.quotes] == [("ENVIA", D("2.00"), 2)]
    assert found.reach.domestic and not found.reach.abroad_somewhere
    assert found.quotes == quotes("CO", "CO", 1, shop_terms([alice.shop.pk])[alice.shop.pk])


def _shown(found):
    return [(q.carrier.code, q.price, q.handling_days, q.own_price) for q in found.quotes], found.reach


@pytest.mark.parametrize("destination", ["", "CO", "VE", "US", "FR"])
def test_the_cached_delivery_is_the_one_query_delivery(alice, carriers, destination, django_assert_num_queries):
    cache.clear()
    save_shop_shipping(alice.shop, 2, {carriers["ENVIA"]: {"domestic": (D("2.00"), D("0.50"))}, carriers["DHL"]: {}})
    expected = shop_delivery(alice.shop.pk, "CO", destination)
    assert _shown(cached_shop_delivery(alice.shop.pk, "CO", destination)) == _shown(expected)
    with django_assert_num_queries(0):  # the carriers and the shop's terms are kept now
        again = cached_shop_delivery(alice.shop.pk, "CO", destination)
    assert _shown(again) == _shown(expected)


def test_the_cached_delivery_follows_the_sellers_and_the_staffs_changes(
    alice, carriers, django_capture_on_commit_callbacks
):
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        save_shop_shipping(alice.shop, 2, {carriers["ENVIA"]: {"domestic": (D("2.00"), D("0.50"))}})
    assert [q.price for q in cached_shop_delivery(alice.shop.pk, "CO", "CO").quotes] == [D("2.00")]
    # The seller changes their price: the next page shows it.
    with django_capture_on_commit_callbacks(execute=True):
        save_shop_shipping(alice.shop, 2, {carriers["ENVIA"]: {"domestic": (D("3.10"), D("0.50"))}})
    assert [q.price for q in cached_shop_delivery(alice.shop.pk, "CO", "CO").quotes] == [D("3.10")]
    # Staff stop the only carrier's domestic route (the admin forgets the routes after commit).
    Rate.objects.filter(carrier=carriers["ENVIA"]).delete()
    forget_routes()
    found = cached_shop_delivery(alice.shop.pk, "CO", "CO")
    assert found.quotes == [] and not found.reach.domestic


# --- Saving -------------------------------------------------------------------------------------


def test_saving_again_replaces_carriers_and_prices(alice, carriers):
    save_shop_shipping(alice.shop, 1, {carriers["ENVIA"]: {"domestic": (D("2"), D("0.5"))}})
    save_shop_shipping(alice.shop, 0, {carriers["SERVI"]: {}})
    settings = ShopShipping.objects.get(shop=alice.shop)
    assert settings.handling_days == 0 and [c.code for c in settings.carriers.all()] == ["SERVI"]
    assert not settings.rates.exists()


@pytest.mark.parametrize(
    ("handling", "choice", "code"),
    [
        (11, {"ENVIA": {}}, "bad_handling_days"),
        (-1, {"ENVIA": {}}, "bad_handling_days"),
        (1, {}, "no_carrier"),
        (1, {"USPSMM": {}}, "carrier_not_available"),
        (1, {"ENVIA": {"world": (D("1"), D("1"))}}, "bad_zone"),
        (1, {"DHL": {"world": (D("-1"), D("1"))}}, "bad_price"),
    ],
)
def test_saving_refuses_what_the_rules_forbid(alice, carriers, handling, choice, code):
    with pytest.raises(ShopSettingsError) as refused:
        save_shop_shipping(alice.shop, handling, {carriers[c]: prices for c, prices in choice.items()})
    assert refused.value.code == code
    assert not ShopShipping.objects.exists()


def test_a_carriers_tracking_format_must_be_a_regular_expression(carriers):
    from django.core.exceptions import ValidationError

    dhl = carriers["DHL"]
    dhl.tracking_pattern = "(unclosed"
    with pytest.raises(ValidationError) as refused:
        dhl.full_clean()
    assert "tracking_pattern" in refused.value.message_dict
    # Without a pattern of its own, a carrier takes 6 to 32 letters or digits.
    envia = carriers["ENVIA"]
    assert envia.tracking_pattern == ""
    assert envia.tracking_number_matches("EV12345") and not envia.tracking_number_matches("EV1")
