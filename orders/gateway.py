"""The payment gateway: a small interface, and a simulated provider behind it.

``get_gateway()`` returns the class named by ``settings.PAYMENT_GATEWAY``; a real provider replaces the
simulated one by implementing :class:`PaymentGateway`. Services call the gateway with no database transaction
or row lock open, and always with an idempotency key: a provider answers a replayed key with the original
result and never charges twice.

Test cards of the simulated gateway (any future expiry date, any 3-digit CVC, 4 digits for American Express):

=====================  ===================================================
4242 4242 4242 4242    approved (Visa)
5555 5555 5555 4444    approved (Mastercard)
3782 822463 10005      approved (American Express)
4000 0000 0000 0002    declined: ``card_declined``
4000 0000 0000 9995    declined: ``insufficient_funds``
=====================  ===================================================

Any other number that passes the Luhn check is declined as ``unknown_test_card``, so that every outcome is
explicit and a real card typed by mistake is never "charged". A number failing the Luhn check is refused
before any charge (``invalid_number``), as are a past expiry date (``expired_card``) and a malformed CVC
(``invalid_cvc``).
"""

from __future__ import annotations

import abc
import datetime
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

# What the buyer may be told for each failure code lives with the models that store the codes (they word them
# in the reader's language); the ledger keeps the untranslated text next to the code, for staff.
from core.numbers import is_ascii_number
from orders.models import FAILURE_MESSAGES, GatewayTransaction, untranslated

APPROVING_CARDS = {"4242424242424242", "5555555555554444", "378282246310005"}
DECLINING_CARDS = {
    "4000000000000002": ("card_declined", FAILURE_MESSAGES["card_declined"]),
    "4000000000009995": ("insufficient_funds", FAILURE_MESSAGES["insufficient_funds"]),
}
UNKNOWN_CARD = ("unknown_test_card", FAILURE_MESSAGES["unknown_test_card"])

# For the payment page: the test cards and what each does (numbers as people type them).
TEST_CARDS = [
    ("4242 4242 4242 4242", _("Visa: approved")),
    ("5555 5555 5555 4444", _("Mastercard: approved")),
    ("3782 822463 10005", _("American Express: approved (4-digit CVC)")),
    ("4000 0000 0000 0002", _("Declined: card declined")),
    ("4000 0000 0000 9995", _("Declined: insufficient funds")),
]

# --- Card checks (shared with the payment form) -----------------------------


def normalize_card_number(number: str) -> str:
    """Digits only: people type spaces and dashes."""
    return "".join(ch for ch in str(number) if not ch.isspace() and ch != "-")


def luhn_valid(number: str) -> bool:
    """True when ``number`` is 12 to 19 digits and passes the Luhn checksum."""
    if not is_ascii_number(number) or not 12 <= len(number) <= 19:
        return False
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def card_brand(number: str) -> str:
    """The card network, from the number's prefix ("visa", "mastercard", "amex", ... or "unknown")."""
    if number.startswith("4"):
        return "visa"
    if number[:2] in {"34", "37"}:
        return "amex"
    if number[:2] in {"51", "52", "53", "54", "55"} or (len(number) >= 4 and 2221 <= int(number[:4]) <= 2720):
        return "mastercard"
    if number.startswith(("6011", "65")) or number[:3] in {"644", "645", "646", "647", "648", "649"}:
        return "discover"
    if number[:2] in {"36", "38", "39"} or number[:3] in {"300", "301", "302", "303", "304", "305"}:
        return "diners"
    if len(number) >= 4 and 3528 <= int(number[:4]) <= 3589:
        return "jcb"
    return "unknown"


def card_problem(
    card_number: str, exp_month: int, exp_year: int, cvc: str, today: datetime.date | None = None
) -> str | None:
    """The failure code for card data that cannot be charged at all, or None when it looks chargeable.

    Checks the Luhn sum, that the expiry month is a real month not in the past (a card is valid through the
    last day of its expiry month), and that the CVC has 3 digits (4 for American Express).
    """
    number = normalize_card_number(card_number)
    if not luhn_valid(number):
        return "invalid_number"
    try:
        month, year = int(exp_month), int(exp_year)
    except (TypeError, ValueError):
        return "invalid_expiry"
    if year < 100:
        year += 2000
    if not 1 <= month <= 12 or year > 2100:
        return "invalid_expiry"
    today = today or timezone.localdate()
    if (year, month) < (today.year, today.month):
        return "expired_card"
    cvc = str(cvc).strip()
    if not is_ascii_number(cvc) or len(cvc) != (4 if card_brand(number) == "amex" else 3):
        return "invalid_cvc"
    return None


# --- The interface ----------------------------------------------------------


@dataclass(frozen=True)
class ChargeResult:
    """A gateway's answer to a charge. ``reference`` identifies the charge for refunds (blank if none)."""

    approved: bool
    reference: str = ""
    card_brand: str = ""
    card_last4: str = ""
    failure_code: str = ""
    failure_message: str = ""


