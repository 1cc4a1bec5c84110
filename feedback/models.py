"""A buyer's rating of a seller for one shipment, the seller's public answer, and staff's hiding of it.

Rules live in ``feedback.services``: it is the only path that creates or changes feedback, and it keeps the
shop's summary (``accounts.ShopStats``) in step in the same transaction.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Shop
from orders.models import Shipment

MIN_STARS, MAX_STARS = 1, 5
# 4 and 5 stars count as positive in the shop's 12-month share.
POSITIVE_STARS = 4
COMMENT_MAX_LENGTH = 1000
ANSWER_MAX_LENGTH = 1000


class Feedback(models.Model):
    """One rating per shipment, by the buyer of its order, of the seller who sent it."""

    shipment = models.OneToOneField(
        Shipment, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("shipment")
    )
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("shop"))
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_given", verbose_name=_("buyer")
    )
    stars = models.PositiveSmallIntegerField(
        _("stars"), validators=[MinValueValidator(MIN_STARS), MaxValueValidator(MAX_STARS)]
    )
    comment = models.TextField(_("buyer's comment"), max_length=COMMENT_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    answer = models.TextField(_("seller's answer"), max_length=ANSWER_MAX_LENGTH, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    is_hidden = models.BooleanField(_("hidden by staff"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=255, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["shop", "is_hidden", "-created_at"], name="feedback_shop_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stars__gte=MIN_STARS, stars__lte=MAX_STARS), name="feedback_stars_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.stars}★ · {self.shop_id} · {self.shipment_id}"

    @property
    def is_positive(self) -> bool:
        return self.stars >= POSITIVE_STARS
