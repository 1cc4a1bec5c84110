"""Conversations between a buyer and a seller, about a listing or about one shipment of an order."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.models import Listing
from orders.models import Shipment

MAX_BODY_LENGTH = 2000


class Thread(models.Model):
    """One conversation: per (listing, buyer), or per shipment (its order's buyer and the shipment's seller)."""

    class Subject(models.TextChoices):
        LISTING = "listing", _("A listing")
        SHIPMENT = "shipment", _("An order")

    subject = models.CharField(_("about"), max_length=10, choices=Subject.choices)
    # A listing may be deleted later (if it never sold): the conversation stays, with the title it was about.
    listing = models.ForeignKey(
        Listing,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="message_threads",
        verbose_name=_("listing"),
    )
    shipment = models.OneToOneField(
        Shipment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="message_thread",
        verbose_name=_("shipment"),
    )
    title = models.CharField(_("title"), max_length=255)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("buyer")
    )
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("seller")
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by")
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    last_message_at = models.DateTimeField(_("last message"))

    class Meta:
        verbose_name = _("message thread")
        verbose_name_plural = _("message threads")
        ordering = ["-last_message_at", "-id"]
        constraints = [
            # NULL listings (shipment threads, deleted listings) never collide, on SQLite and MariaDB alike.
            models.UniqueConstraint(fields=["listing", "buyer"], name="thread_one_per_listing_buyer"),
        ]
        indexes = [models.Index(fields=["started_by", "created_at"], name="thread_started_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("messaging:thread", kwargs={"pk": self.pk})

    def other_party(self, user) -> object:
        return self.seller if user.pk == self.buyer_id else self.buyer


class Participant(models.Model):
    """One side of a thread and what they have read: the inbox and the navigation read these rows only."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="participants", verbose_name=_("thread"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="message_threads", verbose_name=_("user")
    )
    unread_count = models.PositiveIntegerField(_("unread messages"), default=0)
    last_read_at = models.DateTimeField(_("last read"), null=True, blank=True)
    # Copied from the thread so the inbox is read from this table's index alone.
    last_message_at = models.DateTimeField(_("last message"))
    # When the last email about this thread was queued for this user: at most one per MESSAGING_EMAIL_MINUTES.
    notified_at = models.DateTimeField(_("last notified"), null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["-last_message_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="participant_one_per_user")]
        indexes = [models.Index(fields=["user", "-last_message_at", "-id"], name="participant_inbox_idx")]

    def __str__(self):
        return f"{self.user_id} in {self.thread_id}"


class Message(models.Model):
    """What one side wrote. Plain text: pages escape it and never turn addresses into links."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages", verbose_name=_("thread"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    body = models.TextField(_("message"), max_length=MAX_BODY_LENGTH)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.body[:60]


class Block(models.Model):
    """A seller stopped a buyer from writing to them (in every thread between them) until they unblock."""

    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("seller")
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("buyer")
    )
    created_at = models.DateTimeField(_("blocked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        constraints = [models.UniqueConstraint(fields=["seller", "buyer"], name="block_one_per_pair")]

    def __str__(self):
        return f"{self.seller_id} blocks {self.buyer_id}"
