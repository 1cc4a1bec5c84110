"""Long words never widen the page: a 300-character name, e-mail, shop name or title without a space wraps or is
cut short (with the whole value in a tooltip), at a phone's width and at a desktop's."""

import pytest
from django.urls import reverse

from accounts.models import Shop, User
from catalog.models import Book, Listing
from claims.services.opening import open_claim
from claims.states import ClaimKind
from conftest import ListingFactory, ShopFactory, UserFactory
from feedback.services import leave_feedback
from messaging.services import ask_about_listing
from orders.models import Address, Shipment
from orders.services import add_to_cart, get_or_create_cart, new_checkout_token, pay_order, place_order
from orders.services.shipments import advance_shipments, mark_shipped
from orders.tests.conftest import card
from tests.browser.conftest import expect, path_of, sign_in
from tests.conftest import AddressFactory
from wants.models import Want

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = 300
WIDTHS = {"phone": 375, "desktop": 1280}


def long_word(letter: str, length: int = LONG) -> str:
    return letter * length


def longest_word(model, field: str, letter: str) -> str:
    """One word as long as ``field`` takes, up to LONG: MariaDB refuses what does not fit, SQLite would not."""
    return long_word(letter, min(LONG, model._meta.get_field(field).max_length or LONG))


def long_email(model, letter: str) -> str:
    domain = "@example.com"
    return long_word(letter, min(LONG, model._meta.get_field("email").max_length) - len(domain)) + domain


@pytest.fixture
def scene(carriers):
    """A seller and a buyer whose every name is one 300-character word; the buyer ordered the seller's book."""
    seller = UserFactory(email=long_email(User, "s"), first_name=longest_word(User, "first_name", "S"), last_name="")
    ShopFactory(
        owner=seller, name=longest_word(Shop, "name", "N"), slug="long-shop", city=longest_word(Shop, "city", "C")
    )
    listing = ListingFactory(
        seller=seller,
        book__title=longest_word(Book, "title", "T"),
        book__authors=longest_word(Book, "authors", "A"),
        book__publisher=longest_word(Book, "publisher", "P"),
        condition_notes=longest_word(Listing, "condition_notes", "n"),
    )
    other = ListingFactory(seller=seller, book__title=longest_word(Book, "title", "U"), quantity=5)
    buyer = UserFactory(email=long_email(User, "b"), first_name=longest_word(User, "first_name", "B"), last_name="")
    address = AddressFactory(
        user=buyer, full_name=longest_word(Address, "full_name", "R"), line1=longest_word(Address, "line1", "L")
    )
    cart = get_or_create_cart(user=buyer)
    add_to_cart(cart, listing, 1)
    order = place_order(buyer, cart, address, {seller.pk: carriers["ENVIA"].pk}, new_checkout_token())
    add_to_cart(cart, listing, 1)
    shipment = Shipment.objects.get(order=order)
    # A second order, delivered: rated, claimed about and asked about, each in one long word; and a long want.
    add_to_cart(get_or_create_cart(user=buyer), other, 1)
    delivered = place_order(buyer, cart, address, {seller.pk: carriers["ENVIA"].pk}, new_checkout_token())
    pay_order(delivered, card(), "long-words-payment-key")
    add_to_cart(cart, listing, 1)
    part = delivered.shipments.get()
    mark_shipped(part, seller)
    for _ in range(3):
        advance_shipments(push_all=True)
    part.refresh_from_db()
    leave_feedback(part, buyer, 5, long_word("f"))
    claim = open_claim(part, buyer, ClaimKind.NOT_AS_DESCRIBED, long_word("c"))
    thread = ask_about_listing(listing, buyer, long_word("m"))
    Want.objects.create(user=buyer, title=longest_word(Want, "title", "W"), author=longest_word(Want, "author", "X"))
    return {
        "seller": seller,
        "buyer": buyer,
        "listing": listing,
        "order": order,
        "shipment": shipment,
        "delivered": delivered,
        "claim": claim,
        "thread": thread,
    }


