"""Stored and reflected XSS: script payloads typed into every free-text field come back escaped, everywhere.

A listing whose title, authors, description and condition notes, a shop whose name and city, a report's
text, an address and a person's name each hold a distinct payload. Every page, email and admin list that
shows them is fetched; none may contain a payload as markup, and each page must show at least the payloads
it is expected to (escaped), so a page that stopped showing the field cannot pass by accident.
"""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils.html import escape

from accounts.models import Shop
from catalog.models import Book, Listing, Report
from catalog.services.reports import report_listing
from conftest import ListingFactory, ShopFactory, UserFactory
from orders.models import Shipment
from orders.services import add_to_cart, get_or_create_cart, new_checkout_token, pay_order, place_order
from orders.services.shipments import mark_shipped
from orders.tests.conftest import card
from tests.conftest import AddressFactory

FIELDS = [
    "title",
    "authors",
    "description",
    "notes",
    "shop",
    "city",
    "report",
    "full_name",
    "line1",
    "address_city",
    "first_name",
    "search",
]


def payload(field: str) -> str:
    # Breaks out of text, of a double- or single-quoted attribute, and runs script either way.
    return f"\"'><script>alert('xss-{field}')</script><img src=x onerror=alert('xss-{field}')>"


def raw_markers(field: str) -> list[str]:
    return [f"<script>alert('xss-{field}')", f"<img src=x onerror=alert('xss-{field}')"]


def assert_escaped(where: str, body: str, expected_fields: list[str]) -> None:
    for field in FIELDS:
        for marker in raw_markers(field):
            assert marker not in body, f"{where}: the {field} payload is rendered as markup"
    missing = [field for field in expected_fields if escape(payload(field)) not in body]
    assert not missing, f"{where}: expected to show (escaped) {missing}"


@pytest.fixture
def poisoned(carriers, django_capture_on_commit_callbacks):
    """A seller, a listing, a report, a buyer's order and its shipment, all holding payloads."""
    seller = UserFactory(email="mallory@example.com", first_name=payload("first_name"))
    ShopFactory(owner=seller, name=payload("shop"), city=payload("city"), slug="mallorys", country="CO")
    listing = ListingFactory(
        seller=seller,
        book__title=payload("title"),
        book__authors=payload("authors"),
        book__description=payload("description"),
        condition_notes=payload("notes"),
        quantity=5,
    )
    buyer = UserFactory(email="victim@example.com", first_name="Victor")
    report_listing(listing, buyer, Report.Reason.values[0], payload("report"))
    address = AddressFactory(
        user=buyer, full_name=payload("full_name"), line1=payload("line1"), city=payload("address_city")
    )
    with django_capture_on_commit_callbacks(execute=True):
        cart = get_or_create_cart(user=buyer)
        add_to_cart(cart, listing, 1)
        order = place_order(buyer, cart, address, {seller.pk: carriers["ENVIA"].pk}, new_checkout_token())
        pay_order(order, card(), "xss-scene-payment-key")
        shipment = Shipment.objects.get(order=order)
        mark_shipped(shipment, seller)
    add_to_cart(cart, listing, 1)  # something in the cart for the cart and checkout pages
    call_command("advance_shipments", "--all", "--seed", "1", stdout=io.StringIO())
    return {"seller": seller, "buyer": buyer, "listing": listing, "order": order, "shipment": shipment}


BOOK = ["title", "authors"]


@pytest.mark.parametrize("page_cache", [False, True], ids=["rendered", "from the page cache"])
def test_public_pages_escape_every_payload(client, poisoned, settings, page_cache):
    if page_cache:  # the catalog's cached pages and fragments are served as stored: they must be stored escaped
        settings.CATALOG_CACHE_SECONDS = 60
    listing = poisoned["listing"]
    shop = Shop.objects.get(owner=poisoned["seller"])
    pages = {
        "home": ("/", [*BOOK, "shop"]),
        "catalog": ("/books/", list(BOOK)),
        "copies": ("/books/?view=copies", [*BOOK, "shop", "city"]),
        "search": ("/books/", ["search"]),
        "book page": (f"/books/work/{listing.book_id}/", [*BOOK, "description", "shop", "city"]),
        "listing": (listing.get_absolute_url(), [*BOOK, "description", "notes", "shop", "city"]),
        "shop page": (shop.get_absolute_url(), [*BOOK, "shop", "city"]),
    }
    for name, (path, fields) in pages.items():
        params = {"q": payload("search")} if name == "search" else {}
        for _visit in range(2 if page_cache else 1):
            response = client.get(path, params)
            assert response.status_code == 200, (name, response.status_code)
            assert_escaped(name, response.content.decode(), fields)


