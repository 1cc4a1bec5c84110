"""Shipments: one seller's part of an order (the parcel they send) and its tracking timeline.

The order side owns them; ``shipping`` only carries parcels (carriers, rates, the simulator's steps).
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import CountryField

from core.money import money_field
from orders.states import LEFT_SELLER, ShipmentStatus, check_shipment_transition
from shipping import simulator
from shipping.models import Carrier

# A parcel shipped this long ago counts as arrived for what follows a delivery (rating the seller), whatever the
# carrier said.
ASSUMED_ARRIVED_AFTER = timedelta(days=30)


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
        # Created by the shipping app and moved here without copying a row: the table keeps its name.
        db_table = "shipping_shipment"
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
    def has_arrived(self) -> bool:
        """Delivered, or shipped at least ASSUMED_ARRIVED_AFTER ago (and never cancelled)."""
        if self.status == ShipmentStatus.DELIVERED:
            return True
        return (
            self.status in LEFT_SELLER
            and self.shipped_at is not None
            and self.shipped_at <= timezone.now() - ASSUMED_ARRIVED_AFTER
        )

    @property
    def is_cancellable(self) -> bool:
        return self.status in (ShipmentStatus.AWAITING_PAYMENT, ShipmentStatus.READY_TO_SHIP)

    def parcel(self) -> simulator.Parcel:
        """This shipment as its carrier knows it (reads ``carrier`` and ``order``: join or set them first)."""
        order = self.order
        return simulator.Parcel(
            carrier_code=self.carrier.code,
            carrier_name=self.carrier.name,
            origin_city=self.origin_city,
            origin_country=self.origin_country.code if self.origin_country else "",
            destination_city=order.ship_city,
            destination_country=order.ship_country.code if order.ship_country else "",
            recipient=order.ship_full_name,
        )


class ShipmentEvent(models.Model):
    """One step of a shipment's tracking timeline, as the buyer sees it.

    What happened is stored as a ``code`` with its ``params`` (a carrier's name, the recipient's) and worded
    in the reader's language when shown: :attr:`display_description`. ``description`` holds the wording in
    the source language (for staff), the free text of an event without a code (a reason given by whoever
    cancelled), and whatever events recorded before codes existed said.
    """

    class Code(models.TextChoices):
        # Each label is the message the timeline shows, formatted with the event's ``params``.
        # The carrier's own events (shipping.simulator says which happened).
        SHIPPED = simulator.EventCode.SHIPPED, _("The seller handed the parcel to %(carrier)s.")
        AT_SORTING_CENTRE = simulator.EventCode.AT_SORTING_CENTRE, _("In transit: arrived at the sorting centre.")
        AT_INTERNATIONAL_HUB = (
            simulator.EventCode.AT_INTERNATIONAL_HUB,
            _("In transit: arrived at the international hub."),
        )
        OUT_FOR_DELIVERY = simulator.EventCode.OUT_FOR_DELIVERY, _("Out for delivery with the local courier.")
        DELIVERED = simulator.EventCode.DELIVERED, _("Delivered to %(name)s.")
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
    # Where it happened: the city or hub name as text (a proper noun) and the country as a code, named in the
    # reader's language when shown (:attr:`place`). Events recorded before the split keep the whole place in
    # ``location`` when their country could not be recognised.
    location = models.CharField(_("location"), max_length=120, blank=True)
    # A Python default as well as the database one: django-countries would store the db_default marker itself.
    country = CountryField(_("country"), blank=True, default="", db_default="")
    happened_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("shipment event")
        verbose_name_plural = _("shipment events")
        db_table = "shipping_shipmentevent"
        ordering = ["happened_at", "id"]

    def __str__(self):
        return f"{self.get_status_display()} at {self.happened_at:%Y-%m-%d %H:%M}"

    @property
    def place(self) -> str:
        """Where it happened, "City, Country" with the country named in the active language."""
        country = str(countries.name(self.country.code)) if self.country else ""
        return ", ".join(part for part in (self.location, country) if part)

    @property
    def display_description(self) -> str:
        """What happened, in the active language; the stored ``description`` for an event without a code."""
        if self.code in self.Code.values:
            try:
                return str(self.Code(self.code).label) % (self.params or {})
            except (KeyError, TypeError, ValueError):
                pass  # parameters missing for this message: what was stored is the best there is
        return self.description
