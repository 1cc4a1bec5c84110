"""The SKU migrations on a table with listings: every listing gets a code of its own before codes become unique."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("catalog", "0008_listing_sku")]
AFTER = [("catalog", "0010_listing_sku_unique")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_listings_get_unique_codes():
    apps = migrate(BEFORE)
    try:
        User = apps.get_model("accounts", "User")
        Category = apps.get_model("catalog", "Category")
        Book = apps.get_model("catalog", "Book")
        Listing = apps.get_model("catalog", "Listing")
        seller = User.objects.create(email="old-seller@example.com")
        category = Category.objects.create(name="Old shelf", slug="old-shelf")
        book = Book.objects.create(title="Old", authors="Someone", category=category)
        # Before the backfill they all share the code the column was added with.
        listings = [
            Listing.objects.create(book=book, seller=seller, condition="good", price=5, sku="SAME") for _ in range(3)
        ]
        apps = migrate(AFTER)
        Listing = apps.get_model("catalog", "Listing")
        codes = dict(Listing.objects.filter(pk__in=[listing.pk for listing in listings]).values_list("pk", "sku"))
        assert codes == {listing.pk: f"BS-{listing.pk}" for listing in listings}
    finally:
        migrate(executor_leaf())


def executor_leaf():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
