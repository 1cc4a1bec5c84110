"""Input that looks right to a quick check and is not: digits that int() refuses ("²"), a ``next`` that is a bare
word, ids and prices beyond what the database holds. Each is a clear 4xx (or the safe default), never a 500, and an
action that was asked for is still done."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.imports.columns import parse_price
from catalog.models import ImportRun, Listing
from catalog.tests.import_files import csv_bytes, good_rows
from core.numbers import MAX_ID, is_ascii_number
from orders.gateway import card_problem, luhn_valid

pytestmark = pytest.mark.django_db


def test_only_ascii_digits_are_a_number():
    assert is_ascii_number("123") and is_ascii_number("123", 3)
    assert not is_ascii_number("1234", 3)
    for odd in ("²", "١٢", "\uff11\uff12", "", "1.5", "-1", " 1"):
        assert not is_ascii_number(odd), odd


@pytest.mark.parametrize("key", ["²", "١٢٣", "99999999999999999999999"])
def test_an_order_number_of_odd_digits_is_not_found(client_for, charlie, placed_order, key):
    client = client_for(charlie)
    assert client.get(f"/orders/{key}/").status_code == 404
    assert client.post(f"/orders/{key}/cancel/").status_code == 404
    assert client.get(f"/orders/{placed_order.pk}/").status_code == 200


def test_a_catalog_page_of_odd_digits_is_a_400(client, db):
    response = client.get("/books/", {"page": "²"})
    assert response.status_code == 400


def test_a_want_from_an_odd_listing_id_is_an_empty_form(client_for, charlie):
    for odd in ("²", "\u0661", str(MAX_ID + 1)):
        assert client_for(charlie).get(reverse("wants:new"), {"listing": odd}).status_code == 200


def test_card_digits_other_than_ascii_are_refused():
    assert luhn_valid("4242424242424242")
    assert not luhn_valid("²" * 16)
    assert not luhn_valid("४२४२४२४२४२४२४२४२")  # the same number in Devanagari digits
    assert card_problem("4242424242424242", 12, 2099, "²²²") == "invalid_cvc"
    assert card_problem("4242424242424242", 12, 2099, "123") is None


@pytest.mark.parametrize("next_url", ["abc", "sell:inventory", "//evil.example/", "https://evil.example/"])
def test_a_quick_action_with_a_foreign_next_is_done_and_returns_to_the_inventory(
    client_for, alice, alice_listing, next_url
):
    listing = alice_listing
    response = client_for(alice).post(reverse("sell:listing_pause", args=[listing.pk]), {"next": next_url})
    assert response.status_code == 302 and response.url == reverse("sell:inventory")
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PAUSED


def test_a_quick_action_returns_to_a_page_of_the_site(client_for, alice, alice_listing):
    response = client_for(alice).post(
        reverse("sell:listing_pause", args=[alice_listing.pk]), {"next": "/sell/?page=2"}
    )
    assert response.status_code == 302 and response.url == "/sell/?page=2"


def test_a_resent_confirmation_with_a_bare_word_next_goes_to_the_profile(client_for, charlie):
    response = client_for(charlie).post(reverse("accounts:resend_confirmation"), {"next": "abc"})
    assert response.status_code == 302 and response.url == reverse("accounts:profile")


def test_a_bulk_selection_beyond_the_largest_id_is_a_400(client_for, alice, alice_listing):
    data = {"action": "pause", "scope": "selected", "ids": [str(alice_listing.pk), str(MAX_ID + 1)]}
    response = client_for(alice).post(reverse("sell:inventory_bulk"), data)
    assert response.status_code == 400
    alice_listing.refresh_from_db()
    assert alice_listing.status == Listing.Status.ACTIVE


@pytest.mark.parametrize("price", ["9" * 30, "1" + "0" * 40 + ".5"])
def test_a_price_too_long_to_hold_is_refused_with_the_range(price):
    with pytest.raises(ValueError, match="Enter a price from"):
        parse_price(price)


def test_an_import_with_a_price_too_long_refuses_that_row(client_for, alice):
    rows = good_rows(2)
    rows[-1]["price"] = "9" * 30
    upload = SimpleUploadedFile("listings.csv", csv_bytes(rows), content_type="text/csv")
    response = client_for(alice).post(reverse("sell:import"), {"file": upload})
    assert response.status_code == 302
    [error] = ImportRun.objects.get(seller=alice).row_errors
    assert error["column"] == "price" and error["message"].startswith("Enter a price from")
