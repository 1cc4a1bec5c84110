"""Paying an order: each outcome, replays charging once, orders that cannot be paid."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.errors import PaymentError
from orders.gateway import ChargeResult
from orders.models import Order, Payment, Shipment
from orders.services import latest_payment, pay_order, record_charge
from orders.tests.conftest import APPROVE, DECLINE, NO_FUNDS, card
from orders.tests.gateways import CountingGateway

pytestmark = pytest.mark.django_db

KEY = "payment-attempt-0001"


@pytest.fixture
def counting_gateway(settings):
    settings.PAYMENT_GATEWAY = "orders.tests.gateways.CountingGateway"
    CountingGateway.reset()
    return CountingGateway


def test_approved_payment_pays_the_order(placed_order, alice, bob, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        payment = pay_order(placed_order, card(APPROVE), KEY)

    assert payment.status == Payment.Status.APPROVED
    assert (payment.amount, payment.currency) == (Decimal("70.59"), "USD")
    assert (payment.card_brand, payment.card_last4) == ("visa", "4242")
    assert payment.gateway_reference.startswith("sim_ch_")
    order = Order.objects.get(pk=placed_order.pk)
    assert order.status == Order.Status.PAID and order.paid_at is not None
    assert set(order.shipments.values_list("status", flat=True)) == {Shipment.Status.READY_TO_SHIP}
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == ["alice@example.com", "bob@example.com", "charlie@example.com"]
    buyer_mail = next(m for m in mailoutbox if m.to == ["charlie@example.com"])
    assert "Payment received" in buyer_mail.subject and "4242" in buyer_mail.body
    sale_mail = next(m for m in mailoutbox if m.to == ["alice@example.com"])
    assert "The Name of the Rose" in sale_mail.body and "Dune" not in sale_mail.body  # only her part
    assert "Medellín" in sale_mail.body


@pytest.mark.parametrize(
    ("number", "code"),
    [(DECLINE, "card_declined"), (NO_FUNDS, "insufficient_funds"), ("4111 1111 1111 1111", "unknown_test_card")],
)
def test_declined_payment_leaves_the_order_payable(
    placed_order, number, code, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        payment = pay_order(placed_order, card(number), KEY)

    assert payment.status == Payment.Status.DECLINED
    assert payment.failure_code == code and payment.failure_message
    order = Order.objects.get(pk=placed_order.pk)
    assert order.status == Order.Status.PENDING_PAYMENT and order.is_payable
    assert latest_payment(order) == payment
    assert [m.to for m in mailoutbox] == [["charlie@example.com"]]
    assert "declined" in mailoutbox[0].subject
    # A new attempt (new key) with a good card succeeds.
    assert pay_order(order, card(APPROVE), "payment-attempt-0002").status == Payment.Status.APPROVED


def test_only_brand_and_last_four_are_stored(placed_order):
    payment = pay_order(placed_order, card(APPROVE), KEY)
    stored = " ".join(str(v) for v in Payment.objects.filter(pk=payment.pk).values().get().values())
    assert "4242424242424242" not in stored and "123" not in stored.split()
    assert "4242424242424242" not in repr(card(APPROVE))


@pytest.mark.parametrize(
    ("details", "card_code"),
    [
        ({"number": "4242 4242 4242 4241"}, "invalid_number"),
        ({"number": "1234"}, "invalid_number"),
        ({"exp_year": 2001}, "expired_card"),
        ({"exp_month": 0}, "invalid_expiry"),
        ({"cvc": "1"}, "invalid_cvc"),
    ],
)
def test_invalid_card_is_refused_before_any_charge(placed_order, counting_gateway, details, card_code):
    with pytest.raises(PaymentError) as info:
        pay_order(placed_order, card(**details), KEY)
    assert (info.value.code, info.value.card_code) == ("invalid_card", card_code)
    assert not Payment.objects.exists()
    assert counting_gateway.charge_calls == 0


def test_replaying_a_payment_charges_once(placed_order, counting_gateway):
    first = pay_order(placed_order, card(APPROVE), KEY)
    again = pay_order(placed_order, card(APPROVE), KEY)
    assert again.pk == first.pk and again.status == Payment.Status.APPROVED
    assert counting_gateway.charge_calls == 1
    assert Payment.objects.count() == 1


def test_replaying_a_declined_payment_does_not_charge_again(placed_order, counting_gateway):
    first = pay_order(placed_order, card(DECLINE), KEY)
    assert pay_order(placed_order, card(APPROVE), KEY).pk == first.pk
    assert counting_gateway.charge_calls == 1
    assert Order.objects.get(pk=placed_order.pk).status == Order.Status.PENDING_PAYMENT


def test_a_key_cannot_pay_another_order(placed_order, make_order):
    pay_order(placed_order, card(DECLINE), KEY)
    other = make_order()
    with pytest.raises(PaymentError) as info:
        pay_order(other, card(APPROVE), KEY)
    assert info.value.code == "key_reused"


@pytest.mark.parametrize("bad_key", ["", "short", "x" * 101, None])
def test_bad_keys_are_refused(placed_order, bad_key):
    with pytest.raises(PaymentError) as info:
        pay_order(placed_order, card(APPROVE), bad_key)
    assert info.value.code == "invalid_key"


def test_paid_order_cannot_be_paid_again(placed_order, counting_gateway):
    pay_order(placed_order, card(APPROVE), KEY)
    with pytest.raises(PaymentError) as info:
        pay_order(placed_order, card(APPROVE), "payment-attempt-0002")
    assert info.value.code == "already_paid"
    assert counting_gateway.charge_calls == 1


def test_expired_or_cancelled_order_cannot_be_paid(placed_order, counting_gateway, charlie):
    Order.objects.filter(pk=placed_order.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(PaymentError) as info:
        pay_order(placed_order, card(APPROVE), KEY)
    assert info.value.code == "not_payable"
    Order.objects.filter(pk=placed_order.pk).update(status=Order.Status.EXPIRED)
    with pytest.raises(PaymentError):
        pay_order(placed_order, card(APPROVE), "payment-attempt-0002")
    Order.objects.filter(pk=placed_order.pk).update(
        status=Order.Status.CANCELLED, expires_at=timezone.now() + timedelta(hours=1)
    )
    with pytest.raises(PaymentError) as info:
        pay_order(placed_order, card(APPROVE), "payment-attempt-0003")
    assert info.value.code == "not_payable"
    assert counting_gateway.charge_calls == 0 and not Payment.objects.exists()


def test_second_attempt_while_one_is_at_the_gateway_is_refused(placed_order, counting_gateway):
    Payment.objects.create(
        order=placed_order, amount=placed_order.total, currency="USD", idempotency_key="in-flight-attempt-1"
    )
    with pytest.raises(PaymentError) as info:
        pay_order(placed_order, card(APPROVE), KEY)
    assert info.value.code == "payment_in_progress"
    # A replay of the in-flight attempt itself just reports it.
    assert pay_order(placed_order, card(APPROVE), "in-flight-attempt-1").status == Payment.Status.PENDING
    assert counting_gateway.charge_calls == 0


def test_interrupted_attempt_is_resumed_under_its_own_key(placed_order, counting_gateway, settings):
    stale = Payment.objects.create(
        order=placed_order, amount=placed_order.total, currency="USD", idempotency_key="interrupted-attempt"
    )
    Payment.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - timedelta(seconds=settings.PAYMENT_STALE_SECONDS + 1)
    )
    payment = pay_order(placed_order, card(APPROVE), "interrupted-attempt")
    assert payment.pk == stale.pk and payment.status == Payment.Status.APPROVED
    assert Order.objects.get(pk=placed_order.pk).status == Order.Status.PAID


def test_unreachable_gateway_leaves_the_attempt_pending(placed_order, settings):
    settings.PAYMENT_GATEWAY = "orders.tests.gateways.UnreachableGateway"
    with pytest.raises(PaymentError) as info:
        pay_order(placed_order, card(APPROVE), KEY)
    assert info.value.code == "gateway_error"
    assert Payment.objects.get().status == Payment.Status.PENDING
    assert Order.objects.get(pk=placed_order.pk).status == Order.Status.PENDING_PAYMENT


def test_approval_for_an_order_no_longer_payable_is_refunded(placed_order, counting_gateway):
    # The order was cancelled while the charge was at the gateway: the money goes straight back.
    payment = Payment.objects.create(
        order=placed_order, amount=placed_order.total, currency="USD", idempotency_key="late-approval-key"
    )
    result = counting_gateway().charge(payment.amount, "USD", APPROVE, 12, 2099, "123", payment.idempotency_key)
    Order.objects.filter(pk=placed_order.pk).update(status=Order.Status.CANCELLED)

    payment = record_charge(payment.pk, result)

    assert payment.status == Payment.Status.REFUNDED
    assert payment.refunded_amount == payment.amount
    assert Order.objects.get(pk=placed_order.pk).status == Order.Status.CANCELLED
    assert record_charge(payment.pk, result).status == Payment.Status.REFUNDED  # recorded once
    assert ChargeResult  # the interface a webhook would deliver