def test_buyer_pages_escape_every_payload(client, poisoned):
    order = poisoned["order"]
    client.force_login(poisoned["buyer"])
    pages = {
        "cart": ("/cart/", [*BOOK, "shop"]),
        "checkout": ("/checkout/", ["title", "shop", "city", "full_name", "line1", "address_city"]),
        "orders": ("/orders/", []),
        "order": (order.get_absolute_url(), [*BOOK, "shop", "city"]),
    }
    for name, (path, fields) in pages.items():
        response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        assert_escaped(name, response.content.decode(), fields)


def test_seller_pages_escape_every_payload(client, poisoned):
    listing, shipment = poisoned["listing"], poisoned["shipment"]
    client.force_login(poisoned["seller"])
    pages = {
        "inventory": ("/sell/", BOOK),
        "listing form": (f"/sell/listings/{listing.pk}/edit/", [*BOOK, "description", "notes"]),
        "photos": (f"/sell/listings/{listing.pk}/photos/", ["title"]),
        "sales": ("/sell/sales/", ["full_name"]),
        "sale": (f"/sell/sales/{shipment.pk}/", [*BOOK, "full_name", "line1", "address_city"]),
        "shop form": ("/sell/shop/", ["shop", "city"]),
        "profile": ("/accounts/profile/", ["first_name"]),
        "isbn look-up form": ("/sell/listings/new/?isbn=x&title=" + payload("title"), ["title"]),
    }
    for name, (path, fields) in pages.items():
        response = client.get(path)
        assert response.status_code in (200, 400), (name, response.status_code)
        assert_escaped(name, response.content.decode(), fields)


def test_emails_escape_every_payload(poisoned):
    html_parts = []
    for message in mail.outbox:
        for content, mimetype in message.alternatives:
            if mimetype == "text/html":
                html_parts.append((message.subject, content))
        assert "\n" not in message.subject
    assert len(html_parts) >= 4, [subject for subject, _ in html_parts]  # placed, paid, new sale, shipped
    everything = "\n".join(content for _, content in html_parts)
    for subject, content in html_parts:
        assert_escaped(f"email {subject!r}", content, [])
    assert_escaped("emails", everything, ["title", "full_name"])


def test_admin_pages_escape_every_payload(client, poisoned, staff):
    listing, order, shipment = poisoned["listing"], poisoned["order"], poisoned["shipment"]
    client.force_login(staff)
    pages = {
        "listings": ("/admin/catalog/listing/", ["title"]),
        "listing": (f"/admin/catalog/listing/{listing.pk}/change/", ["notes"]),
        "books": ("/admin/catalog/book/", BOOK),
        "book": (f"/admin/catalog/book/{listing.book_id}/change/", [*BOOK, "description"]),
        "reports": ("/admin/catalog/report/", ["title"]),
        "report": (f"/admin/catalog/report/{Report.objects.get().pk}/change/", ["report"]),
        "shops": ("/admin/accounts/shop/", ["shop", "city"]),
        "users": ("/admin/accounts/user/", ["first_name"]),
        "orders": ("/admin/orders/order/", []),
        "order": (f"/admin/orders/order/{order.pk}/change/", ["full_name", "line1", "address_city"]),
        "shipments": ("/admin/orders/shipment/", []),
        "shipment": (f"/admin/orders/shipment/{shipment.pk}/change/", []),
    }
    for name, (path, fields) in pages.items():
        response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        assert_escaped(f"admin {name}", response.content.decode(), fields)


def test_payloads_are_stored_as_typed(poisoned):
    """Escaping happens on output only: the data keeps what the person typed."""
    listing = Listing.objects.select_related("book").get(pk=poisoned["listing"].pk)
    assert listing.book.title == payload("title")
    assert Book.objects.filter(authors=payload("authors")).exists()
