"""Payments, refunds and the simulated provider's ledger, with the words for every failure code."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.money import ZERO, money_field
from core.states import check_transition
from orders.models.orders import Order
from orders.states import (
    PAYMENT_TRANSITIONS,
    REFUND_TRANSITIONS,
    PaymentStatus,
    RefundStatus,
)


def untranslated(message) -> str:
    """``message`` (a lazy translation) in the source language, whatever language is active.

    For text kept in the database next to a code: the code is what pages translate; the text is for staff.
    """
    with translation.override(None):
        return str(message)


# What the buyer may be told for each failure code (a real gateway's codes map onto these). Payments, refunds
# and the gateway's ledger store the code; pages and emails word it in the reader's language.
FAILURE_MESSAGES = {
    "invalid_number": _("The card number is not valid."),
    "expired_card": _("The card has expired."),
    "invalid_expiry": _("The expiry date is not valid."),
    "invalid_cvc": _("The security code (CVC) is not valid."),
    "card_declined": _("The card was declined."),
    "insufficient_funds": _("The card has insufficient funds."),
    "unknown_test_card": _("This is not one of the test cards; the simulated gateway declined it."),
    "charge_not_found": _("The original charge was not found."),
    "amount_too_large": _("The refund is larger than what is left of the charge."),
    "gateway_error": _("The payment provider did not answer; please try again."),
}


def failure_text(code: str, stored: str) -> str:
    """Why a payment or refund failed, in the active language: the message of a known ``code``, else ``stored``.

    ``stored`` is the text recorded with the code (a real provider's own words for a code we do not know).
    """
    message = FAILURE_MESSAGES.get(code)
    return str(message) if message is not None else stored


class Payment(models.Model):
    """One attempt to pay an order. Only the card's brand and last four digits are ever stored."""

    Status = PaymentStatus

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments", verbose_name=_("order"))
    amount = money_field(_("amount"))
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    # One per attempt, from the payment form: replaying the attempt finds this row and charges nothing.
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    card_brand = models.CharField(_("card brand"), max_length=20, blank=True)
    card_last4 = models.CharField(_("card last four digits"), max_length=4, blank=True)
    gateway_reference = models.CharField(_("gateway reference"), max_length=100, blank=True)
    failure_code = models.CharField(_("failure code"), max_length=50, blank=True)
    failure_message = models.CharField(_("failure message"), max_length=255, blank=True)
    refunded_amount = money_field(_("refunded"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0, refunded_amount__gte=0), name="payment_amounts_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.order_id}: {self.amount} {self.currency} ({self.status})"

    def transition_to(self, new_status: str) -> None:
        """Set ``status`` (not saved) if the payment machine allows it; raise IllegalTransition otherwise."""
        check_transition("Payment", PAYMENT_TRANSITIONS, self.status, new_status)
        self.status = new_status

    @property
    def display_failure_message(self) -> str:
        """Why the attempt was declined, in the reader's language."""
        return failure_text(self.failure_code, self.failure_message)

    @property
    def refundable_amount(self) -> Decimal:
        if self.status not in (PaymentStatus.APPROVED, PaymentStatus.PARTIALLY_REFUNDED):
            return ZERO
        return self.amount - self.refunded_amount


class Refund(models.Model):
    """Money given back on a payment (a cancellation). Retried with the same key until the gateway agrees."""

    Status = RefundStatus

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("payment"))
    amount = money_field(_("amount"))
    status = models.CharField(_("status"), max_length=12, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    gateway_reference = models.CharField(_("gateway reference"), max_length=100, blank=True)
    failure_code = models.CharField(_("failure code"), max_length=50, blank=True)
    failure_message = models.CharField(_("failure message"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    # The sellers' parts (shipments) this refund gives money back on; the earnings ledger charges it to them.
    # None: money that was never a seller's (a payment that arrived after the order stopped awaiting it).
    shipments = models.ManyToManyField(
        "orders.Shipment", blank=True, related_name="refunds", verbose_name=_("sellers' parts")
    )

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive"),
        ]

    def __str__(self):
        return f"Refund {self.amount} on payment {self.payment_id} ({self.status})"

    def transition_to(self, new_status: str) -> None:
        """Set ``status`` (not saved) if the refund machine allows it; raise IllegalTransition otherwise."""
        check_transition("Refund", REFUND_TRANSITIONS, self.status, new_status)
        self.status = new_status

    @property
    def display_failure_message(self) -> str:
        """Why the refund failed, in the reader's language."""
        return failure_text(self.failure_code, self.failure_message)


class GatewayTransaction(models.Model):
    """The simulated payment provider's own ledger (what a real provider keeps on its side).

    Our code never reads it except through ``orders.gateway.SimulatedGateway``; its unique idempotency key is
    how the simulated provider answers a replayed request with the original result.
    """

    class Kind(models.TextChoices):
        CHARGE = "charge", _("Charge")
        REFUND = "refund", _("Refund")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    amount = money_field(_("amount"))
    currency = models.CharField(_("currency"), max_length=3)
    succeeded = models.BooleanField(_("succeeded"), default=False)
    failure_code = models.CharField(_("failure code"), max_length=50, blank=True)
    failure_message = models.CharField(_("failure message"), max_length=255, blank=True)
    card_brand = models.CharField(_("card brand"), max_length=20, blank=True)
    card_last4 = models.CharField(_("card last four digits"), max_length=4, blank=True)
    charge = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="refunds", verbose_name=_("charge")
    )
    refunded_amount = money_field(_("refunded"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("gateway transaction")
        verbose_name_plural = _("gateway transactions")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.kind} {self.reference}"

    @property
    def display_failure_message(self) -> str:
        """Why the provider refused, in the reader's language."""
        return failure_text(self.failure_code, self.failure_message)
