"""The simulated gateway: card checks, test-card outcomes, idempotent charges and refunds."""

import datetime
from decimal import Decimal

import pytest

from orders.gateway import SimulatedGateway, card_brand, card_problem, get_gateway, luhn_valid
from orders.models import GatewayTransaction

TODAY = datetime.date(2030, 6, 15)


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("4242424242424242", True),
        ("4000000000000002", True),
        ("4000000000009995", True),
        ("378282246310005", True),
        ("4242424242424241", False),
        ("1234", False),
        ("42424242424242a2", False),
        ("", False),
    ],
)
def test_luhn(number, valid):
    assert luhn_valid(number) is valid


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("4242424242424242", "visa"),
        ("5555555555554444", "mastercard"),
        ("2223003122003222", "mastercard"),
        ("378282246310005", "amex"),
        ("6011111111111117", "discover"),
        ("3566002020360505", "jcb"),
        ("9999999999999995", "unknown"),
    ],
)
def test_brand(number, brand):
    assert card_brand(number) == brand


@pytest.mark.parametrize(
    ("number", "month", "year", "cvc", "problem"),
    [
        ("4242 4242 4242 4242", 6, 2030, "123", None),
        ("4242-4242-4242-4242", 12, 31, "123", None),
        ("4242 4242 4242 4241", 12, 2031, "123", "invalid_number"),
        ("4242424242424242", 5, 2030, "123", "expired_card"),
        ("4242424242424242", 13, 2031, "123", "invalid_expiry"),
        ("4242424242424242", "x", 2031, "123", "invalid_expiry"),
        ("4242424242424242", 12, 2031, "12", "invalid_cvc"),
        ("378282246310005", 12, 2031, "123", "invalid_cvc"),
        ("378282246310005", 12, 2031, "1234", None),
    ],
)
def test_card_problem(number, month, year, cvc, problem):
    assert card_problem(number, month, year, cvc, today=TODAY) == problem


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number", "approved", "code"),
    [
        ("4242424242424242", True, ""),
        ("5555555555554444", True, ""),
        ("4000000000000002", False, "card_declined"),
        ("4000000000009995", False, "insufficient_funds"),
        ("4111111111111111", False, "unknown_test_card"),
        ("4242424242424241", False, "invalid_number"),
    ],
)
def test_charge_outcomes(number, approved, code):
    result = SimulatedGateway().charge(Decimal("10.00"), "USD", number, 12, 2099, "123", f"key-{number[::-1]}x")
    assert (result.approved, result.failure_code) == (approved, code)
    if code != "invalid_number":
        assert result.card_last4 == number[-4:]
    stored = GatewayTransaction.objects.get(idempotency_key=f"key-{number[::-1]}x")
    assert stored.succeeded is approved
    assert number not in str(stored.__dict__)


@pytest.mark.django_db
def test_replayed_key_returns_the_first_result_and_charges_once():
    gateway = SimulatedGateway()
    first = gateway.charge(Decimal("10.00"), "USD", "4242424242424242", 12, 2099, "123", "same-key")
    # The replay even carries a declining card: the provider answers with what it did the first time.
    again = gateway.charge(Decimal("10.00"), "USD", "4000000000000002", 12, 2099, "123", "same-key")
    assert again == first
    assert GatewayTransaction.objects.count() == 1


@pytest.mark.django_db
def test_refunds_are_idempotent_and_bounded(settings):
    gateway = get_gateway()
    charge = gateway.charge(Decimal("30.00"), "USD", "4242424242424242", 12, 2099, "123", "charge-key")
    assert gateway.refund(charge.reference, Decimal("10.00"), "refund-1").succeeded
    assert gateway.refund(charge.reference, Decimal("10.00"), "refund-1").succeeded  # replay: no second refund
    assert GatewayTransaction.objects.get(reference=charge.reference).refunded_amount == Decimal("10.00")
    too_much = gateway.refund(charge.reference, Decimal("25.00"), "refund-2")
    assert (too_much.succeeded, too_much.failure_code) == (False, "amount_too_large")
    unknown = gateway.refund("sim_ch_nope", Decimal("1.00"), "refund-3")
    assert unknown.failure_code == "charge_not_found"
    assert gateway.refund(charge.reference, Decimal("20.00"), "refund-4").succeeded
