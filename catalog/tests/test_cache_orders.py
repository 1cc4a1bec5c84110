"""Buying changes the catalog only when a listing sells out or comes back in stock; then the cache forgets."""

import pytest
from django.test import Client

from orders.services import cancel_order
from orders.tests.conftest import buy_fixture, carriers  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_taking_the_last_copy_marks_the_card_sold_out(
    page_cache, alice_listing, buy, django_capture_on_commit_callbacks
):
    Client().get("/books/?view=copies")
    assert "Sold out" not in Client().get("/books/?view=copies").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        buy(alice_listing, 3)
    assert "Sold out" in Client().get("/books/?view=copies").content.decode()


def test_a_sale_that_leaves_stock_keeps_the_cached_pages(
    page_cache, alice_listing, buy, django_capture_on_commit_callbacks, django_assert_num_queries
):
    Client().get("/books/?view=copies")
    with django_capture_on_commit_callbacks(execute=True):
        buy(alice_listing, 1)
    with django_assert_num_queries(0):
        Client().get("/books/?view=copies")


def test_cancelling_gives_the_copies_back_and_the_card_loses_its_sold_out_badge(
    page_cache, alice_listing, buy, charlie, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = buy(alice_listing, 3)
    assert "Sold out" in Client().get("/books/?view=copies").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order, charlie)
    assert "Sold out" not in Client().get("/books/?view=copies").content.decode()
