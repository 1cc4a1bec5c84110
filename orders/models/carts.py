"""Carts: a buyer's (or an anonymous visitor's) copies waiting for checkout."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Listing

# Copies of one listing a buyer may put in one cart line.
MAX_LINE_QUANTITY = 99


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
