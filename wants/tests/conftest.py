from decimal import Decimal

import pytest

from catalog.models import Book, Listing
from catalog.services.listings import create_listing
from conftest import CategoryFactory
from orders.tests.conftest import AddressFactory, carriers, charlie_address  # noqa: F401 - fixtures
from wants.models import Want

ISBN = "9780141439549"  # Middlemarch (Penguin Classics)


def book_data(**overrides):
    data = {
        "isbn13": ISBN,
        "title": "Middlemarch",
        "authors": "George Eliot",
        "publisher": "",
        "year": 1871,
        "language": Book.Language.ENGLISH,
        "binding": Book.Binding.PAPERBACK,
        "category": CategoryFactory(),
        "description": "",
    }
    return {**data, **overrides}


def copy_data(**overrides):
    data = {"condition": Listing.Condition.VERY_GOOD, "condition_notes": "", "price": Decimal("15.00"), "quantity": 1}
    return {**data, **overrides}


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Publish a listing through the catalog's service, running the jobs it enqueues (matching) after commit."""

    def run(seller, book=None, **copy):
        with django_capture_on_commit_callbacks(execute=True):
            return create_listing(seller, book_data(**(book or {})), copy_data(**copy), publish=True)

    return run


@pytest.fixture
def charlie_want(charlie, carriers):  # noqa: F811
    """Charlie wants ISBN X in Very Good or better, at most 20 with shipping to Colombia."""
    return Want.objects.create(
        user=charlie,
        isbn13=ISBN,
        min_condition=Listing.Condition.VERY_GOOD,
        max_price=Decimal("20.00"),
        country="CO",
    )


__all__ = ["AddressFactory"]
