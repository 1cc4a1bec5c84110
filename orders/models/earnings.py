"""Sellers' earnings: fee rates per category, the append-only ledger, and payouts staff send.

Rules live in ``orders.services.fees`` and ``orders.services.earnings``; these models hold data and refuse
to change what was written: a ledger entry or a payout, once saved, is never updated or deleted.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Category
from core.money import money_field


class AppendOnlyError(Exception):
    """Someone tried to change or delete a record that is only ever added to."""


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk updates and deletes are refused: rows are only ever added."""

    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are never updated.")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are never deleted.")


class AppendOnlyModel(models.Model):
    """A record written once: saving it again or deleting it raises AppendOnlyError."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} {self.pk} was already written; add a new one instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are never deleted.")


def percent_field(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        **kwargs,
    )


class FeeRate(models.Model):
    """The marketplace's fee on books of one category, instead of ``settings.MARKETPLACE_FEE_PERCENT``.

    Read when an order is placed: each line keeps the rate and the amount, so a change here never touches
    orders already placed.
    """

    category = models.OneToOneField(
        Category, on_delete=models.CASCADE, related_name="fee_rate", verbose_name=_("category")
    )
    percent = percent_field(_("fee (percent)"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("fee rate")
        verbose_name_plural = _("fee rates")
        ordering = ["category__name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__gte=0, percent__lte=100), name="feerate_percent_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.category}: {self.percent} %"


class Payout(AppendOnlyModel):
    """Money staff sent to a seller (simulated: marked as sent in the admin). Its ledger entry takes it off."""

    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payouts", verbose_name=_("seller")
    )
    amount = money_field(_("amount"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payout_amount_positive"),
        ]

    def __str__(self):
        return f"Payout {self.pk}: {self.amount} to {self.seller_id}"


class LedgerEntry(AppendOnlyModel):
    """One movement of a seller's money, signed: what they earn is positive, what they give back negative.

    Written by the services at the moment it happens, inside their transactions, and never changed: a
    seller's balances are sums of entries. An entry about a shipment (a sale, its fee, a refund of it) is
    pending until that shipment was delivered ``EARNINGS_HOLD_DAYS`` ago, then available; the shipment's
    state decides, so delivery moves money without touching an entry (``orders.services.earnings``).
    """

    class Kind(models.TextChoices):
        SALE = "sale", _("Sale")
        FEE = "fee", _("Fee")
        REFUND = "refund", _("Refund")
        PAYOUT = "payout", _("Payout")
        ADJUSTMENT = "adjustment", _("Adjustment")

    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("seller")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    description = models.CharField(_("description"), max_length=255, blank=True)
    shipment = models.ForeignKey(
        "orders.Shipment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("shipment"),
    )
    refund = models.ForeignKey(
        "orders.Refund",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("refund"),
    )
    payout = models.OneToOneField(
        Payout,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entry",
        verbose_name=_("payout"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["seller", "-created_at", "-id"], name="ledger_seller_idx")]
        constraints = [
            # A refund is entered once per shipment it gives money back on (its refund and its fee return):
            # replaying a refund, or two processes recording it at once, cannot enter it twice.
            models.UniqueConstraint(fields=["refund", "shipment", "kind"], name="ledger_refund_once"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} ({self.seller_id})"
