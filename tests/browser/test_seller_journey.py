"""A seller, in a real browser: open a shop, publish a book with two photos, change its price, ship a sale.

Photos go through the real file input. After the seller marks the parcel shipped, the carrier simulator
(`advance_shipments`) moves it on, and the buyer sees the tracking timeline on the order page.
"""

import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from PIL import Image

from catalog.models import Listing
from conftest import UserFactory
from orders.models import Shipment
from orders.services import add_to_cart, get_or_create_cart, new_checkout_token, pay_order, place_order
from orders.states import OrderStatus, PaymentStatus, ShipmentStatus
from orders.tests.conftest import card
from tests.browser.conftest import assert_accessible, expect, open_menu, screenshot, sign_in
from tests.conftest import AddressFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def photo_file(directory, name: str, color) -> str:
    path = directory / name
    buffer = io.BytesIO()
    Image.new("RGB", (600, 800), color).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def buy_and_pay(listing: Listing, buyer, carriers, copies: int = 1):
    """What a buyer does on the site (proven by the buyer journey), done through the services."""
    cart = get_or_create_cart(user=buyer)
    add_to_cart(cart, listing, copies)
    address = AddressFactory(user=buyer, full_name="Charlie Buyer")
    order = place_order(buyer, cart, address, {listing.seller_id: carriers["ENVIA"].pk}, new_checkout_token())
    payment = pay_order(order, card(), "browser-journey-payment-key")
    assert payment.status == PaymentStatus.APPROVED
    return order


def test_seller_opens_a_shop_publishes_with_photos_and_ships(page, new_page, tmp_path, carriers, categories, charlie):
    dana = UserFactory(email="dana@example.com", first_name="Dana", last_name="Reader")
    sign_in(page, dana)

    # No shop yet: "My shop" leads to setting one up.
    page.goto("/")
    open_menu(page)
    page.get_by_role("link", name="My shop").click()
    expect(page.get_by_role("heading", name="Open your shop")).to_be_visible()
    page.get_by_label(re.compile("^Shop name")).fill("Dana's Den")
    page.get_by_label(re.compile("^City")).fill("Cali")
    page.get_by_label(re.compile("^Country")).select_option("CO")
    screenshot(page, "seller-open-shop")
    page.get_by_role("button", name="Open my shop").click()
    expect(page.locator("#messages")).to_contain_text("Dana's Den is open!")

    # Publish a book with two photos chosen in the real file input.
    page.get_by_role("link", name="List a book").first.click()
    form = page.locator("#listing-form")
    form.get_by_label(re.compile("^Title")).fill("One Hundred Years of Solitude")
    form.get_by_label(re.compile("^Authors")).fill("Gabriel García Márquez")
    form.get_by_label(re.compile("^Category")).select_option(label="Fiction")
    form.get_by_label(re.compile("^Language")).select_option("es")
    form.get_by_label(re.compile("^Condition \\*?$")).select_option(label="Good")
    form.get_by_label(re.compile("^Price")).fill("18.00")
    form.get_by_label(re.compile("^Copies in stock")).fill("2")
    form.get_by_label(re.compile("^Photos")).set_input_files(
        [photo_file(tmp_path, "front.jpg", (200, 40, 40)), photo_file(tmp_path, "back.jpg", (40, 40, 200))]
    )
    screenshot(page, "seller-listing-form")
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator("#messages")).to_contain_text("“One Hundred Years of Solitude” is on sale.")
    listing = Listing.objects.get(seller=dana)
    assert listing.status == Listing.Status.ACTIVE
    photos = list(listing.photos.order_by("position"))
    assert len(photos) == 2
    for photo in photos:  # stored under generated names, never the browser's
        assert re.fullmatch(r"listings/.*[0-9a-f]{32}\.jpg", photo.image.name), photo.image.name
        assert "front" not in photo.image.name and "back" not in photo.image.name
    screenshot(page, "seller-inventory")

    # Change the price from the inventory.
    page.get_by_role("link", name="Edit One Hundred Years of Solitude").click()
    page.get_by_label(re.compile("^Price")).fill("16.50")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#messages")).to_contain_text("Your changes to “One Hundred Years of Solitude” are saved.")
    listing.refresh_from_db()
    assert listing.price == Decimal("16.50")

    # The public page shows both photos, decoded by the browser (they are real, re-encoded JPEGs).
    page.goto(listing.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text("One Hundred Years of Solitude")
    expect(page.locator("main")).to_contain_text("$16.50")
    images = page.get_by_role("img", name=re.compile(r"^Photo \d of 2 of this copy"))
    expect(images).to_have_count(2)
    for image in images.all():
        image.scroll_into_view_if_needed()
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth") > 0
    screenshot(page, "seller-listing-public")

    # A buyer orders and pays; the seller sees the sale and ships it.
    order = buy_and_pay(listing, charlie, carriers)
    page.goto("/")
    open_menu(page)
    page.get_by_role("link", name="Sales").click()
    expect(page.get_by_role("link", name=order.number, exact=True)).to_be_visible()
    screenshot(page, "seller-sales")
    page.get_by_role("link", name=order.number, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(order.number)
    expect(page.locator("main")).to_contain_text("Charlie Buyer")
    page.get_by_role("button", name="Mark as shipped").click()
    expect(page.locator("#messages")).to_contain_text("Marked as shipped. Tracking number:")
    shipment = Shipment.objects.get(order=order)
    assert shipment.status == ShipmentStatus.SHIPPED and shipment.tracking_number
    screenshot(page, "seller-shipped")

    # The carrier moves the parcel; the buyer follows it.
    call_command("advance_shipments", "--all", "--seed", "1", stdout=io.StringIO())
    buyer_page = new_page(page.size_name)
    sign_in(buyer_page, charlie)
    buyer_page.goto(order.get_absolute_url())
    timeline = buyer_page.get_by_role("list", name="Tracking timeline")
    expect(timeline).to_be_visible()
    expect(timeline.locator("li")).to_have_count(2)
    expect(timeline).to_contain_text("Shipped")
    expect(timeline).to_contain_text("In transit")
    expect(buyer_page.locator("main")).to_contain_text(shipment.tracking_number)
    screenshot(buyer_page, "buyer-tracking")
    assert_accessible(buyer_page)
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
