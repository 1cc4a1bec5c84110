"""Seed a fault test's private database: sellers with listings, buyers with an address. Prints JSON.

Run by the fault tests as ``python -m tests.faults.seed --prefix restart`` with DATABASE_URL pointing at the
private server (the tests' own process never connects Django to it).
"""

import argparse
import json
import os
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookstore.settings")
django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Shop, User  # noqa: E402
from catalog.models import Book, Category, Listing  # noqa: E402
from orders.models import Address  # noqa: E402

PASSWORD = "a long and unusual passphrase 42"


def seed(prefix: str, sellers: int, listings: int, buyers: int, stock: int) -> dict:
    category = Category.objects.order_by("position").first()
    password = make_password(PASSWORD)
    listing_ids, seller_emails = [], []
    for s in range(sellers):
        seller = User.objects.create(email=f"{prefix}-seller{s}@example.com", password=password)
        seller_emails.append(seller.email)
        # Confirmed, as signing in, selling and checking out need.
        EmailAddress.objects.create(user=seller, email=seller.email, verified=True, primary=True)
        Shop.objects.create(
            owner=seller, name=f"{prefix} shop {s}", slug=f"{prefix}-shop-{s}", city="Bogotá", country="CO"
        )
        for n in range(listings):
            book = Book.objects.create(title=f"{prefix} book {s}-{n}", authors="Fault Tester", category=category)
            listing = Listing.objects.create(
                book=book,
                seller=seller,
                condition=Listing.Condition.GOOD,
                price=Decimal("10.00") + n,
                quantity=stock,
                status=Listing.Status.ACTIVE,
                published_at=timezone.now(),
            )
            listing_ids.append(listing.pk)
    buyer_emails = []
    for b in range(buyers):
        buyer = User.objects.create(email=f"{prefix}-buyer{b}@example.com", password=password)
        EmailAddress.objects.create(user=buyer, email=buyer.email, verified=True, primary=True)
        Address.objects.create(
            user=buyer,
            full_name=f"Buyer {b}",
            line1="Calle 1 # 2-3",
            city="Medellín",
            postal_code="050001",
            country="CO",
            phone="+57 300 000 0000",
        )
        buyer_emails.append(buyer.email)
    return {
        "listings": listing_ids,
        "sellers": seller_emails,
        "buyers": buyer_emails,
        "password": PASSWORD,
        "stock": stock,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--sellers", type=int, default=2)
    parser.add_argument("--listings", type=int, default=3)
    parser.add_argument("--buyers", type=int, default=2)
    parser.add_argument("--stock", type=int, default=500)
    args = parser.parse_args()
    print(json.dumps(seed(args.prefix, args.sellers, args.listings, args.buyers, args.stock)))
