"""The pages the audits look at, over the demo data plus a scene built through the services.

Run in its own process with the production-like environment of the audited servers (tests/audit/site.py):

    python -m tests.audit.scene PAGES.json [--small]

It migrates the (empty) database, loads the demo data (seed_demo; with --small, its accounts and books but only
sixteen listings of each shop, for the test suite), then a Colombian buyer (Valentina) buys two
books from the Bogotá shop: one delivered, rated and claimed about, one (a Spanish book) paid and still to ship;
she asked the shop about another book, wants a book, and has a book of the Texas shop in her cart. PAGES.json
lists (name, path, who) of every page, and a session cookie for each person.
"""

import json
import os
import sys
from pathlib import Path

import django


def _seed_some_demo_listings(per_seller: int) -> None:
    """seed_demo's accounts and books, but only the first listings (and photos) of each shop: a quicker build."""
    from django.db import transaction

    from bookstore.management.commands.seed_demo import Command, plan_listings

    plan, counts = [], {}
    for planned in plan_listings():
        counts[planned.seller.email] = counts.get(planned.seller.email, 0) + 1
        if counts[planned.seller.email] <= per_seller:
            plan.append(planned)
    command = Command()
    with transaction.atomic():
        users, _, _ = command.ensure_accounts()
        books, _ = command.ensure_books()
        command.ensure_listings(plan, users, books)
    command.ensure_photos(plan, users)


def build(small: bool = False) -> dict:
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from catalog.models import Book, Listing
    from claims.services.opening import open_claim
    from claims.states import ClaimKind
    from feedback.services import leave_feedback
    from messaging.services import ask_about_listing
    from orders.models import Address, Shipment
    from orders.services import (
        CardDetails,
        add_to_cart,
        get_or_create_cart,
        new_checkout_token,
        pay_order,
        place_order,
    )
    from orders.services.shipments import advance_shipments, mark_shipped
    from shipping.models import Carrier
    from wants.models import Want
    from wants.services import save_want

    call_command("migrate", interactive=False, verbosity=0)
    if small:
        _seed_some_demo_listings(per_seller=16)
    else:
        call_command("seed_demo", verbosity=0)

    buyer = User.objects.get(email="lectora@example.com")
    seller = User.objects.get(email="libreria@example.com")
    address = Address.objects.filter(user=buyer).first()
    carrier = Carrier.objects.get(code="SERVI")
    card = CardDetails(number="4242424242424242", exp_month=12, exp_year=2099, cvc="123")
    shop_listings = Listing.objects.filter(seller=seller, status=Listing.Status.ACTIVE).select_related("book")
    english = shop_listings.filter(book__language=Book.Language.ENGLISH).order_by("pk")
    spanish = shop_listings.filter(book__language=Book.Language.SPANISH).order_by("pk")

    def buy(listing, key):
        cart = get_or_create_cart(user=buyer)
        add_to_cart(cart, listing, 1)
        order = place_order(buyer, cart, address, {seller.pk: carrier.pk}, new_checkout_token())
        pay_order(order, card, key)
        return order

    delivered = buy(english[0], "audit-payment-key-0001")
    shipment = delivered.shipments.get()
    mark_shipped(shipment, seller)
    for _ in range(3):
        advance_shipments(push_all=True)
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.DELIVERED, shipment.status
    leave_feedback(shipment, buyer, 4, "Well packed, as described.")
    claim = open_claim(shipment, buyer, ClaimKind.NOT_AS_DESCRIBED, "The cover is torn at the spine.")
    waiting = buy(spanish[0], "audit-payment-key-0002").shipments.get()
    thread = ask_about_listing(english[1], buyer, "Is the spine cracked?")
    save_want(buyer, Want(user=buyer, title="Rayuela", author="Cortázar"))
    other_shop = Listing.objects.filter(status=Listing.Status.ACTIVE).exclude(seller=seller).order_by("pk").first()
    add_to_cart(get_or_create_cart(user=buyer), other_shop, 1)

    listing = english[1]
    book_query = listing.book.title.split()[-1]
    pages = [
        ("home", "/", None),
        ("catalog-books", reverse("catalog:browse"), None),
        ("catalog-copies", reverse("catalog:browse") + "?view=copies", None),
        ("search", reverse("catalog:browse") + f"?q={book_query}", None),
        ("book", reverse("catalog:book", args=[listing.book_id]), None),
        ("listing", listing.get_absolute_url(), None),
        ("shop", reverse("catalog:shop", args=[seller.shop.slug]), None),
        ("shop-feedback", reverse("feedback:shop", args=[seller.shop.slug]), None),
        ("login", reverse("account_login"), None),
        ("signup", reverse("account_signup"), None),
        ("cart", reverse("orders:cart"), "buyer"),
        ("checkout", reverse("orders:checkout"), "buyer"),
        ("orders", reverse("orders:order_list"), "buyer"),
        ("order", delivered.get_absolute_url(), "buyer"),
        ("wants", reverse("wants:list"), "buyer"),
        ("buyer-messages", reverse("messaging:inbox"), "buyer"),
        ("inventory", reverse("sell:inventory"), "seller"),
        ("listing-new", reverse("sell:listing_create"), "seller"),
        ("sales", reverse("shipping:sale_list"), "seller"),
        ("sale", reverse("shipping:sale_detail", args=[waiting.pk]), "seller"),
        ("feedback", reverse("feedback:seller_list"), "seller"),
        ("messages", reverse("messaging:inbox"), "seller"),
        ("thread", reverse("messaging:thread", args=[thread.pk]), "seller"),
        ("claim", reverse("claims:detail", args=[claim.pk]), "seller"),
        ("import", reverse("sell:import"), "seller"),
        ("earnings", reverse("shipping:earnings"), "seller"),
        ("shipping-settings", reverse("shop_shipping:settings"), "seller"),
        ("price-help", reverse("shipping:price_help") + f"?isbn={listing.book.isbn13}&condition=good", "seller"),
        ("vacation", reverse("accounts:vacation"), "seller"),
    ]
    sessions = {}
    for who, user in (("buyer", buyer), ("seller", seller)):
        client = Client()
        client.force_login(user)
        sessions[who] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {
        "pages": [{"name": name, "path": path, "who": who} for name, path, who in pages],
        "sessions": sessions,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "language_cookie": settings.LANGUAGE_COOKIE_NAME,
    }


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookstore.settings")
    django.setup()
    Path(argv[1]).write_text(json.dumps(build(small="--small" in argv[2:]), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
