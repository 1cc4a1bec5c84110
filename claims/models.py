"""Claims: a buyer's problem with one shipment (not received, not as described), its photos and its timeline.

Rules live in ``claims.services``; these models hold data and the one method that changes a claim's status
(see ``claims.states``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.eligibility import eligible_kinds
from claims.states import UNRESOLVED, ClaimAction, ClaimKind, ClaimStatus, step_target
from core.money import money_field

MESSAGE_MAX_LENGTH = 2000


class ClaimManager(models.Manager):
    """Also reached through a shipment (``shipment.claims``), where templates of the order pages ask it about that
    shipment. Both questions read ``all()``, so a page that prefetches ``shipments__claims`` pays no query."""

    def in_progress(self) -> Claim | None:
        """The shipment's claim still waiting for someone, or None."""
        return next((claim for claim in self.all() if claim.status in UNRESOLVED), None)

    def buyer_may_open(self) -> bool:
        """The shipment's buyer may open a claim on it now (the dates allow one, and none is in progress)."""
        shipment = getattr(self, "instance", None)
        if shipment is None:
            return False
        return self.in_progress() is None and bool(eligible_kinds(shipment))


class Claim(models.Model):
    """A buyer's claim on one shipment, answered by its seller, decided by staff when escalated."""

    Kind = ClaimKind
    Status = ClaimStatus

    shipment = models.ForeignKey(
        "orders.Shipment", on_delete=models.PROTECT, related_name="claims", verbose_name=_("shipment")
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claims", verbose_name=_("buyer")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ClaimKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.OPEN)
    message = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH)
    seller_deadline = models.DateTimeField(_("seller must answer by"))
    offer_amount = money_field(_("partial refund offered"), null=True, blank=True, default=None)
    return_address = models.TextField(_("return address"), blank=True)
    refund = models.OneToOneField(
        "orders.Refund",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claim",
        verbose_name=_("refund"),
    )
    resolution = models.CharField(_("reason for closing"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    objects = ClaimManager()

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "seller_deadline"], name="claim_deadline_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(offer_amount__isnull=True) | models.Q(offer_amount__gt=0),
                name="claim_offer_positive",
            ),
        ]

    def __str__(self):
        return f"Claim {self.pk} on shipment {self.shipment_id} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("claims:detail", kwargs={"pk": self.pk})

    def take_step(self, action: str) -> None:
        """Set ``status`` (not saved) to where step ``action`` leads; raise IllegalTransition if the claim machine
        does not allow that step from the current status."""
        self.status = step_target(action, self.status)

    @property
    def is_resolved(self) -> bool:
        return self.status not in UNRESOLVED

    @property
    def is_overdue(self) -> bool:
        """Waiting for the seller past their deadline (the periodic job escalates it)."""
        return self.status == ClaimStatus.OPEN and self.seller_deadline <= timezone.now()


class ClaimEvent(models.Model):
    """One step of a claim's timeline: who did what, when, and for how much."""

    Action = ClaimAction

    class Role(models.TextChoices):
        BUYER = "buyer", _("Buyer")
        SELLER = "seller", _("Seller")
        STAFF = "staff", _("Staff")
        SYSTEM = "system", _("BookStore")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events", verbose_name=_("claim"))
    action = models.CharField(_("what"), max_length=30, choices=ClaimAction.choices)
    role = models.CharField(_("who"), max_length=10, choices=Role.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    amount = money_field(_("amount"), null=True, blank=True, default=None)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("claim event")
        verbose_name_plural = _("claim events")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.action} ({self.role}) at {self.created_at:%Y-%m-%d %H:%M}"


def claim_photo_upload_to(instance, filename):
    # Names are generated by catalog.images; this only chooses the folder.
    return f"claims/{filename}"


class ClaimPhoto(models.Model):
    """A photo the buyer sent with the claim, re-encoded on upload as listing photos are."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="photos", verbose_name=_("claim"))
    image = models.ImageField(_("image"), upload_to=claim_photo_upload_to, max_length=255)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=claim_photo_upload_to, max_length=255)
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("claim photo")
        verbose_name_plural = _("claim photos")
        ordering = ["id"]

    def __str__(self):
        return f"Photo of claim {self.claim_id}"
