"""Migration 0018 on a database with listings: every book with a copy for sale gets its figures."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("catalog", "0017_listing_condition_rank")]
AFTER = [("catalog", "0018_book_stats")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def leaf_nodes():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_existing_books_get_their_figures():
    apps = migrate(BEFORE)
    try:
        User = apps.get_model("accounts", "User")
        Category = apps.get_model("catalog", "Category")
        Book = apps.get_model("catalog", "Book")
        Listing = apps.get_model("catalog", "Listing")
        seller = User.objects.create(email="old-seller@example.com")
        gone = User.objects.create(email="gone@example.com", is_active=False)
        category = Category.objects.create(name="Old shelf", slug="old-shelf")
        sold = Book.objects.create(title="Sold", authors="Someone", category=category, language="es")
        unsold = Book.objects.create(title="Unsold", authors="Someone", category=category)

        def listing(book, **values):
            defaults = {
                "seller": seller,
                "condition": "good",
                "price": Decimal("5"),
                "quantity": 1,
                "status": "active",
            }
            return Listing.objects.create(book=book, sku=f"S{Listing.objects.count()}", **{**defaults, **values})

        listing(sold, condition="fine", price=Decimal("9"), cover="listings/a.jpg", cover_widths=[96])
        listing(sold, condition="poor", price=Decimal("4"))
        listing(sold, price=Decimal("1"), quantity=0)  # sold out
        listing(sold, price=Decimal("2"), seller=gone)  # a deactivated seller's
        listing(unsold, status="paused")

        apps = migrate(AFTER)
        BookStats = apps.get_model("catalog", "BookStats")
        rows = list(
            BookStats.objects.values(
                "book_id", "copies", "lowest_price", "best_rank", "worst_rank", "language", "cover"
            )
        )
        assert rows == [
            {
                "book_id": sold.pk,
                "copies": 2,
                "lowest_price": Decimal("4.00"),
                "best_rank": 1,
                "worst_rank": 5,
                "language": "es",
                "cover": "listings/a.jpg",
            }
        ]
    finally:
        migrate(leaf_nodes())
