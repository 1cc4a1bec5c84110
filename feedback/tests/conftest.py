"""Fixtures for feedback tests: an order of charlie's with one parcel from alice, delivered by the simulator."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import ListingFactory
from orders.services import add_to_cart, get_or_create_cart, new_checkout_token, pay_order, place_order
from orders.services.shipments import advance_shipments, mark_shipped
from orders.tests.conftest import AddressFactory, card, carriers

__all__ = ["carriers"]


def order_from(buyer, seller, carriers, listing=None):
    """A paid order of ``buyer`` for one copy from ``seller``, sent with Envia. Returns (order, shipment)."""
    listing = listing or ListingFactory(seller=seller)
    cart = get_or_create_cart(user=buyer)
    add_to_cart(cart, listing, 1)
    order = place_order(
        buyer, cart, AddressFactory(user=buyer), {seller.pk: carriers["ENVIA"].pk}, new_checkout_token()
    )
    pay_order(order, card(), f"feedback-pay-key-{order.number}")
    return order, order.shipments.get()


def deliver(shipment, seller, *, when=None):
    """The seller ships, the carrier simulator carries the parcel to the door (stamped ``when``)."""
    mark_shipped(shipment, seller, now=when)
    for _ in range(3):
        advance_shipments(now=when, push_all=True)
    shipment.refresh_from_db()
    return shipment


@pytest.fixture
def paid(charlie, alice, carriers):
    """charlie's paid order of one copy from alice: (order, shipment), not shipped yet."""
    return order_from(charlie, alice, carriers)


@pytest.fixture
def delivered(paid, alice):
    """charlie's parcel from alice, delivered just now: the shipment."""
    return deliver(paid[1], alice)


@pytest.fixture
def long_ago():
    return timezone.now() - timedelta(days=40)
