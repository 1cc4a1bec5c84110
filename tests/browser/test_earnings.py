"""The seller's earnings page in a browser: balances and ledger, axe-core clean, no sideways scrolling on a phone,
and the sales export form on the sales page downloads a file."""

from pathlib import Path

import pytest
from django.urls import reverse

from orders.services import add_to_cart, get_or_create_cart, new_checkout_token, pay_order, place_order
from orders.tests.conftest import card
from tests.browser.conftest import assert_accessible, expect, screenshot, sign_in, unlabelled_fields
from tests.conftest import AddressFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sold(charlie, alice, alice_listing, carriers):
    """Charlie bought and paid for one of alice's books."""
    cart = get_or_create_cart(user=charlie)
    add_to_cart(cart, alice_listing, 1)
    order = place_order(
        charlie, cart, AddressFactory(user=charlie), {alice.pk: carriers["SERVI"].pk}, new_checkout_token()
    )
    pay_order(order, card(), "browser-earnings-0001")
    return order


def test_earnings_page(page, alice, sold):
    sign_in(page, alice)
    page.goto(reverse("shipping:earnings"))
    expect(page.get_by_role("heading", name="Your earnings", level=1)).to_be_visible()
    expect(page.locator('[data-balance="pending"]')).to_have_text("$14.75")  # 12.50 + 3.50 shipping - 1.25 fee
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_role("link", name=sold.number).first).to_be_visible()
    screenshot(page, "earnings")
    assert_accessible(page)
    assert unlabelled_fields(page) == []

    # Filtering by a period keeps the page usable; a backwards period says why.
    page.get_by_label("From", exact=True).fill("2026-05-02")
    page.get_by_label("To", exact=True).fill("2026-05-01")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("That period or kind is not valid")).to_be_visible()
    assert_accessible(page)


def test_earnings_and_sales_fit_a_phone(new_page, alice, sold):
    page = new_page("phone")
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, alice)
    for url in (reverse("shipping:earnings"), reverse("shipping:sale_list"), reverse("shipping:sales_export")):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, url
        assert_accessible(page)


def test_sales_page_downloads_the_export(new_page, alice, sold):
    page = new_page("desktop")
    sign_in(page, alice)
    page.goto(reverse("shipping:sale_list"))
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    assert download.value.suggested_filename.endswith(".csv")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert sold.number in text
