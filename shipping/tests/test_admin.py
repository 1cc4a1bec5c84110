"""Back office for delivery: carriers and rates are editable."""

from decimal import Decimal

from django.urls import reverse

from orders.tests.conftest import assert_admin_pages_render
from shipping.models import Carrier, Rate


def test_pages_render_for_staff(client_for, staff, shipped_order, django_assert_max_num_queries):
    assert_admin_pages_render(client_for(staff), Carrier, 7, 10, django_assert_max_num_queries)


def test_staff_edit_a_carrier_and_its_rates(client_for, staff, carriers):
    envia = carriers["ENVIA"]
    rate = envia.rates.get()
    data = {
        "name": "Envia Colombia",
        "code": "ENVIA",
        "scope": "national",
        "active": "on",
        "min_days": "1",
        "max_days": "2",
        "rates-TOTAL_FORMS": "2",
        "rates-INITIAL_FORMS": "1",
        "rates-MIN_NUM_FORMS": "0",
        "rates-MAX_NUM_FORMS": "1000",
        "rates-0-id": rate.pk,
        "rates-0-carrier": envia.pk,
        "rates-0-origin_country": "CO",
        "rates-0-destination_country": "CO",
        "rates-0-base": "4.20",
        "rates-0-per_extra_item": "1.00",
        "rates-1-carrier": envia.pk,
        "rates-1-origin_country": "EC",
        "rates-1-destination_country": "EC",
        "rates-1-base": "5.00",
        "rates-1-per_extra_item": "1.50",
    }
    response = client_for(staff).post(reverse("admin:shipping_carrier_change", args=[envia.pk]), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    envia.refresh_from_db()
    assert envia.name == "Envia Colombia"
    assert Rate.objects.get(pk=rate.pk).base == Decimal("4.20")
    assert envia.rates.filter(origin_country="EC").exists()
    assert (envia.min_days, envia.max_days) == (1, 2)
    changelist = client_for(staff).get(reverse("admin:shipping_carrier_changelist"), HTTP_ACCEPT_LANGUAGE="es")
    assert "1–2 días hábiles" in changelist.content.decode()  # noqa: RUF001


def test_delivery_days_out_of_order_are_refused(client_for, staff, carriers):
    envia = carriers["ENVIA"]
    data = {
        "name": envia.name,
        "code": envia.code,
        "scope": envia.scope,
        "active": "on",
        "min_days": "5",
        "max_days": "2",
        "rates-TOTAL_FORMS": "0",
        "rates-INITIAL_FORMS": "0",
        "rates-MIN_NUM_FORMS": "0",
        "rates-MAX_NUM_FORMS": "1000",
    }
    response = client_for(staff).post(reverse("admin:shipping_carrier_change", args=[envia.pk]), data)
    assert response.status_code == 200
    assert "The slowest delivery cannot be faster than the fastest one." in response.content.decode()
    envia.refresh_from_db()
    assert (envia.min_days, envia.max_days) == (1, 3)


def test_negative_rate_is_refused(client_for, staff, carriers):
    envia = carriers["ENVIA"]
    rate = envia.rates.get()
    data = {
        "name": envia.name,
        "code": envia.code,
        "scope": envia.scope,
        "active": "on",
        "rates-TOTAL_FORMS": "1",
        "rates-INITIAL_FORMS": "1",
        "rates-MIN_NUM_FORMS": "0",
        "rates-MAX_NUM_FORMS": "1000",
        "rates-0-id": rate.pk,
        "rates-0-carrier": envia.pk,
        "rates-0-origin_country": "CO",
        "rates-0-destination_country": "CO",
        "rates-0-base": "-1.00",
        "rates-0-per_extra_item": "1.00",
    }
    response = client_for(staff).post(reverse("admin:shipping_carrier_change", args=[envia.pk]), data)
    assert response.status_code == 200
    assert Rate.objects.get(pk=rate.pk).base == Decimal("3.90")
