"""Long words never widen the page: a 300-character name, e-mail, shop name or title without a space wraps or is
cut short (with the whole value in a tooltip), at a phone's width and at a desktop's."""

import pytest
from django.urls import reverse

from conftest import ListingFactory, ShopFactory, UserFactory
from orders.models import Shipment
from orders.services import add_to_cart, get_or_create_cart, new_checkout_token, place_order
from tests.browser.conftest import expect, path_of, sign_in
from tests.conftest import AddressFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = 300
WIDTHS = {"phone": 375, "desktop": 1280}


def long_word(letter: str) -> str:
    return letter * LONG


@pytest.fixture
def scene(carriers):
    """A seller and a buyer whose every name is one 300-character word; the buyer ordered the seller's book."""
    seller = UserFactory(email=f"{long_word('s')}@example.com", first_name=long_word("S"), last_name="")
    ShopFactory(owner=seller, name=long_word("N"), slug="long-shop", city=long_word("C"))
    listing = ListingFactory(
        seller=seller,
        book__title=long_word("T"),
        book__authors=long_word("A"),
        book__publisher=long_word("P"),
        condition_notes=long_word("n"),
    )
    ListingFactory(seller=seller, book__title=long_word("U"), quantity=5)
    buyer = UserFactory(email=f"{long_word('b')}@example.com", first_name=long_word("B"), last_name="")
    address = AddressFactory(user=buyer, full_name=long_word("R"), line1=long_word("L"))
    cart = get_or_create_cart(user=buyer)
    add_to_cart(cart, listing, 1)
    order = place_order(buyer, cart, address, {seller.pk: carriers["ENVIA"].pk}, new_checkout_token())
    add_to_cart(cart, listing, 1)
    shipment = Shipment.objects.get(order=order)
    return {"seller": seller, "buyer": buyer, "listing": listing, "order": order, "shipment": shipment}


def pages(scene):
    """(who, name, path) of every page that shows one of the long values."""
    listing, order = scene["listing"], scene["order"]
    return [
        ("buyer", "home", "/"),
        ("buyer", "catalog", reverse("catalog:browse")),
        ("buyer", "search", reverse("catalog:browse") + "?q=" + "T" * 50),
        ("buyer", "listing", listing.get_absolute_url()),
        ("buyer", "shop", scene["seller"].shop.get_absolute_url()),
        ("buyer", "cart", reverse("orders:cart")),
        ("buyer", "checkout", reverse("orders:checkout")),
        ("buyer", "orders", reverse("orders:order_list")),
        ("buyer", "order", order.get_absolute_url()),
        ("buyer", "profile", reverse("accounts:profile")),
        ("seller", "inventory", reverse("sell:inventory")),
        ("seller", "new-listing", reverse("sell:listing_create")),
        ("seller", "sales", reverse("shipping:sale_list")),
        ("seller", "sale", reverse("shipping:sale_detail", args=[scene["shipment"].pk])),
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
    page.goto(reverse("catalog:browse"))
    assert page.locator(f'.navbar [title="{long_word("B")}"]').count() == 1
    assert page.locator(f'.book-card [title="{long_word("N")}"]').count() >= 1
    title = page.locator(f'.book-card a[title="{long_word("T")}"]')
    expect(title).to_be_visible()
    # Cut to three lines on the card: far shorter than the 300 characters would take.
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
