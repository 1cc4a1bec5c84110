"""Orders left unpaid expire and give their stock back; paid ones and ones being paid are left alone."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from orders.errors import PaymentError
from orders.models import Order, Payment, Shipment, ShipmentEvent
from orders.services import expire_unpaid_orders, pay_order
from orders.tests.conftest import APPROVE, card

pytestmark = pytest.mark.django_db


def stock(listing):
    listing.refresh_from_db()
    return listing.quantity, listing.units_sold


def test_deadline_comes_from_the_setting(make_order, settings):
    settings.PAYMENT_EXPIRY_MINUTES = 5
    before = timezone.now()
    order = make_order()
    assert before + timedelta(minutes=5) <= order.expires_at <= timezone.now() + timedelta(minutes=5)


def test_expire_command_returns_stock_and_is_idempotent(make_order, charlie, capsys):
    order = make_order(buyer=charlie, quantity=2, stock=3)
    fresh = make_order(quantity=1)
    listing = order.lines.get().listing
    later = (timezone.now() + timedelta(minutes=31)).isoformat()
    Order.objects.filter(pk=fresh.pk).update(expires_at=timezone.now() + timedelta(hours=2))
    assert stock(listing) == (1, 2)

    call_command("expire_unpaid_orders", "--now", later)
    assert "Expired 1 unpaid order(s)." in capsys.readouterr().out
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED
    assert set(order.shipments.values_list("status", flat=True)) == {Shipment.Status.CANCELLED}
    [event] = ShipmentEvent.objects.filter(shipment__order=order)
    assert (event.code, event.description) == ("not_paid_in_time", "The order was not paid in time.")
    assert stock(listing) == (3, 0)
    assert Order.objects.get(pk=fresh.pk).status == Order.Status.PENDING_PAYMENT

    call_command("expire_unpaid_orders", "--now", later)
    assert "Expired 0 unpaid order(s)." in capsys.readouterr().out
    assert stock(listing) == (3, 0)


def test_command_rejects_a_bad_time():
    with pytest.raises(CommandError):
        call_command("expire_unpaid_orders", "--now", "yesterday-ish")


def test_paid_orders_never_expire(make_order):
    order = make_order()
    pay_order(order, card(APPROVE), "pay-before-the-deadline")
    assert expire_unpaid_orders(timezone.now() + timedelta(days=1)) == 0
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID


def test_order_being_paid_waits_for_the_outcome(make_order):
    order = make_order()
    payment = Payment.objects.create(
        order=order, amount=order.total, currency="USD", idempotency_key="at-the-gateway-now"
    )
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert expire_unpaid_orders() == 0
    # Once the attempt is stale (its call long timed out) the order expires after all.
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert expire_unpaid_orders() == 1


def test_expired_order_cannot_be_paid(make_order):
    order = make_order()
    expire_unpaid_orders(timezone.now() + timedelta(minutes=31))
    with pytest.raises(PaymentError) as info:
        pay_order(order, card(APPROVE), "too-late-to-pay-key")
    assert info.value.code == "not_payable"
    assert not Payment.objects.exists()
