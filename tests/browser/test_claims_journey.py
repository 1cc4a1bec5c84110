"""A claim, in a real browser: the buyer reports a damaged book from the order page (with a photo), the seller
offers a partial refund on the claim page, the buyer accepts it, and both see the refund on the timeline.

Every claim page is checked with axe-core and at 375 px wide (no sideways scrolling).
"""

import io
import re
from decimal import Decimal

import pytest
from PIL import Image

from claims.models import Claim
from claims.states import ClaimStatus
from orders.models import GatewayTransaction, Shipment
from orders.services import add_to_cart, get_or_create_cart, new_checkout_token, pay_order, place_order
from orders.services.shipments import advance_shipments, mark_shipped
from orders.tests.conftest import card
from tests.browser.conftest import assert_accessible, expect, screenshot, sign_in, unlabelled_fields
from tests.conftest import AddressFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def photo_file(directory, name: str) -> str:
    path = directory / name
    buffer = io.BytesIO()
    Image.new("RGB", (600, 800), (160, 60, 40)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def delivered_order(buyer, listing, carriers):
    """Bought, paid, shipped and delivered (proven by the buyer and seller journeys), through the services."""
    cart = get_or_create_cart(user=buyer)
    add_to_cart(cart, listing, 1)
    address = AddressFactory(user=buyer, full_name="Charlie Buyer")
    order = place_order(buyer, cart, address, {listing.seller_id: carriers["ENVIA"].pk}, new_checkout_token())
    pay_order(order, card(), "browser-claims-payment-key")
    mark_shipped(order.shipments.get(), listing.seller)
    for _ in range(3):
        advance_shipments(push_all=True)
    assert order.shipments.get().status == Shipment.Status.DELIVERED
    return order


def check_page(page, name: str) -> None:
    assert_accessible(page)
    assert not unlabelled_fields(page)
    screenshot(page, name)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page)


def test_claim_ends_in_a_partial_refund_the_buyer_accepts(new_page, tmp_path, carriers, alice, alice_listing, charlie):
    order = delivered_order(charlie, alice_listing, carriers)

    buyer = new_page("desktop")
    sign_in(buyer, charlie)
    buyer.goto(order.get_absolute_url())
    buyer.get_by_role("link", name="Report a problem").click()
    expect(buyer.get_by_role("heading", name="Report a problem with a parcel")).to_be_visible()
    check_page(buyer, "claim-open")
    buyer.set_viewport_size({"width": 1280, "height": 900})
    buyer.get_by_label("Not as described").check()
    buyer.get_by_label(re.compile("^Tell the seller what happened")).fill("The cover is torn and pages are loose.")
    buyer.get_by_label(re.compile("^Photos")).set_input_files([photo_file(tmp_path, "torn.jpg")])
    buyer.get_by_role("button", name="Open the claim").click()
    expect(buyer.locator("#messages")).to_contain_text("Your claim is open.")
    claim = Claim.objects.get()
    assert claim.photos.count() == 1
    expect(buyer.get_by_role("img", name="Photo 1 sent by the buyer")).to_be_visible()
    check_page(buyer, "claim-buyer-open")

    seller = new_page("desktop")
    sign_in(seller, alice)
    seller.goto(f"/sell/sales/{claim.shipment_id}/")
    seller.get_by_role("link", name=re.compile(f"Claim {claim.pk}")).click()
    expect(seller.get_by_role("heading", name=re.compile(f"Claim {claim.pk}"))).to_be_visible()
    check_page(seller, "claim-seller")
    seller.set_viewport_size({"width": 1280, "height": 900})
    seller.get_by_label("Amount to refund").fill("5.50")
    seller.get_by_role("button", name="Offer a partial refund").click()
    expect(seller.locator("#messages")).to_contain_text("Offer sent.")

    buyer.reload()
    accept = buyer.get_by_role("button", name=re.compile("^Accept"))
    expect(accept).to_be_visible()
    check_page(buyer, "claim-buyer-offer")
    accept.click()
    expect(buyer.locator("#messages")).to_contain_text("Offer accepted")
    expect(buyer.get_by_label("Claim timeline")).to_contain_text("The buyer accepted the partial refund")
    check_page(buyer, "claim-buyer-refunded")

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REFUNDED and claim.refund.amount == Decimal("5.50")
    refunds = GatewayTransaction.objects.filter(kind=GatewayTransaction.Kind.REFUND, succeeded=True)
    assert [r.amount for r in refunds] == [Decimal("5.50")]
