"""Orders and their lines: what was bought, from whom, at what price, as it was then."""

from django.conf import settings
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from catalog.models import Listing
from core.money import ZERO, money_field
from core.states import check_transition
from orders.states import (
    ORDER_TRANSITIONS,
    OrderStatus,
)


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
        "orders.Shipment", on_delete=models.PROTECT, related_name="lines", verbose_name=_("shipment")
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
    # The book's language (catalog's Book.language), so the title is marked up in it (lang) wherever it shows.
    # Lines written before it was kept, or by a previous release while a new one rolls out, have "".
    language = models.CharField(_("language"), max_length=8, blank=True, default="", db_default="")
    condition = models.CharField(_("condition"), max_length=12, choices=Listing.Condition.choices)
    seller_name = models.CharField(_("seller"), max_length=120)
    unit_price = money_field(_("unit price"))
    quantity = models.PositiveIntegerField(_("quantity"))
    line_total = money_field(_("line total"))
    # The marketplace's fee on this line, fixed when the order was placed (orders.services.fees): changing a
    # rate later never changes an order already placed. Database defaults serve lines a previous release
    # writes while a new one rolls out (releases migrate first).
    fee_percent = models.DecimalField(
        _("fee (percent)"), max_digits=5, decimal_places=2, default=ZERO, db_default=ZERO
    )
    fee = money_field(_("fee"), db_default=ZERO)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="orderline_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.title}"
