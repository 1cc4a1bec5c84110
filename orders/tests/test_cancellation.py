"""Cancelling before shipping: stock returns, money goes back, parts of an order, who may cancel."""

from decimal import Decimal

import pytest
from django.utils import translation

from catalog.models import Listing
from orders.errors import CancellationError
from orders.models import Order, Payment, Refund, Shipment, ShipmentEvent
from orders.services import (
    cancel_order,
    cancel_seller_part,
    cancellable_shipments,
    order_is_cancellable,
    pay_order,
    retry_failed_refunds,
)
from orders.services.shipments import mark_shipped
from orders.tests.conftest import APPROVE, card

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_order(placed_order):
    pay_order(placed_order, card(APPROVE), "pay-the-placed-order")
    return Order.objects.get(pk=placed_order.pk)


def stock(listing):
    listing.refresh_from_db()
    return listing.quantity, listing.units_sold


def test_cancel_unpaid_order_returns_stock(
    placed_order, charlie, alice_listing, bob_listing, mailoutbox, django_capture_on_commit_callbacks
):
    assert order_is_cancellable(placed_order)
    with django_capture_on_commit_callbacks(execute=True):
        order = cancel_order(placed_order, charlie)

    assert order.status == Order.Status.CANCELLED and order.cancelled_at
    assert stock(alice_listing) == (3, 0) and stock(bob_listing) == (3, 0)
    assert set(order.shipments.values_list("status", flat=True)) == {Shipment.Status.CANCELLED}
    assert set(ShipmentEvent.objects.filter(shipment__order=order).values_list("code", flat=True)) == {
        ShipmentEvent.Code.ORDER_CANCELLED
    }
    assert not Refund.objects.exists()
    assert [m.to for m in mailoutbox] == [["charlie@example.com"]]  # sellers never heard of the sale
    assert "cancelled" in mailoutbox[0].body


def test_cancel_paid_order_refunds_everything(
    paid_order, charlie, alice_listing, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = cancel_order(paid_order, charlie, reason="Changed my mind")

    assert order.status == Order.Status.CANCELLED
    payment = Payment.objects.get(order=order)
    assert payment.status == Payment.Status.REFUNDED
    assert payment.refunded_amount == Decimal("70.59")
    refund = payment.refunds.get()
    assert (refund.status, refund.amount, refund.created_by) == (Refund.Status.SUCCEEDED, Decimal("70.59"), charlie)
    # A reason someone wrote is shown as written, in any language.
    with translation.override("es"):
        events = ShipmentEvent.objects.filter(shipment__order=order)
        assert {(e.code, e.display_description) for e in events} == {("", "Changed my mind")}
    assert stock(alice_listing) == (3, 0)
    assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.com", "bob@example.com", "charlie@example.com"]
    buyer_mail = next(m for m in mailoutbox if m.to == ["charlie@example.com"])
    assert "$70.59" in buyer_mail.body


def test_cancel_one_sellers_part_keeps_the_order(
    paid_order, charlie, bob, alice_listing, bob_listing, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = cancel_seller_part(paid_order, bob, charlie)

    assert order.status == Order.Status.PAID
    assert (order.items_total, order.shipping_total, order.total) == (
        Decimal("25.00"),
        Decimal("4.60"),
        Decimal("29.60"),
    )
    assert Shipment.objects.get(order=order, seller=bob).status == Shipment.Status.CANCELLED
    assert stock(bob_listing) == (3, 0) and stock(alice_listing) == (1, 2)
    payment = Payment.objects.get(order=order)
    assert payment.status == Payment.Status.PARTIALLY_REFUNDED
    assert payment.refunded_amount == Decimal("40.99")  # bob's 9.99 + his 31.00 shipping
    assert payment.amount - payment.refunded_amount == order.total
    assert sorted(m.to[0] for m in mailoutbox) == ["bob@example.com", "charlie@example.com"]
    assert [s.seller_id for s in cancellable_shipments(order)] == [order.shipments.exclude(seller=bob).get().seller_id]

    # Cancelling the last part cancels the order and refunds the rest.
    order = cancel_seller_part(order, order.shipments.exclude(seller=bob).get().seller, charlie)
    assert order.status == Order.Status.CANCELLED and order.total == 0
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED and payment.refunded_amount == Decimal("70.59")


def test_shipped_part_cannot_be_cancelled(paid_order, charlie, alice, bob, bob_listing):
    mark_shipped(paid_order.shipments.get(seller=alice), alice)
    assert not order_is_cancellable(paid_order)
    with pytest.raises(CancellationError) as info:
        cancel_order(paid_order, charlie)
    assert info.value.code == "not_cancellable" and "Alice's Attic" in str(info.value.message)
    with pytest.raises(CancellationError):
        cancel_seller_part(paid_order, alice, charlie)
    assert Order.objects.get(pk=paid_order.pk).status == Order.Status.PAID

    # Bob's part can still go; then every remaining part has shipped, so the order is shipped.
    order = cancel_seller_part(paid_order, bob, charlie)
    assert order.status == Order.Status.SHIPPED
    assert stock(bob_listing) == (3, 0)


def test_only_the_buyer_or_staff_may_cancel(placed_order, alice, bob, staff, alice_listing):
    for outsider in (alice, bob, None):
        with pytest.raises(CancellationError) as info:
            cancel_order(placed_order, outsider)
        assert info.value.code == "not_allowed"
    assert stock(alice_listing) == (1, 2)
    assert cancel_order(placed_order, staff).status == Order.Status.CANCELLED


def test_closed_orders_and_missing_parts_cannot_be_cancelled(placed_order, charlie, staff):
    with pytest.raises(CancellationError) as info:
        cancel_seller_part(placed_order, staff, charlie)
    assert info.value.code == "no_such_part"
    cancel_order(placed_order, charlie)
    with pytest.raises(CancellationError) as info:
        cancel_order(placed_order, charlie)
    assert info.value.code == "not_cancellable"


def test_failed_refund_is_kept_and_can_be_retried(paid_order, charlie, settings):
    settings.PAYMENT_GATEWAY = "orders.tests.gateways.UnreachableGateway"
    order = cancel_order(paid_order, charlie)
    refund = Refund.objects.get()
    assert order.status == Order.Status.CANCELLED  # the cancellation stands; the money is owed
    assert (refund.status, refund.failure_code) == (Refund.Status.FAILED, "gateway_error")
    assert Payment.objects.get().status == Payment.Status.APPROVED

    settings.PAYMENT_GATEWAY = "orders.gateway.SimulatedGateway"
    [retried] = retry_failed_refunds(order)
    assert retried.status == Refund.Status.SUCCEEDED
    assert Payment.objects.get().status == Payment.Status.REFUNDED
    assert retry_failed_refunds(order) == []


def test_cancelled_listing_stock_returns_even_when_sold_out(make_order, charlie):
    order = make_order(buyer=charlie, quantity=2, stock=2)
    listing = order.lines.get().listing
    assert stock(listing) == (0, 2)
    cancel_order(order, charlie)
    assert stock(listing) == (2, 0)
    assert Listing.objects.get(pk=listing.pk).status == Listing.Status.ACTIVE
