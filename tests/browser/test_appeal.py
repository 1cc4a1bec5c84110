"""A seller whose listing staff hid reads why on the inventory and appeals from it, at both sizes; the page
stays accessible and does not scroll sideways."""

import pytest
from django.urls import reverse

from catalog.models import Appeal
from catalog.services.moderation import hide_listing
from tests.browser.conftest import assert_accessible, expect, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_seller_reads_the_reason_and_appeals(page, alice, staff, alice_listing):
    hide_listing(alice_listing, staff, "The photos show another edition.")
    sign_in(page, alice)
    page.goto(reverse("sell:inventory"))
    section = page.get_by_role("region", name="Hidden by our staff")
    expect(section).to_contain_text("The photos show another edition.")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    section.get_by_role("textbox", name="Your message to our staff").fill("It is the 1983 edition; photos fixed.")
    section.get_by_role("button", name="Appeal The Name of the Rose").click()
    expect(page.locator("#messages")).to_contain_text("Your appeal on “The Name of the Rose” was sent.")
    expect(page.get_by_role("region", name="Hidden by our staff")).to_contain_text("Waiting for staff")
    assert Appeal.objects.get().text == "It is the 1983 edition; photos fixed."
    assert_accessible(page)