@dataclass(frozen=True)
class RefundResult:
    """A gateway's answer to a refund."""

    succeeded: bool
    reference: str = ""
    failure_code: str = ""
    failure_message: str = ""


class PaymentGateway(abc.ABC):
    """What BookStore needs from a payment provider.

    Implementations must be idempotent on ``idempotency_key``: a second call with a key already seen returns
    the first call's result and moves no money. They must not raise for a declined card (return a result
    with ``approved=False``); raising means the provider could not be reached, and the caller retries later
    with the same key.
    """

    @abc.abstractmethod
    def charge(
        self,
        amount: Decimal,
        currency: str,
        card_number: str,
        exp_month: int,
        exp_year: int,
        cvc: str,
        idempotency_key: str,
    ) -> ChargeResult: ...

    @abc.abstractmethod
    def refund(self, reference: str, amount: Decimal, idempotency_key: str) -> RefundResult:
        """Give back ``amount`` of the charge ``reference``: all of it or a part (a partial refund).

        Several refunds may be made on one charge, each under its own key, as long as together they stay
        within the charge; one that would pass it fails with ``amount_too_large``.
        """


def get_gateway() -> PaymentGateway:
    """An instance of the gateway class named by ``settings.PAYMENT_GATEWAY``."""
    return import_string(settings.PAYMENT_GATEWAY)()


# --- The simulated provider -------------------------------------------------


class SimulatedGateway(PaymentGateway):
    """A stand-in provider: test card numbers decide the outcome (see the module docstring).

    It keeps its own ledger (``orders.GatewayTransaction``), whose unique idempotency key makes replays,
    also concurrent ones, return the recorded result.
    """

    def charge(self, amount, currency, card_number, exp_month, exp_year, cvc, idempotency_key):
        replay = self._replay(idempotency_key)
        if replay is not None:
            return self._charge_result(replay)
        number = normalize_card_number(card_number)
        problem = card_problem(number, exp_month, exp_year, cvc)
        if problem:
            code, message = problem, FAILURE_MESSAGES[problem]
        elif number in APPROVING_CARDS:
            code, message = "", ""
        else:
            code, message = DECLINING_CARDS.get(number, UNKNOWN_CARD)
        record = GatewayTransaction(
            kind=GatewayTransaction.Kind.CHARGE,
            idempotency_key=idempotency_key,
            reference=self._new_reference("ch"),
            amount=amount,
            currency=currency,
            succeeded=not code,
            failure_code=code,
            failure_message=untranslated(message),
            card_brand=card_brand(number) if luhn_valid(number) else "",
            card_last4=number[-4:] if luhn_valid(number) else "",
        )
        return self._charge_result(self._store(record))

    def refund(self, reference, amount, idempotency_key):
        replay = self._replay(idempotency_key)
        if replay is not None:
            return self._refund_result(replay)
        with transaction.atomic():
            charge = (
                GatewayTransaction.objects.select_for_update()
                .filter(kind=GatewayTransaction.Kind.CHARGE, reference=reference, succeeded=True)
                .first()
            )
            code = ""
            if charge is None:
                code = "charge_not_found"
            elif amount <= 0 or charge.refunded_amount + amount > charge.amount:
                code = "amount_too_large"
            record = GatewayTransaction(
                kind=GatewayTransaction.Kind.REFUND,
                idempotency_key=idempotency_key,
                reference=self._new_reference("re"),
                amount=amount,
                currency=charge.currency if charge else "",
                succeeded=not code,
                failure_code=code,
                failure_message=untranslated(FAILURE_MESSAGES[code]) if code else "",
                charge=charge,
            )
            try:
                with transaction.atomic():
                    record.save()
            except IntegrityError:
                return self._refund_result(GatewayTransaction.objects.get(idempotency_key=idempotency_key))
            if record.succeeded:
                charge.refunded_amount += amount
                charge.save(update_fields=["refunded_amount"])
        return self._refund_result(record)

    # -- helpers

    @staticmethod
    def _new_reference(prefix: str) -> str:
        return f"sim_{prefix}_{secrets.token_hex(12)}"

    @staticmethod
    def _replay(idempotency_key: str):
        return GatewayTransaction.objects.filter(idempotency_key=idempotency_key).first()

    @staticmethod
    def _store(record):
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError:  # a concurrent request with the same key got there first
            return GatewayTransaction.objects.get(idempotency_key=record.idempotency_key)
        return record

    @staticmethod
    def _charge_result(record) -> ChargeResult:
        return ChargeResult(
            approved=record.succeeded,
            reference=record.reference,
            card_brand=record.card_brand,
            card_last4=record.card_last4,
            failure_code=record.failure_code,
            failure_message=record.failure_message,
        )

    @staticmethod
    def _refund_result(record) -> RefundResult:
        return RefundResult(
            succeeded=record.succeeded,
            reference=record.reference,
            failure_code=record.failure_code,
            failure_message=record.failure_message,
        )
