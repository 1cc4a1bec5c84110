"""orders 0007 gives order lines sold before it their book's language; a line whose listing is gone keeps ""."""

import importlib

import pytest
from django.apps import apps

from conftest import ListingFactory
from orders.models import OrderLine
from orders.services import add_to_cart, get_or_create_cart, new_checkout_token, place_order
from orders.tests.conftest import carriers  # noqa: F401 - the carriers fixture
from tests.conftest import AddressFactory

pytestmark = pytest.mark.django_db


def test_lines_sold_before_take_their_books_language(alice, charlie, carriers):  # noqa: F811 - the fixture above
    spanish = ListingFactory(seller=alice, book__language="es")
    french = ListingFactory(seller=alice, book__language="fr")
    gone = ListingFactory(seller=alice, book__language="es")
    cart = get_or_create_cart(user=charlie)
    for listing in (spanish, french, gone):
        add_to_cart(cart, listing, 1)
    order = place_order(
        charlie, cart, AddressFactory(user=charlie), {alice.pk: carriers["SERVI"].pk}, new_checkout_token()
    )
    OrderLine.objects.filter(order=order).update(language="")  # as written before the field existed
    OrderLine.objects.filter(listing=gone).update(listing=None)

    importlib.import_module("orders.migrations.0007_orderline_language").fill_languages(apps, None)

    languages = dict(order.lines.values_list("title", "language"))
    assert languages == {spanish.book.title: "es", french.book.title: "fr", gone.book.title: ""}
