"""Feedback in a real browser: the buyer orders, the seller ships, the carrier delivers, the buyer rates the
seller and the rating shows on the listing page; the seller answers. The new pages pass axe and fit 375 px.
"""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import ListingFactory
from feedback.models import Feedback
from orders.models import Order
from orders.services.shipments import advance_shipments
from orders.states import ShipmentStatus
from tests.browser.conftest import assert_accessible, expect, path_of, screenshot, sign_in, unlabelled_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APPROVE = "4242 4242 4242 4242"


def fits_375(page) -> None:
    """No sideways scrolling at 375 px wide."""
    size = page.viewport_size
    page.set_viewport_size({"width": 375, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{page.url} scrolls sideways at 375 px ({width} px wide)"
    page.set_viewport_size(size)


def check_page(page, name: str) -> None:
    assert_accessible(page)
    assert unlabelled_fields(page) == []
    fits_375(page)
    screenshot(page, name)


def test_buyer_rates_the_seller_after_delivery(new_page, viewport, alice, charlie, charlie_address, carriers):
    listing = ListingFactory(seller=alice, book__title="The Name of the Rose", price=Decimal("14.00"), quantity=2)
    buyer = new_page(viewport)
    sign_in(buyer, charlie)

    # A new shop: no fake number on the listing.
    buyer.goto(listing.get_absolute_url())
    expect(buyer.locator("[data-seller-rating]")).to_contain_text("New seller")

    # The buyer orders and pays.
    buyer.get_by_label("Copies").fill("1")
    buyer.get_by_role("button", name="Add to cart").click()
    expect(buyer.get_by_role("heading", name="Your cart")).to_be_visible()
    expect(buyer.locator("[data-seller-rating]").first).to_contain_text("New seller")
    buyer.get_by_role("link", name="Check out").click()
    buyer.get_by_role("button", name="Place order").click()
    expect(buyer.get_by_role("heading", level=1)).to_contain_text("Pay order")
    buyer.get_by_label("Name on the card").fill("Charlie Buyer")
    buyer.get_by_label("Card number").fill(APPROVE)
    buyer.get_by_label("Month").select_option("12")
    buyer.get_by_label("Year").select_option(index=5)
    buyer.get_by_label("Security code (CVC)").fill("123")
    buyer.get_by_role("button", name=re.compile(r"^Pay ")).click()
    expect(buyer.locator("[data-payment-status]")).to_have_attribute("data-payment-status", "approved")
    order = Order.objects.get(buyer=charlie)
    shipment = order.shipments.get()
    expect(buyer.get_by_role("link", name="Rate the seller")).to_have_count(0)

    # The seller ships from the sale page.
    seller = new_page(viewport)
    sign_in(seller, alice)
    seller.goto(reverse("shipping:sale_detail", args=[shipment.pk]))
    seller.get_by_role("button", name="Mark as shipped").click()
    expect(seller.locator("#messages")).to_contain_text("Marked as shipped")

    # The carrier simulator carries it to the door.
    for _ in range(3):
        advance_shipments(push_all=True)
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.DELIVERED

    # The buyer rates the seller from the order page.
    buyer.goto(order.get_absolute_url())
    buyer.get_by_role("link", name="Rate the seller").click()
    expect(buyer.get_by_role("heading", level=1)).to_contain_text("Rate the seller")
    check_page(buyer, "feedback-rate")
    buyer.get_by_role("button", name="Publish my rating").click()  # no stars chosen: a clear error
    expect(buyer.get_by_role("group", name=re.compile("Your rating"))).to_contain_text("Choose from 1 to 5 stars.")
    buyer.get_by_label("5 stars").check()
    buyer.get_by_label("Comment (optional)").fill("Exactly as described, well packed.")
    buyer.get_by_role("button", name="Publish my rating").click()
    expect(buyer.locator("#messages")).to_contain_text("your rating is published")
    assert path_of(buyer) == order.get_absolute_url()
    expect(buyer.locator("[data-feedback]")).to_contain_text("You rated this seller 5 stars.")
    assert Feedback.objects.get().stars == 5

    # The rating shows on the listing page, and the shop's feedback page lists it.
    buyer.goto(listing.get_absolute_url())
    expect(buyer.locator("[data-seller-rating]")).to_contain_text("5.0 ★")
    expect(buyer.locator("[data-seller-rating]")).to_contain_text("1 rating")
    expect(buyer.locator("[data-seller-rating]")).to_contain_text("100% positive in the last 12 months")
    buyer.goto(alice.shop.get_absolute_url())
    buyer.get_by_role("link", name="Read the buyers' feedback").click()
    expect(buyer.get_by_role("heading", level=1)).to_contain_text("Feedback for Alice's Attic")
    expect(buyer.locator("article")).to_contain_text("Exactly as described, well packed.")
    check_page(buyer, "feedback-shop")

    # The seller answers from their feedback page; the answer is public.
    seller.goto(reverse("shipping:sale_list"))
    check_page(seller, "feedback-sales-standing")
    seller.get_by_role("link", name="Your feedback").first.click()
    expect(seller.get_by_role("heading", level=1)).to_contain_text("Your feedback")
    check_page(seller, "feedback-seller-list")
    seller.get_by_role("link", name=re.compile("Answer publicly")).click()
    check_page(seller, "feedback-answer")
    seller.get_by_label("Your public answer").fill("Thank you, Charlie!")
    seller.get_by_role("button", name="Publish my answer").click()
    expect(seller.locator("#messages")).to_contain_text("Your answer is published.")
    buyer.reload()
    expect(buyer.locator("article")).to_contain_text("Thank you, Charlie!")
