"""Delivery: carriers and their rates. The seller's part of an order (``Shipment``) is ``orders.models``'s."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries.fields import CountryField

from accounts.models import Shop
from core.money import ZERO, money_field
from shipping.zones import Zone

# A seller's handling time: business days between payment and handing the parcel to the carrier.
DEFAULT_HANDLING_DAYS = 1
MAX_HANDLING_DAYS = 10
# What a tracking number looks like when its carrier has no pattern of its own.
GENERIC_TRACKING_PATTERN = r"[A-Z0-9]{6,32}"


def validate_pattern(value: str) -> None:
    try:
        re.compile(value)
    except re.error as error:
        raise ValidationError(
            _("This is not a valid regular expression: %(error)s"), params={"error": error}
        ) from None


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
    # What the carrier's own tracking numbers look like (a regular expression the whole number must match,
    # upper case, spaces removed). Blank: letters and digits, 6 to 32 of them.
    tracking_pattern = models.CharField(
        _("tracking number format"),
        max_length=200,
        blank=True,
        default="",
        validators=[validate_pattern],
        help_text=_("A regular expression the whole tracking number must match. Blank: 6 to 32 letters or digits."),
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

    def tracking_number_matches(self, number: str) -> bool:
        """Whether ``number`` (upper case, without spaces) has the form of this carrier's tracking numbers."""
        pattern = self.tracking_pattern or GENERIC_TRACKING_PATTERN
        try:
            return re.fullmatch(pattern, number) is not None
        except re.error:
            return re.fullmatch(GENERIC_TRACKING_PATTERN, number) is not None

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


class ShopShipping(models.Model):
    """A seller's own shipping settings: the carriers they use, their handling time and their own prices.

    A shop without settings ships with every carrier serving the route at the carrier's rates, after the
    default handling time.
    """

    shop = models.OneToOneField(
        Shop, on_delete=models.CASCADE, related_name="shipping_settings", verbose_name=_("shop")
    )
    handling_days = models.PositiveSmallIntegerField(
        _("handling time (business days)"),
        default=DEFAULT_HANDLING_DAYS,
        validators=[MaxValueValidator(MAX_HANDLING_DAYS)],
        help_text=_("Business days between the payment and handing the parcel to the carrier."),
    )
    carriers = models.ManyToManyField(
        Carrier, related_name="shop_settings", blank=True, verbose_name=_("carriers used")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("shop shipping settings")
        verbose_name_plural = _("shop shipping settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(handling_days__lte=MAX_HANDLING_DAYS), name="shop_shipping_handling_days_max"
            ),
        ]

    def __str__(self):
        return str(self.shop)


class ShopRate(models.Model):
    """A seller's own price with one carrier to one destination zone (replaces the carrier's rate there)."""

    settings = models.ForeignKey(
        ShopShipping, on_delete=models.CASCADE, related_name="rates", verbose_name=_("shop shipping settings")
    )
    carrier = models.ForeignKey(
        Carrier, on_delete=models.CASCADE, related_name="shop_rates", verbose_name=_("carrier")
    )
    zone = models.CharField(_("destination zone"), max_length=12, choices=Zone.choices)
    base = money_field(_("first copy"), validators=[MinValueValidator(ZERO)])
    per_extra_item = money_field(_("each extra copy"), validators=[MinValueValidator(ZERO)])

    class Meta:
        verbose_name = _("shop rate")
        verbose_name_plural = _("shop rates")
        ordering = ["settings", "carrier", "zone"]
        constraints = [
            models.UniqueConstraint(fields=["settings", "carrier", "zone"], name="shop_rate_one_per_zone"),
            models.CheckConstraint(
                condition=models.Q(base__gte=0, per_extra_item__gte=0), name="shop_rate_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.settings}: {self.carrier} ({self.get_zone_display()})"
