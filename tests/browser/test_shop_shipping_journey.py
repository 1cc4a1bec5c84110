"""A seller sets their own shipping price, in a real browser; a buyer sees it on the listing page and pays it at
checkout. The settings page and a packing slip pass axe-core and fit a 375 px wide screen."""

from decimal import Decimal

import pytest

from orders.models import Order
from shipping.models import ShopShipping
from tests.browser.conftest import assert_accessible, expect, screenshot, sign_in, unlabelled_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_375(page) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_seller_price_reaches_the_listing_page_and_checkout(
    new_page, alice, charlie, alice_listing, carriers, charlie_address
):
    # The seller: Envia within Colombia at 2.25 + 0.75 a copy, three business days to pack.
    seller = new_page("desktop")
    sign_in(seller, alice)
    seller.goto("/sell/shipping/")
    expect(seller.get_by_role("heading", level=1)).to_have_text("Shipping settings")
    seller.get_by_label("Handling time (business days)").fill("3")
    envia = seller.locator('fieldset[data-carrier="ENVIA"]')
    envia.get_by_label("Domestic: first copy").fill("2.25")
    envia.get_by_label("Domestic: each extra copy").fill("0.75")
    # A price with three decimals is refused with its reason, and the page keeps what was typed.
    seller.locator('fieldset[data-carrier="DHL"]').get_by_label("Rest of the world: first copy").fill("9.999")
    seller.locator('fieldset[data-carrier="DHL"]').get_by_label("Rest of the world: each extra copy").fill("1")
    seller.get_by_role("button", name="Save").click()
    expect(seller.locator(".invalid-feedback").first).to_contain_text("2 decimal places")
    assert not ShopShipping.objects.exists()
    seller.locator('fieldset[data-carrier="DHL"]').get_by_label("Rest of the world: first copy").fill("9.99")
    seller.get_by_role("button", name="Save").click()
    expect(seller.locator("#messages")).to_contain_text("Your shipping settings are saved.")
    assert_accessible(seller)
    assert unlabelled_fields(seller) == []
    screenshot(seller, "shop-shipping-settings")
    fits_375(seller)

    # The buyer, with an address in Colombia, sees the seller's price on the listing page.
    buyer = new_page("desktop")
    sign_in(buyer, charlie)
    buyer.goto(alice_listing.get_absolute_url())
    envia_line = buyer.locator('[data-shipping-price][data-carrier="ENVIA"]')
    expect(envia_line).to_contain_text("$2.25")
    expect(envia_line).to_contain_text("Expected delivery")
    expect(envia_line).to_contain_text("3 business days")
    assert_accessible(buyer)

    # ... and pays it at checkout: Envia is the cheapest, so it is chosen.
    buyer.get_by_label("Copies").fill("2")
    buyer.get_by_role("button", name="Add to cart").click()
    buyer.get_by_role("link", name="Check out").click()
    group = buyer.get_by_role("group", name="Carrier for the books from Alice's Attic")
    expect(group.get_by_role("radio", name="Envia")).to_be_checked()
    expect(group).to_contain_text("$3.00")  # 2.25 + 0.75 for the second copy
    buyer.get_by_role("button", name="Place order").click()
    expect(buyer.get_by_role("heading", level=1)).to_contain_text("Pay order")
    order = Order.objects.get(buyer=charlie)
    assert order.shipping_total == Decimal("3.00")
    assert order.total == order.items_total + Decimal("3.00")

    # The seller's packing slip of that parcel.
    shipment = order.shipments.get()
    seller.set_viewport_size({"width": 1280, "height": 900})
    seller.goto(f"/sell/sales/{shipment.pk}/slip/")
    expect(seller.locator(f'[data-slip="{order.number}"]')).to_contain_text(alice_listing.book.title)
    assert_accessible(seller)
    screenshot(seller, "packing-slip")
    fits_375(seller)
