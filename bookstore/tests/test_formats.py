"""One date format per language, used by name everywhere; machine-readable times in ISO 8601 with milliseconds."""

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from core.templatetags.site_tags import datetime_with_zone, iso_datetime, money
from orders.services import add_to_cart, get_or_create_cart, new_checkout_token, place_order
from orders.tests.conftest import AddressFactory, carriers  # noqa: F401 - fixture

NAMED_FORMATS = {"DATE_FORMAT", "DATETIME_FORMAT", "YEAR_MONTH_FORMAT", "MONTH_DAY_FORMAT"}
DATE_FILTER = re.compile(r"""\|date:\s*["']([^"']*)["']""")
MOMENT = datetime(2026, 12, 6, 14, 5, 9, 123456, tzinfo=UTC)


def test_templates_use_only_named_date_formats():
    offenders = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*"):
        if path.suffix in (".html", ".txt"):
            for name in DATE_FILTER.findall(path.read_text()):
                if name not in NAMED_FORMATS:
                    offenders.append(f"{path.relative_to(settings.BASE_DIR)}: {name}")
    assert not offenders, offenders


def test_no_python_formats_dates_by_hand():
    offenders = []
    for app in ("accounts", "catalog", "orders", "shipping", "bookstore"):
        for path in Path(settings.BASE_DIR, app).rglob("*.py"):
            if "tests" not in path.parts and "migrations" not in path.parts and ".strftime(" in path.read_text():
                offenders.append(str(path.relative_to(settings.BASE_DIR)))
    assert not offenders, offenders


@pytest.mark.parametrize(
    ("language", "name", "shown"),
    [
        ("en", "DATE_FORMAT", "Dec 6, 2026"),
        ("en", "SHORT_DATE_FORMAT", "Dec 6, 2026"),
        ("en", "DATETIME_FORMAT", "Dec 6, 2026, 14:05"),
        ("en", "YEAR_MONTH_FORMAT", "December 2026"),
        ("es", "DATE_FORMAT", "6 dic 2026"),
        ("es", "SHORT_DATE_FORMAT", "6 dic 2026"),
        ("es", "DATETIME_FORMAT", "6 dic 2026, 14:05"),
        ("es", "YEAR_MONTH_FORMAT", "diciembre de 2026"),
    ],
)
def test_each_language_has_its_own_formats(language, name, shown):
    with translation.override(language):
        assert date_format(MOMENT, name) == shown
        assert Template(f'{{{{ moment|date:"{name}" }}}}').render(Context({"moment": MOMENT})) == shown


def test_a_deadline_names_its_time_zone(settings):
    with translation.override("en"):
        assert datetime_with_zone(MOMENT) == "Dec 6, 2026, 14:05 UTC"


def test_machine_readable_times_have_at_most_milliseconds():
    assert iso_datetime(MOMENT) == "2026-12-06T14:05:09.123+00:00"
    assert iso_datetime(None) == ""


@pytest.mark.django_db
def test_order_list_times_are_iso_with_milliseconds(client_for, charlie, bob_listing, carriers):  # noqa: F811
    cart = get_or_create_cart(user=charlie)
    add_to_cart(cart, bob_listing, 1)
    place_order(
        charlie,
        cart,
        AddressFactory(user=charlie),
        {bob_listing.seller_id: carriers["FEDEX"].pk},
        new_checkout_token(),
    )
    html = client_for(charlie).get(reverse("orders:order_list")).content.decode()
    values = re.findall(r'<time datetime="([^"]+)"', html)
    assert values
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", value) for value in values), values


def test_money_is_formatted_per_language_and_currency_however_often_it_is_asked(settings):
    nbsp = "\N{NO-BREAK SPACE}"
    for _twice in range(2):  # the second time from the formatted prices kept in the process
        with translation.override("en"):
            assert [money(Decimal("12.5")), money("12.50"), money(1234.5)] == ["$12.50", "$12.50", "$1,234.50"]
        with translation.override("es"):
            assert money(Decimal("12.50")) == f"12,50{nbsp}US$"
    settings.CURRENCY = "EUR"
    with translation.override("en"):
        assert money(Decimal("12.50")) == "€12.50"
    assert money("NaN") == money(Decimal("NaN")) and money("abc") == ""
