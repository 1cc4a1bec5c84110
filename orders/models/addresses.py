"""Shipping addresses a buyer saved for reuse."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


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
