"""A buyer, in a real browser: sign up and confirm the address with the emailed link, search, filter, two
sellers' copies in one cart, checkout, pay.

The first card is declined (its message is shown, nothing is charged), the retry with the approving test
card succeeds, and the order page shows it paid. Runs at a desktop and at a phone size.
"""

import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail

from conftest import ListingFactory
from orders.models import Order
from orders.states import OrderStatus, PaymentStatus
from tests.browser.conftest import assert_accessible, expect, open_menu, path_of, screenshot, submit_search

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APPROVE = "4242 4242 4242 4242"
DECLINE = "4000 0000 0000 0002"


@pytest.fixture
def shelves(alice, bob, categories):
    """Three classics: alice's (Colombia) mystery, bob's (USA) science fiction and science books."""
    rose = ListingFactory(
        seller=alice,
        book__title="The Name of the Rose",
        book__authors="Umberto Eco",
        book__category=categories["mystery-thriller"],
        book__description="A classic mystery set in a medieval abbey.",
        price=Decimal("14.00"),
        quantity=3,
    )
    dune = ListingFactory(
        seller=bob,
        book__title="Dune",
        book__authors="Frank Herbert",
        book__category=categories["science-fiction-fantasy"],
        book__description="The classic of desert planets and spice.",
        price=Decimal("9.50"),
        quantity=2,
    )
    cosmos = ListingFactory(
        seller=bob,
        book__title="Cosmos",
        book__authors="Carl Sagan",
        book__category=categories["science-nature"],
        book__description="A classic of popular science.",
        price=Decimal("11.00"),
    )
    return {"rose": rose, "dune": dune, "cosmos": cosmos}


def result_titles(page) -> list[str]:
    return page.locator("article.book-card h3 a").all_inner_texts()


def open_the_copy(page) -> None:
    """From a book's page (the catalog shows books) to its one copy's page."""
    expect(page.locator("[data-copies]")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Details")).first.click()


def add_to_cart(page, copies: int) -> None:
    page.get_by_label("Copies").fill(str(copies))
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("heading", name="Your cart")).to_be_visible()


def fill_card(page, number: str) -> None:
    page.get_by_label("Name on the card").fill("Carla Buyer")
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Month").select_option("12")
    page.get_by_label("Year").select_option(index=5)
    page.get_by_label("Security code (CVC)").fill("123")


def test_buyer_signs_up_finds_books_from_two_sellers_and_pays(page, shelves, carriers, alice, bob):
    rose, dune = shelves["rose"], shelves["dune"]

    # Sign up from the navigation bar.
    page.goto("/")
    open_menu(page)
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Email").fill("carla@example.com")
    page.get_by_label(re.compile(r"^Password(?! \(again)")).fill("a-long-and-unusual-passphrase")
    page.get_by_label("Password (again)").fill("a-long-and-unusual-passphrase")
    screenshot(page, "buyer-signup")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify Your Email Address")
    expect(page.locator("#messages")).to_contain_text("carla@example.com")

    # The emailed link confirms the address and signs her in.
    [confirmation] = [message for message in mail.outbox if message.to == ["carla@example.com"]]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", confirmation.body).group(0)
    assert link.startswith(settings.SITE_URL)
    page.goto(urlsplit(link).path)
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("#messages")).to_contain_text("You have confirmed carla@example.com.")

    # Search, then narrow down with a filter.
    submit_search(page, "classic")
    expect(page.get_by_role("heading", level=1)).to_contain_text("classic")
    assert sorted(result_titles(page)) == ["Cosmos", "Dune", "The Name of the Rose"]
    screenshot(page, "buyer-search")
    filters_button = page.get_by_role("button", name="Filters")
    if filters_button.is_visible():  # the filter panel is folded away on a phone
        page.wait_for_load_state("load")  # Bootstrap, which unfolds it, runs at the end of the page
        filters_button.click()
        expect(page.locator("#filters-panel")).to_be_visible()
    page.locator("#filters-panel").get_by_label("Category").select_option(label="Science Fiction & Fantasy")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"category=science-fiction-fantasy"))
    expect(page.locator("article.book-card")).to_have_count(1)
    assert result_titles(page) == ["Dune"]
    assert "category=science-fiction-fantasy" in page.url

    # A copy from bob, then two from alice.
    page.get_by_role("link", name="Dune").click()
    open_the_copy(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dune")
    screenshot(page, "buyer-listing")
    add_to_cart(page, 1)
    submit_search(page, "Umberto Eco")
    page.get_by_role("link", name="The Name of the Rose").click()
    open_the_copy(page)
    add_to_cart(page, 2)
    expect(page.locator("[data-cart-count]").first).to_have_attribute("data-cart-count", "3")
    expect(page.get_by_role("heading", name="Alice's Attic")).to_be_visible()
    expect(page.get_by_role("heading", name="Bob's Books")).to_be_visible()
    screenshot(page, "buyer-cart")

    # Checkout: a new address, then the cheapest carrier for each seller is already chosen.
    page.get_by_role("link", name="Check out").click()
    page.get_by_label("Full name").fill("Carla Buyer")
    page.get_by_label("Address line 1").fill("Carrera 43A # 1-50")
    page.get_by_label("City").fill("Medellín")
    page.get_by_label("Postal code").fill("050021")
    page.get_by_label("Country").select_option("CO")
    page.get_by_label("Phone").fill("+57 300 555 0101")
    page.get_by_role("button", name="Save this address and use it").click()
    expect(page.locator("#messages")).to_contain_text("Address saved")
    expect(page.get_by_role("group", name="Carrier for the books from Alice's Attic")).to_be_visible()
    expect(page.get_by_role("group", name="Carrier for the books from Bob's Books")).to_be_visible()
    shown_total = page.locator("[data-total]").inner_text()
    screenshot(page, "buyer-checkout")
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pay order")
    order = Order.objects.get(buyer__email="carla@example.com")
    assert f"${order.total}" == shown_total.replace(",", "")
    assert order.status == OrderStatus.PENDING_PAYMENT

    # The declining card: its reason is shown and the order waits; then the approving card.
    fill_card(page, DECLINE)
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    expect(page.locator("#declined")).to_contain_text("The card was declined.")
    screenshot(page, "buyer-declined")
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    fill_card(page, APPROVE)
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    expect(page.locator("#messages")).to_contain_text("Payment approved (Visa ending in 4242)")
    assert path_of(page) == order.get_absolute_url()
    expect(page.locator("[data-payment-status]")).to_have_attribute("data-payment-status", "approved")
    expect(page.get_by_role("heading", name=re.compile("From Alice's Attic"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("From Bob's Books"))).to_be_visible()
    screenshot(page, "buyer-order")
    assert_accessible(page)

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert list(order.payments.values_list("status", flat=True)) == [PaymentStatus.APPROVED, PaymentStatus.DECLINED]
    assert {(line.listing_id, line.quantity) for line in order.lines.all()} == {(rose.pk, 2), (dune.pk, 1)}
    rose.refresh_from_db()
    dune.refresh_from_db()
    assert (rose.quantity, dune.quantity) == (1, 1)

    # The order is in the buyer's list.
    open_menu(page)
    page.get_by_role("link", name="Orders", exact=True).click()
    expect(page.get_by_role("link", name=order.number)).to_be_visible()
