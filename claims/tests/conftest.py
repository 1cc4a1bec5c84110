"""Fixtures for claims: charlie's paid order of two copies from alice, its parcel shipped or delivered, a claim."""

from datetime import timedelta

import pytest
from django.utils import timezone

from claims.models import Claim
from claims.services import open_claim
from conftest import ListingFactory, UserFactory
from orders.models import Shipment
from orders.services import add_to_cart, get_or_create_cart, new_checkout_token, pay_order, place_order
from orders.services.shipments import advance_shipments, mark_shipped
from orders.tests.conftest import AddressFactory, card, carriers  # noqa: F401 - the carriers fixture


@pytest.fixture
def dave(db):
    """Another buyer, with orders of his own."""
    return UserFactory(email="dave@example.com", first_name="Dave", last_name="Buyer")


@pytest.fixture
def paid_order(charlie, alice, alice_listing, carriers):  # noqa: F811
    cart = get_or_create_cart(user=charlie)
    add_to_cart(cart, alice_listing, 2)
    address = AddressFactory(user=charlie)
    order = place_order(charlie, cart, address, {alice.pk: carriers["ENVIA"].pk}, new_checkout_token())
    pay_order(order, card(), "claims-test-payment-0001")
    order.refresh_from_db()
    return order


@pytest.fixture
def shipment(paid_order, alice):
    mark_shipped(paid_order.shipments.get(), alice)
    return Shipment.objects.select_related("order", "carrier").get(order=paid_order)


def ship_days_ago(shipment: Shipment, days: int) -> Shipment:
    """Move the parcel's shipping date back: the carrier's promise runs out in the past."""
    Shipment.objects.filter(pk=shipment.pk).update(shipped_at=timezone.now() - timedelta(days=days))
    return Shipment.objects.select_related("order", "carrier").get(pk=shipment.pk)


def deliver(shipment: Shipment, days_ago: float = 1) -> Shipment:
    """Carry the parcel to the buyer (the carrier simulator's own steps), ``days_ago``."""
    for _ in range(3):
        advance_shipments(push_all=True)
    Shipment.objects.filter(pk=shipment.pk).update(delivered_at=timezone.now() - timedelta(days=days_ago))
    delivered = Shipment.objects.select_related("order", "carrier").get(pk=shipment.pk)
    assert delivered.status == Shipment.Status.DELIVERED
    return delivered


@pytest.fixture
def delivered(shipment):
    return deliver(shipment)


@pytest.fixture
def claim(delivered, charlie):
    return open_claim(delivered, charlie, Claim.Kind.NOT_AS_DESCRIBED, "The book has pages missing.")


@pytest.fixture
def bob_sale(bob, carriers, dave):  # noqa: F811
    """Bob's own paid sale to dave, shipped: the "other seller" and "other buyer" have real business."""
    listing = ListingFactory(seller=bob)
    cart = get_or_create_cart(user=dave)
    add_to_cart(cart, listing, 1)
    order = place_order(dave, cart, AddressFactory(user=dave), {bob.pk: carriers["FEDEX"].pk}, new_checkout_token())
    pay_order(order, card(), "claims-test-payment-0002")
    mark_shipped(order.shipments.get(), bob)
    return order
