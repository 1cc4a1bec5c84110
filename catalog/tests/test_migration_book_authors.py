"""Migrations 0020 and 0021 on a database with listings: every listing gets its book's authors."""

from decimal import Decimal

import pytest

from catalog.tests.test_migration_book_stats import leaf_nodes, migrate

pytestmark = pytest.mark.django_db(transaction=True)


def test_existing_listings_get_their_books_authors():
    apps = migrate([("catalog", "0019_listing_book_stock_index")])
    try:
        User = apps.get_model("accounts", "User")
        Category = apps.get_model("catalog", "Category")
        Book = apps.get_model("catalog", "Book")
        Listing = apps.get_model("catalog", "Listing")
        seller = User.objects.create(email="old-seller@example.com")
        category = Category.objects.create(name="Old shelf", slug="old-shelf")
        books = [
            Book.objects.create(title=f"Book {n}", authors=f"Author {n}, Ana Núñez", category=category)
            for n in range(3)
        ]
        for n, book in enumerate(books * 2):
            Listing.objects.create(
                book=book, seller=seller, sku=f"S{n}", condition="good", price=Decimal("5"), quantity=1
            )

        apps = migrate([("catalog", "0021_backfill_listing_book_authors")])
        Listing = apps.get_model("catalog", "Listing")
        copied = set(Listing.objects.values_list("book_id", "book_authors"))
        assert copied == {(book.pk, f"Author {n}, Ana Núñez") for n, book in enumerate(books)}
    finally:
        migrate(leaf_nodes())