def pages(scene):
    """(who, name, path) of every page that shows one of the long values."""
    listing, order = scene["listing"], scene["order"]
    return [
        ("buyer", "home", "/"),
        ("buyer", "catalog", reverse("catalog:browse")),
        ("buyer", "search", reverse("catalog:browse") + "?q=" + "T" * 50),
        ("buyer", "copies", reverse("catalog:browse") + "?view=copies"),
        ("buyer", "listing", listing.get_absolute_url()),
        ("buyer", "book", reverse("catalog:book", args=[listing.book_id])),
        ("buyer", "shop", scene["seller"].shop.get_absolute_url()),
        ("buyer", "shop-feedback", reverse("feedback:shop", args=[scene["seller"].shop.slug])),
        ("buyer", "cart", reverse("orders:cart")),
        ("buyer", "checkout", reverse("orders:checkout")),
        ("buyer", "orders", reverse("orders:order_list")),
        ("buyer", "order", order.get_absolute_url()),
        ("buyer", "pay", reverse("orders:pay", args=[order.number])),
        ("buyer", "delivered-order", scene["delivered"].get_absolute_url()),
        ("buyer", "claim", reverse("claims:detail", args=[scene["claim"].pk])),
        ("buyer", "messages", reverse("messaging:inbox")),
        ("buyer", "thread", reverse("messaging:thread", args=[scene["thread"].pk])),
        ("buyer", "wants", reverse("wants:list")),
        ("buyer", "profile", reverse("accounts:profile")),
        ("seller", "inventory", reverse("sell:inventory")),
        ("seller", "new-listing", reverse("sell:listing_create")),
        ("seller", "sales", reverse("shipping:sale_list")),
        ("seller", "sale", reverse("shipping:sale_detail", args=[scene["shipment"].pk])),
        ("seller", "earnings", reverse("shipping:earnings")),
        ("seller", "shipping-settings", reverse("shop_shipping:settings")),
        ("seller", "import", reverse("sell:import")),
        ("seller", "feedback", reverse("feedback:seller_list")),
        ("seller", "claim", reverse("claims:detail", args=[scene["claim"].pk])),
        ("seller", "thread", reverse("messaging:thread", args=[scene["thread"].pk])),
        ("seller", "profile", reverse("accounts:profile")),
    ]


@pytest.mark.parametrize("width", list(WIDTHS))
def test_no_page_scrolls_sideways_with_long_words(new_page, scene, width):
    page = new_page("phone" if width == "phone" else "desktop")
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    wide, failed = [], []
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    signed_in_as = None
    for who, name, path in pages(scene):
        if who != signed_in_as:
            sign_in(page, scene[who])
            signed_in_as = who
        response = page.goto(path)
        assert response.status == 200, f"{name}: {path} answered {response.status}"
        sizes = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if sizes[0] > sizes[1]:
            widest = page.evaluate(
                """() => [...document.querySelectorAll('body *')]
                    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
                    .slice(-3).map(el => el.tagName + '.' + el.className)"""
            )
            wide.append(f"{name} {path}: {sizes[0]} px wide in a {sizes[1]} px window; {widest}")
    assert not wide, "\n".join(wide)
    assert not failed, f"requests that failed: {failed}"


def test_the_favicon_loads(new_page, db):
    page = new_page("desktop")
    response = page.goto("/favicon.ico")
    assert response.status == 200
    assert response.headers["content-type"] in ("image/x-icon", "image/vnd.microsoft.icon")


def test_cut_names_keep_the_whole_value_in_a_tooltip(new_page, scene):
    page = new_page("desktop")
    sign_in(page, scene["buyer"])
    page.goto(reverse("catalog:browse") + "?view=copies")  # the copy view's cards show the shop
    assert page.locator(f'.navbar [title="{scene["buyer"].first_name}"]').count() == 1
    assert page.locator(f'.book-card [title="{scene["listing"].seller.shop.name}"]').count() >= 1
    title = page.locator(f'.book-card a[title="{scene["listing"].book.title}"]')
    expect(title).to_be_visible()
    # Cut to three lines on the card: far shorter than the whole title would take.
    assert title.bounding_box()["height"] < 100


def test_the_cart_count_is_in_sight_on_a_phone(new_page, scene):
    page = new_page("phone")
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, scene["buyer"])
    page.goto("/")
    cart = page.get_by_role("link", name="Cart 1 copy")
    expect(cart).to_be_visible()  # without opening the menu
    assert page.locator(".navbar-toggler").get_attribute("aria-expanded") == "false"
    cart.click()
    assert path_of(page) == reverse("orders:cart")
