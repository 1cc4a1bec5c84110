"""Staff hide a listing in the admin: it leaves the catalog, and a buyer about to check out cannot buy it."""

import pytest

from catalog.models import Listing
from orders.models import Order
from orders.services import add_to_cart, get_or_create_cart
from tests.browser.conftest import expect, screenshot, sign_in, submit_search

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_hide_a_listing_and_it_leaves_catalog_and_checkout(
    page, new_page, staff, charlie, charlie_address, alice_listing, bob_listing, carriers
):
    cart = get_or_create_cart(user=charlie)
    add_to_cart(cart, alice_listing, 1)
    add_to_cart(cart, bob_listing, 1)

    # The buyer has the checkout page open, ready to place the order.
    buyer = page
    sign_in(buyer, charlie)
    buyer.goto("/checkout/")
    place = buyer.get_by_role("button", name="Place order")
    expect(place).to_be_enabled()

    # Meanwhile staff hide alice's listing from the admin's listing list, with a reason.
    admin = new_page(page.size_name)
    sign_in(admin, staff)
    admin.goto("/admin/catalog/listing/")
    row = admin.locator("#result_list tr", has=admin.get_by_role("link", name="The Name of the Rose"))
    row.get_by_role("checkbox").check()
    admin.get_by_label("Action:").select_option(label="Hide from the catalog")
    admin.get_by_label("Reason:").fill("Counterfeit copy reported by two buyers.")
    screenshot(admin, "staff-hide")
    admin.get_by_role("button", name="Go").click()
    expect(admin.locator(".messagelist")).to_contain_text("hidden")
    alice_listing.refresh_from_db()
    assert alice_listing.status == Listing.Status.HIDDEN
    assert alice_listing.hidden_reason == "Counterfeit copy reported by two buyers."

    # Placing the order now is refused, naming the hidden book; nothing is taken.
    place.click()
    problems = buyer.locator("#checkout-problems")
    expect(problems).to_contain_text("The Name of the Rose")
    expect(problems).to_contain_text("This listing was withdrawn by our staff.")
    screenshot(buyer, "buyer-checkout-hidden")
    assert not Order.objects.exists()
    alice_listing.refresh_from_db()
    bob_listing.refresh_from_db()
    assert (alice_listing.quantity, alice_listing.units_sold, bob_listing.quantity) == (3, 0, 3)
    expect(buyer.get_by_role("button", name="Place order")).to_be_disabled()

    # It is gone from the catalog and from search; its page answers 404.
    buyer.goto("/books/")
    expect(buyer.get_by_role("link", name="Dune")).to_be_visible()
    expect(buyer.get_by_role("link", name="The Name of the Rose")).to_have_count(0)
    submit_search(buyer, "Umberto Eco")
    expect(buyer.get_by_role("link", name="The Name of the Rose")).to_have_count(0)
    response = buyer.goto(alice_listing.get_absolute_url())
    assert response.status == 404
