"""Delivery: carriers and their rates. The seller's part of an order (``Shipment``) is ``orders.models``'s."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries.fields import CountryField

from core.money import ZERO, money_field


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
