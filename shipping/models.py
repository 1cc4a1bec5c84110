"""Delivery: carriers and their rates, one shipment per seller per order, and its tracking timeline."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries.fields import CountryField

from core.money import ZERO, money_field
from shipping.states import LEFT_SELLER, ShipmentStatus, check_shipment_transition


class Carrier(models.Model):
    """A delivery company. Which routes it serves and at what price is in its rates."""

    class Scope(models.TextChoices):
        NATIONAL = "national", _("National (within one country)")
        INTERNATIONAL = "international", _("International (between countries)")

    name = models.CharField(_("name"), max_length=80)
    # Also the prefix of the tracking numbers it issues.
    code = models.CharField(_("code"), max_length=12, unique=True)
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices)
    active = models.BooleanField(_("active"), default=True)
    # Business days from handing the parcel over to delivery, as numbers so that every language words them.
    min_days = models.PositiveSmallIntegerField(
        _("fastest delivery (business days)"), null=True, blank=True, validators=[MaxValueValidator(90)]
    )
    max_days = models.PositiveSmallIntegerField(
        _("slowest delivery (business days)"), null=True, blank=True, validators=[MaxValueValidator(90)]
    )

    class Meta:
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_days__isnull=True)
                | models.Q(max_days__isnull=True)
                | models.Q(min_days__lte=models.F("max_days")),
                name="carrier_min_days_not_above_max",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.min_days is not None and self.max_days is not None and self.min_days > self.max_days:
            raise ValidationError(
                {"max_days": _("The slowest delivery cannot be faster than the fastest one.")}, code="days_order"
            )

    @property
    def delivery_time(self) -> str:
        """The typical delivery time in the active language (a range of business days), or "" when unknown."""
        low, high = self.min_days, self.max_days
        if low is None and high is None:
            return ""
        if low is None or high is None or low == high:
            days = high if low is None else low
            return ngettext("%(count)d business day", "%(count)d business days", days) % {"count": days}
        # An en dash between the numbers, as typography wants for ranges.
        span = ngettext("%(min)d–%(max)d business day", "%(min)d–%(max)d business days", high)  # noqa: RUF001
        return span % {
            "min": low,
            "max": high,
        }

    def serves_scope(self, origin_country: str, destination_country: str) -> bool:
        domestic = origin_country == destination_country
        return domestic if self.scope == self.Scope.NATIONAL else not domestic


class Rate(models.Model):
    """What a carrier charges on a route: base price for the first copy plus a price per extra copy.

    A blank country means "any". When several rates match a route, the most specific one applies.
    """

    carrier = models.ForeignKey(Carrier, on_delete=models.CASCADE, related_name="rates", verbose_name=_("carrier"))
    origin_country = CountryField(_("from"), blank=True, help_text=_("Blank means any country."))
    destination_country = CountryField(_("to"), blank=True, help_text=_("Blank means any country."))
    base = money_field(_("first copy"), validators=[MinValueValidator(ZERO)])
    per_extra_item = money_field(_("each extra copy"), validators=[MinValueValidator(ZERO)])

    class Meta:
        verbose_name = _("rate")
        verbose_name_plural = _("rates")
        ordering = ["carrier", "origin_country", "destination_country"]
        constraints = [
            models.UniqueConstraint(
                fields=["carrier", "origin_country", "destination_country"], name="rate_one_per_route"
            ),
            models.CheckConstraint(condition=models.Q(base__gte=0, per_extra_item__gte=0), name="rate_not_negative"),
        ]

    def __str__(self):
        return f"{self.carrier}: {self.origin_country or '*'} → {self.destination_country or '*'}"

    def matches(self, origin_country: str, destination_country: str) -> bool:
        return (not self.origin_country or self.origin_country == origin_country) and (
            not self.destination_country or self.destination_country == destination_country
        )

    @property
    def specificity(self) -> int:
        return (2 if self.origin_country else 0) + (1 if self.destination_country else 0)


class Shipment(models.Model):
    """One seller's part of an order: the copies they send, with the carrier the buyer chose."""

    Status = ShipmentStatus

    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="shipments", verbose_name=_("order")
    )
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shipments", verbose_name=_("seller")
    )
    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, related_name="shipments", verbose_name=_("carrier"))
    shipping_cost = money_field(_("shipping cost"))
    item_count = models.PositiveIntegerField(_("copies"), default=1)
    # The seller's shop at the time of the sale, for the buyer's pages.
    origin_city = models.CharField(_("ships from (city)"), max_length=80, blank=True)
    origin_country = CountryField(_("ships from (country)"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.AWAITING_PAYMENT
    )
    tracking_number = models.CharField(_("tracking number"), max_length=32, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # When the status last changed: the carrier simulator waits a while after it before the next step.
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["status", "status_changed_at"], name="shipment_progress_idx"),
            models.Index(fields=["seller", "-created_at"], name="shipment_seller_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["order", "seller"], name="shipment_one_per_seller"),
            models.CheckConstraint(condition=models.Q(shipping_cost__gte=0), name="shipment_cost_not_negative"),
        ]

    def __str__(self):
        return f"{self.order_id}/{self.seller_id} ({self.status})"

    def transition_to(self, new_status: str) -> None:
        """Set ``status`` (not saved) if the shipment machine allows it; raise IllegalTransition otherwise."""
        check_shipment_transition(self.status, new_status)
        self.status = new_status

    @property
    def is_cancelled(self) -> bool:
        return self.status == ShipmentStatus.CANCELLED

    @property
    def has_left_seller(self) -> bool:
        return self.status in LEFT_SELLER

    @property
    def is_cancellable(self) -> bool:
        return self.status in (ShipmentStatus.AWAITING_PAYMENT, ShipmentStatus.READY_TO_SHIP)


class ShipmentEvent(models.Model):
    """One step of a shipment's tracking timeline, as the buyer sees it.

    What happened is stored as a ``code`` with its ``params`` (a carrier's name, the recipient's) and worded
    in the reader's language when shown: :attr:`display_description`. ``description`` holds the wording in
    the source language (for staff), the free text of an event without a code (a reason given by whoever
    cancelled), and whatever events recorded before codes existed said.
    """

    class Code(models.TextChoices):
        # Each label is the message the timeline shows, formatted with the event's ``params``.
        SHIPPED = "shipped", _("The seller handed the parcel to %(carrier)s.")
        AT_SORTING_CENTRE = "at_sorting_centre", _("In transit: arrived at the sorting centre.")
        AT_INTERNATIONAL_HUB = "at_international_hub", _("In transit: arrived at the international hub.")
        OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery with the local courier.")
        DELIVERED = "delivered", _("Delivered to %(name)s.")
        SHIPMENT_CANCELLED = "shipment_cancelled", _("The shipment was cancelled.")
        ORDER_CANCELLED = "order_cancelled", _("The order was cancelled.")
        CANCELLED_BY_STAFF = "cancelled_by_staff", _("Cancelled by our staff.")
        NOT_PAID_IN_TIME = "not_paid_in_time", _("The order was not paid in time.")

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events", verbose_name=_("shipment"))
    status = models.CharField(_("status"), max_length=20, choices=ShipmentStatus.choices)
    # Database defaults (and a nullable ``params``): a release migrates before its web tasks replace the
    # previous ones, which keep recording events without knowing these columns.
    code = models.CharField(_("code"), max_length=30, choices=Code.choices, blank=True, default="", db_default="")
    params = models.JSONField(_("details"), default=dict, blank=True, null=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    location = models.CharField(_("location"), max_length=120, blank=True)
    happened_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("shipment event")
        verbose_name_plural = _("shipment events")
        ordering = ["happened_at", "id"]

    def __str__(self):
        return f"{self.get_status_display()} at {self.happened_at:%Y-%m-%d %H:%M}"

    @property
    def display_description(self) -> str:
        """What happened, in the active language; the stored ``description`` for an event without a code."""
        if self.code in self.Code.values:
            try:
                return str(self.Code(self.code).label) % (self.params or {})
            except (KeyError, TypeError, ValueError):
                pass  # parameters missing for this message: what was stored is the best there is
        return self.description
