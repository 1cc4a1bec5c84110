"""Buying: carts, saved addresses, orders and their lines, payments and refunds.

Rules live in ``orders.services``; these models only hold data, their constraints and the one method per
state machine that changes a status (see ``orders.states``).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from catalog.models import Listing
from core.money import ZERO, money_field
from core.states import check_transition
from orders.states import (
    ORDER_TRANSITIONS,
    PAYMENT_TRANSITIONS,
    REFUND_TRANSITIONS,
    OrderStatus,
    PaymentStatus,
    RefundStatus,
)

# Copies of one listing a buyer may put in one cart line.
MAX_LINE_QUANTITY = 99


def untranslated(message) -> str:
    """``message`` (a lazy translation) in the source language, whatever language is active.

    For text kept in the database next to a code: the code is what pages translate; the text is for staff.
    """
    with translation.override(None):
        return str(message)


# --- Cart -------------------------------------------------------------------


class Cart(models.Model):
    """A buyer's cart: a signed-in user's, or an anonymous visitor's keyed by an opaque session token."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cart",
        verbose_name=_("user"),
    )
    # A random token the view keeps in the session data (not Django's session key, which login rotates).
    session_key = models.CharField(_("session token"), max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, session_key__isnull=True)
                | models.Q(user__isnull=True, session_key__isnull=False),
                name="cart_has_exactly_one_owner",
            ),
        ]

    def __str__(self):
        return f"Cart {self.pk} ({self.user or 'anonymous'})"


class CartLine(models.Model):
    """Copies of one listing in a cart, with the price the buyer saw when adding them."""

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines", verbose_name=_("cart"))
    listing = models.ForeignKey(
        Listing, on_delete=models.CASCADE, related_name="cart_lines", verbose_name=_("listing")
    )
    quantity = models.PositiveSmallIntegerField(
        _("quantity"), validators=[MinValueValidator(1), MaxValueValidator(MAX_LINE_QUANTITY)]
    )
    price_seen = models.DecimalField(_("price when added"), max_digits=12, decimal_places=2)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "listing"], name="cartline_one_per_listing"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1, quantity__lte=MAX_LINE_QUANTITY),
                name="cartline_quantity_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.quantity} x listing {self.listing_id}"


# --- Addresses --------------------------------------------------------------


class Address(models.Model):
    """A shipping address the buyer saved for reuse. Orders copy it; editing it never changes an order."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses", verbose_name=_("user")
    )
    full_name = models.CharField(_("full name"), max_length=120)
    line1 = models.CharField(_("address line 1"), max_length=200)
    line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    region = models.CharField(_("state / region"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = CountryField(_("country"))
    phone = models.CharField(_("phone"), max_length=32)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.full_name}, {self.line1}, {self.city}, {self.country.code}"

    def snapshot(self) -> dict:
        """The Order fields (``ship_*``) that copy this address."""
        return {
            "ship_full_name": self.full_name,
            "ship_line1": self.line1,
            "ship_line2": self.line2,
            "ship_city": self.city,
            "ship_region": self.region,
            "ship_postal_code": self.postal_code,
            "ship_country": self.country.code,
            "ship_phone": self.phone,
        }


# --- Orders -----------------------------------------------------------------


class Order(models.Model):
    """What a buyer bought in one checkout: lines from one or more sellers, one shipment per seller.

    ``items_total``, ``shipping_total`` and ``total`` cover the parts that are not cancelled: cancelling a
    seller's part lowers them, and once paid, ``total`` equals what was charged minus what was refunded.
    """

    Status = OrderStatus

    number = models.CharField(_("order number"), max_length=16, unique=True)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders", verbose_name=_("buyer")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT
    )
    # The language the buyer was browsing in when placing the order: the buyer's emails are written in it.
    # The database default also serves orders a previous release places while a new one rolls out (releases
    # migrate first); the migration writes the setting's value, whatever it is where it runs.
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        db_default=settings.LANGUAGE_CODE,
    )
    ship_full_name = models.CharField(_("recipient"), max_length=120)
    ship_line1 = models.CharField(_("address line 1"), max_length=200)
    ship_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    ship_city = models.CharField(_("city"), max_length=100)
    ship_region = models.CharField(_("state / region"), max_length=100, blank=True)
    ship_postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    ship_country = CountryField(_("country"))
    ship_phone = models.CharField(_("phone"), max_length=32)
    currency = models.CharField(_("currency"), max_length=3)
    items_total = money_field(_("items"))
    shipping_total = money_field(_("shipping"))
    total = money_field(_("total"))
    # The one-time token of the checkout form: a double submit finds the order it already created.
    checkout_token = models.CharField(_("checkout token"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("placed"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    expires_at = models.DateTimeField(_("pay before"))
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="order_expiry_idx"),
            models.Index(fields=["buyer", "-created_at"], name="order_buyer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(items_total__gte=0, shipping_total__gte=0, total__gte=0),
                name="order_totals_not_negative",
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self) -> str:
        try:
            return reverse("orders:order_detail", kwargs={"number": self.number})
        except NoReverseMatch:  # the order pages are wired up by the web layer
            return ""

    def transition_to(self, new_status: str) -> None:
        """Set ``status`` (not saved) if the order machine allows it; raise IllegalTransition otherwise."""
        check_transition("Order", ORDER_TRANSITIONS, self.status, new_status)
        self.status = new_status

    @property
    def is_payable(self) -> bool:
        """Awaiting payment and not yet past its deadline (the expiry command may not have run yet)."""
        return self.status == OrderStatus.PENDING_PAYMENT and self.expires_at > timezone.now()

    @property
    def shipping_address_lines(self) -> list[str]:
        """The shipping address as printable lines (for pages and emails)."""
        city_line = " ".join(p for p in [self.ship_postal_code, self.ship_city] if p)
        if self.ship_region:
            city_line = f"{city_line}, {self.ship_region}"
        lines = [self.ship_full_name, self.ship_line1, self.ship_line2, city_line, str(self.ship_country.name)]
        return [line for line in lines if line]


class OrderLine(models.Model):
    """A snapshot of what was sold: the listing may change or disappear later, the line never does."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order"))
    shipment = models.ForeignKey(
        "shipping.Shipment", on_delete=models.PROTECT, related_name="lines", verbose_name=_("shipment")
    )
    listing = models.ForeignKey(
        Listing,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="order_lines",
        verbose_name=_("listing"),
    )
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("seller")
    )
    title = models.CharField(_("title"), max_length=255)
    authors = models.CharField(_("authors"), max_length=255, blank=True)
    isbn13 = models.CharField(_("ISBN-13"), max_length=13, blank=True)
    condition = models.CharField(_("condition"), max_length=12, choices=Listing.Condition.choices)
    seller_name = models.CharField(_("seller"), max_length=120)
    unit_price = money_field(_("unit price"))
    quantity = models.PositiveIntegerField(_("quantity"))
    line_total = money_field(_("line total"))

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="orderline_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.title}"


# --- Payments ---------------------------------------------------------------

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
