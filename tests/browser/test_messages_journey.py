"""A buyer asks a seller about a listing, the seller answers, the buyer reads the answer; the inbox, the thread
and the vacation page pass axe-core and do not scroll sideways at 375 px."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Shop
from messaging.models import Message
from tests.browser.conftest import assert_accessible, expect, sign_in, unlabelled_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 375, "height": 800}


def check_page(page) -> None:
    """axe-core clean and labelled at desktop width, and no sideways scrolling at 375 px."""
    assert_accessible(page)
    assert unlabelled_fields(page) == []
    page.set_viewport_size(NARROW)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_buyer_asks_and_seller_answers(new_page, alice, charlie, alice_listing):
    buyer = new_page("desktop")
    sign_in(buyer, charlie)
    buyer.goto(alice_listing.get_absolute_url())
    buyer.get_by_role("link", name="Ask the seller").click()
    expect(buyer.get_by_role("heading", level=1)).to_contain_text("Write to Alice's Attic")
    check_page(buyer)
    buyer.get_by_role("textbox", name="Your message").fill(
        "Is the spine cracked? <b>bold</b> see https://example.org/photos"
    )
    buyer.get_by_role("button", name="Send").click()
    expect(buyer.locator("#messages")).to_contain_text("Your message was sent.")
    expect(buyer.locator(".message-body")).to_contain_text("<b>bold</b> see https://example.org/photos")
    assert buyer.locator(".message-body a").count() == 0
    check_page(buyer)

    seller = new_page("desktop")
    sign_in(seller, alice)
    seller.goto(reverse("messaging:inbox"))
    expect(seller.locator("[data-unread-messages]").first).to_have_attribute("data-unread-messages", "1")
    check_page(seller)
    seller.get_by_role("link", name="The Name of the Rose").click()
    expect(seller.get_by_role("heading", level=1)).to_contain_text("Conversation with Charlie Buyer")
    assert charlie.email not in seller.content()
    seller.get_by_role("textbox", name="Your message").fill("No, it is in very good shape.")
    seller.get_by_role("button", name="Send").click()
    expect(seller.locator("#messages")).to_contain_text("Your message was sent.")
    check_page(seller)

    buyer.goto(reverse("messaging:inbox"))
    expect(buyer.locator("[data-unread-messages]").first).to_have_attribute("data-unread-messages", "1")
    buyer.get_by_role("link", name="The Name of the Rose").click()
    expect(buyer.get_by_text("No, it is in very good shape.")).to_be_visible()
    assert alice.email not in buyer.content()
    assert Message.objects.count() == 2


def test_seller_closes_the_shop_for_a_vacation(new_page, alice, alice_listing):
    seller = new_page("desktop")
    sign_in(seller, alice)
    seller.goto(reverse("accounts:vacation"))
    check_page(seller)
    back = timezone.localdate() + timedelta(days=14)
    seller.get_by_label("Back on").fill(back.isoformat())
    seller.get_by_role("textbox", name="Message for buyers").fill("At the book fair, back in two weeks.")
    seller.get_by_role("button", name="Close my shop").click()
    expect(seller.locator("#messages")).to_contain_text("Your shop is closed until")
    assert Shop.objects.get(owner=alice).away_until == back
    check_page(seller)
    seller.get_by_role("button", name="Reopen my shop now").click()
    expect(seller.locator("#messages")).to_contain_text("Your shop is open again")
    assert Shop.objects.get(owner=alice).away_until is None
