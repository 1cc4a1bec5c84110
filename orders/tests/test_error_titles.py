"""After a round trip that went wrong the page title starts with "Error:" (both languages); otherwise it does not.

One mechanism in the base template (the ``page_has_errors`` tag): a bound form with errors, an error message, or a
view's ``page_has_errors`` flag. static/js/focus.js then moves focus to the message (tests/browser checks that).
"""

import re

import pytest
from django.urls import reverse

from orders.tests.conftest import DECLINE
from orders.tests.test_journeys import card_post, checkout_post

TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def title(response) -> str:
    return TITLE.search(response.content.decode()).group(1).strip()


def in_spanish(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    return client


@pytest.mark.parametrize("language", ["en", "es"])
def test_failed_login_says_error_in_both_languages(client, charlie, settings, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(reverse("account_login"), {"login": charlie.email, "password": "wrong"})
    assert response.status_code == 400 and title(response).startswith("Error: ")
    assert "data-page-errors" in response.content.decode()
    assert not title(client.get(reverse("account_login"))).startswith("Error")


def test_signup_with_errors(client, db):
    response = client.post(reverse("account_signup"), {"email": "not an address", "password1": "x"})
    assert response.status_code == 400 and title(response).startswith("Error: ")


def test_listing_form_with_errors(client_for, alice):
    response = client_for(alice).post(reverse("sell:listing_create"), {})
    assert title(response).startswith("Error: ")


def test_add_to_cart_error_and_success(client_for, charlie, alice_listing):
    client = client_for(charlie)
    refused = client.post(reverse("orders:cart_add", args=[alice_listing.pk]), {"quantity": "0"})
    assert refused.status_code == 400 and title(refused).startswith("Error: ")
    added = client.post(reverse("orders:cart_add", args=[alice_listing.pk]), {"quantity": "1"}, follow=True)
    assert not title(added).startswith("Error") and "data-page-errors" not in added.content.decode()
    assert 'class="alert alert-success' in added.content.decode()  # the message focus.js moves focus to


def test_cart_line_error(client_for, charlie, charlie_cart):
    line = charlie_cart.lines.first()
    response = client_for(charlie).post(reverse("orders:cart_line", args=[line.pk]), {"quantity": "abc"})
    assert response.status_code == 400 and title(response).startswith("Error: ")


def test_checkout_and_pay_errors(client_for, charlie, charlie_cart, charlie_address, carriers, settings):
    client = in_spanish(client_for(charlie), settings)
    checkout = reverse("orders:checkout")
    page = client.get(checkout)
    assert not title(page).startswith("Error")
    bad = client.post(checkout, {**checkout_post(page), "address": "999999"})
    assert bad.status_code == 400 and title(bad).startswith("Error: ")
    placed = client.post(checkout, checkout_post(page))
    pay_page = client.get(placed["Location"])
    declined = client.post(placed["Location"], card_post(pay_page, DECLINE))
    assert declined.status_code == 200 and title(declined).startswith("Error: ")
    assert 'id="declined"' in declined.content.decode()
