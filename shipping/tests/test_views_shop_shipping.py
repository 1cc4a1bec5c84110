"""The seller's shipping settings page (/sell/shipping/): personas, the formset's rules, its query budget, and the
admin side."""

from decimal import Decimal

import pytest
from django.urls import reverse

from orders.tests.conftest import assert_admin_pages_render
from shipping.models import ShopRate, ShopShipping
from shipping.shop_settings import save_shop_shipping

pytestmark = pytest.mark.django_db

URL = reverse("shop_shipping:settings")
CO_CARRIERS = ["ENVIA", "SERVI", "DHL", "FEDEX"]  # the rows alice's page shows, in this order


def form_data(use=("ENVIA",), handling="2", **prices) -> dict:
    """What alice's page submits: ``prices`` as ``CODE__zone_base="1.00"``."""
    data = {
        "handling_days": handling,
        "carriers-TOTAL_FORMS": str(len(CO_CARRIERS)),
        "carriers-INITIAL_FORMS": str(len(CO_CARRIERS)),
        "carriers-MIN_NUM_FORMS": "0",
        "carriers-MAX_NUM_FORMS": "1000",
    }
    for index, code in enumerate(CO_CARRIERS):
        if code in use:
            data[f"carriers-{index}-use"] = "on"
    for key, value in prices.items():
        code, field = key.split("__")
        data[f"carriers-{CO_CARRIERS.index(code)}-{field}"] = value
    return data


def test_seller_sees_the_carriers_of_their_country_and_the_defaults(client_for, alice, carriers):
    response = client_for(alice).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert [row.carrier.code for row in response.context["formset"]] == CO_CARRIERS
    assert "USPS" not in html and "data-defaults" in html
    assert 'name="carriers-0-domestic_base"' in html and 'name="carriers-2-world_base"' in html
    assert 'name="carriers-0-world_base"' not in html  # a national carrier has only the domestic zone
    assert response.context["form"]["handling_days"].value() == 1
    # The carriers' own rates are the hints of the empty fields: Envia's within Colombia, DHL's from it abroad.
    rows = response.context["formset"].forms
    assert rows[0].fields["domestic_base"].widget.attrs["placeholder"] == "3.90"
    assert rows[2].fields["world_base"].widget.attrs["placeholder"] == "42.00"
    assert 'placeholder="3.90"' in html and 'placeholder="42.00"' in html


def test_seller_saves_carriers_prices_and_handling_time(client_for, alice, carriers):
    client = client_for(alice)
    data = form_data(
        use=("ENVIA", "DHL"),
        ENVIA__domestic_base="2.50",
        ENVIA__domestic_extra="0.40",
        DHL__neighbour_base="15",
        DHL__neighbour_extra="3.00",
    )
    response = client.post(URL, data)
    assert response.status_code == 302 and response["Location"] == URL
    settings = ShopShipping.objects.get(shop=alice.shop)
    assert settings.handling_days == 2
    assert {c.code for c in settings.carriers.all()} == {"ENVIA", "DHL"}
    assert {(r.carrier.code, r.zone, r.base, r.per_extra_item) for r in settings.rates.all()} == {
        ("ENVIA", "domestic", Decimal("2.50"), Decimal("0.40")),
        ("DHL", "neighbour", Decimal("15.00"), Decimal("3.00")),
    }
    page = client.get(URL)
    assert "Your shipping settings are saved." in page.content.decode()
    assert page.context["formset"].forms[0]["domestic_base"].value() == Decimal("2.50")
    assert page.context["formset"].forms[1]["use"].value() is False


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (form_data(use=()), None, "Choose at least one carrier."),
        (form_data(ENVIA__domestic_base="-1", ENVIA__domestic_extra="0"), "domestic_base", "greater than or equal"),
        (form_data(ENVIA__domestic_base="1.234", ENVIA__domestic_extra="0"), "domestic_base", "2 decimal places"),
        (form_data(ENVIA__domestic_base="abc", ENVIA__domestic_extra="0"), "domestic_base", "Enter a number."),
        (form_data(ENVIA__domestic_base="2.00"), "domestic_extra", "each extra copy too"),
        (form_data(ENVIA__domestic_extra="2.00"), "domestic_base", "first copy too"),
        (form_data(handling="11"), "handling_days", "less than or equal to 10"),
        (form_data(handling="-1"), "handling_days", "greater than or equal to 0"),
        (form_data(handling=""), "handling_days", "This field is required."),
    ],
)
def test_bad_input_is_a_400_with_the_reason(client_for, alice, carriers, data, field, message):
    response = client_for(alice).post(URL, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ShopShipping.objects.exists()


def test_a_tampered_management_form_is_a_400_not_a_500(client_for, alice, carriers):
    response = client_for(alice).post(URL, {"handling_days": "1"})
    assert response.status_code == 400 and not ShopShipping.objects.exists()
    extra_rows = form_data()
    extra_rows["carriers-TOTAL_FORMS"] = "40"
    assert client_for(alice).post(URL, extra_rows).status_code == 302  # rows are the carriers', not the request's


def test_labels_in_spanish(client_for, alice, carriers):
    html = client_for(alice).get(URL, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Ajustes de envío" in html and "Tiempo de preparación (días hábiles)" in html
    assert "Países vecinos: primer ejemplar" in html and "Envío con este transportista" in html


def test_other_seller_sees_only_their_own_settings(client_for, alice, bob, carriers):
    save_shop_shipping(alice.shop, 4, {carriers["ENVIA"]: {"domestic": (Decimal("2"), Decimal("1"))}})
    response = client_for(bob).get(URL)
    assert response.status_code == 200
    assert [row.carrier.code for row in response.context["formset"]] == ["UPSGND", "USPSMM", "DHL", "FEDEX"]
    assert response.context["form"]["handling_days"].value() == 1
    client_for(bob).post(URL, {**form_data(use=()), "carriers-0-use": "on"})
    assert ShopShipping.objects.get(shop=alice.shop).handling_days == 4


@pytest.mark.parametrize("persona", ["charlie", "staff"])
def test_users_without_a_shop_are_sent_to_open_one(request, client_for, carriers, persona):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(URL)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:shop_edit")
    assert client_for(user).post(URL, form_data()).status_code == 302
    assert not ShopShipping.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, carriers):
    for response in (client.get(URL), client.post(URL, form_data())):
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_wrong_method(client_for, alice):
    assert client_for(alice).put(URL).status_code == 405


def test_query_budget(client_for, alice, carriers, django_assert_max_num_queries):
    client = client_for(alice)
    save_shop_shipping(alice.shop, 2, {carriers["DHL"]: {"world": (Decimal("30"), Decimal("4"))}})
    with django_assert_max_num_queries(8):
        assert client.get(URL).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.post(URL, form_data(ENVIA__domestic_base="2", ENVIA__domestic_extra="1")).status_code == 302


def test_admin_shows_shop_shipping_settings(client_for, staff, alice, bob, carriers, django_assert_max_num_queries):
    save_shop_shipping(alice.shop, 2, {carriers["DHL"]: {"world": (Decimal("30"), Decimal("4"))}})
    save_shop_shipping(bob.shop, 1, {carriers["USPSMM"]: {}})
    client = client_for(staff)
    assert_admin_pages_render(client, ShopShipping, 8, 20, django_assert_max_num_queries)
    html = client.get(reverse("admin:shipping_shopshipping_changelist")).content.decode()
    assert "Alice&#x27;s Attic" in html and "DHL Express" in html and "USPS Media Mail" in html
    assert ShopRate.objects.count() == 1
