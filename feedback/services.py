"""Feedback's rules: who may rate which shipment, for how long it can change, the seller's answer, staff hiding.

The only path that creates or changes feedback. Every write is one ``transaction.atomic()`` block that also
moves the shop's summary (``accounts.ShopStats``) by the feedback's difference, so the figures buyers see
follow every change at once and no page ever aggregates ratings. The 12-month window slides by itself: a
daily job (``recompute_rating_window``) recounts it.

Lock order: the shipment's order (when creating), the shop's row, the feedback row, then the shop's summary row.
The shop's row serializes every change of one shop's summary (the daily recount takes it too), so the summary
row is created once and its relative updates never wait on each other in a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Shop, ShopStats, User
from feedback.models import ANSWER_MAX_LENGTH, COMMENT_MAX_LENGTH, MAX_STARS, MIN_STARS, POSITIVE_STARS, Feedback
from jobs.services import enqueue
from orders.models import Order, Shipment
from orders.states import ShipmentStatus

# The buyer may change their rating this long after giving it.
EDIT_WINDOW = timedelta(days=14)
# The share of positive ratings counts this far back.
RATING_WINDOW = timedelta(days=365)


class FeedbackError(Exception):
    """A refusal by the feedback services, with a stable ``code`` and a message a page may show.

    Codes: ``not_your_order``, ``not_arrived``, ``already_rated``, ``no_shop``, ``invalid_stars``,
    ``comment_too_long``, ``too_late``, ``not_your_feedback``, ``already_answered``, ``empty_answer``,
    ``answer_too_long``, ``hidden``, ``no_reason``.
    """

    default_message = gettext_lazy("This action is not possible.")

    def __init__(self, message=None, *, code: str = "error"):
        self.code = code
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))


# --- Eligibility ------------------------------------------------------------------------------------------------


def can_rate(shipment: Shipment, user: User | None) -> bool:
    """Whether ``user`` may rate ``shipment`` now: its order's buyer, once it arrived, and not rated yet.

    Reads ``shipment.order`` (join it) and ``shipment.feedback`` (one query unless prefetched).
    """
    try:
        _check_can_rate(shipment, user)
    except FeedbackError:
        return False
    return True


def _check_can_rate(shipment: Shipment, user: User | None) -> None:
    if not (user and user.is_authenticated and shipment.order.buyer_id == user.pk):
        raise FeedbackError(_("Only the buyer of this order can rate its seller."), code="not_your_order")
    if not shipment.has_arrived:
        raise FeedbackError(
            _("You can rate the seller once the parcel is delivered, or 30 days after it shipped."),
            code="not_arrived",
        )
    if Feedback.objects.filter(shipment=shipment).exists():
        raise FeedbackError(_("You have already rated the seller for this parcel."), code="already_rated")


def is_editable(feedback: Feedback, now: datetime | None = None) -> bool:
    """The buyer may still change it: within EDIT_WINDOW of when it was given, and not hidden by staff."""
    now = now or timezone.now()
    return not feedback.is_hidden and now < feedback.created_at + EDIT_WINDOW


def editable_until(feedback: Feedback) -> datetime:
    return feedback.created_at + EDIT_WINDOW


def _clean_rating(stars, comment: str) -> tuple[int, str]:
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        stars = 0
    if not MIN_STARS <= stars <= MAX_STARS:
        raise FeedbackError(_("Choose from 1 to 5 stars."), code="invalid_stars")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise FeedbackError(
            _("Keep your comment to %(max)d characters.") % {"max": COMMENT_MAX_LENGTH}, code="comment_too_long"
        )
    return stars, comment


# --- The shop's summary ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Contribution:
    """What one feedback adds to its shop's summary."""

    count: int = 0
    total: int = 0
    rated_12m: int = 0
    positive_12m: int = 0

    @classmethod
    def of(cls, feedback: Feedback | None, now: datetime) -> _Contribution:
        if feedback is None or feedback.is_hidden:
            return cls()
        recent = feedback.created_at is None or feedback.created_at >= now - RATING_WINDOW
        return cls(
            count=1,
            total=feedback.stars,
            rated_12m=int(recent),
            positive_12m=int(recent and feedback.stars >= POSITIVE_STARS),
        )


def lock_shop(shop_id: int) -> None:
    """Take the shop's row lock: the first lock of every change to its summary (after the order's, if any)."""
    list(Shop.objects.select_for_update().filter(pk=shop_id).values_list("pk", flat=True))


def _move_summary(shop_id: int, before: _Contribution, after: _Contribution) -> None:
    """Add ``after - before`` to the shop's summary row (created if missing), in the caller's transaction.

    The caller holds the shop's lock (``lock_shop``).
    """
    deltas = {
        "rating_count": after.count - before.count,
        "rating_total": after.total - before.total,
        "rated_12m": after.rated_12m - before.rated_12m,
        "positive_12m": after.positive_12m - before.positive_12m,
    }
    if not any(deltas.values()):
        return
    changes = {name: F(name) + delta for name, delta in deltas.items()}
    # Relative updates, which read the latest committed row whatever the transaction's snapshot.
    if not ShopStats.objects.filter(shop_id=shop_id).update(**changes):
        ShopStats.ensure(shop_id)
        ShopStats.objects.filter(shop_id=shop_id).update(**changes)


# --- Buyers ----------------------------------------------------------------------------------------------------


def leave_feedback(shipment: Shipment, buyer: User, stars, comment: str = "") -> Feedback:
    """The buyer of ``shipment``'s order rates its seller: 1 to 5 stars and an optional comment.

    Guarantees: only the order's buyer, only once the parcel arrived (delivered, or shipped 30 days ago), once
    per shipment (a second submit is refused, also when two arrive at once); the shop's summary counts it in
    the same transaction. Returns the feedback.
    Raises FeedbackError: ``not_your_order``, ``not_arrived``, ``already_rated``, ``no_shop``, ``invalid_stars``,
    ``comment_too_long``.
    """
    stars, comment = _clean_rating(stars, comment)
    now = timezone.now()
    try:
        with transaction.atomic():
            # The order row first, as every writer of its shipments does.
            Order.objects.select_for_update().get(pk=shipment.order_id)
            locked = Shipment.objects.select_related("order", "seller__shop").get(pk=shipment.pk)
            _check_can_rate(locked, buyer)
            shop = getattr(locked.seller, "shop", None)
            if shop is None:
                raise FeedbackError(_("This seller has closed their shop."), code="no_shop")
            lock_shop(shop.pk)
            feedback = Feedback.objects.create(shipment=locked, shop=shop, buyer=buyer, stars=stars, comment=comment)
            _move_summary(shop.pk, _Contribution(), _Contribution.of(feedback, now))
    except IntegrityError:
        # The one-per-shipment constraint caught a rating committed meanwhile.
        raise FeedbackError(_("You have already rated the seller for this parcel."), code="already_rated") from None
    return feedback


def change_feedback(feedback: Feedback, buyer: User, stars, comment: str = "") -> Feedback:
    """The buyer changes their rating within 14 days of giving it; the shop's summary follows.

    Raises FeedbackError: ``not_your_feedback``, ``too_late``, ``hidden``, ``invalid_stars``, ``comment_too_long``.
    """
    stars, comment = _clean_rating(stars, comment)
    now = timezone.now()
    with transaction.atomic():
        lock_shop(feedback.shop_id)
        locked = Feedback.objects.select_for_update().get(pk=feedback.pk)
        if locked.buyer_id != getattr(buyer, "pk", None):
            raise FeedbackError(_("This is not your feedback."), code="not_your_feedback")
        if locked.is_hidden:
            raise FeedbackError(_("Our staff removed this feedback: it can no longer change."), code="hidden")
        if not is_editable(locked, now):
            raise FeedbackError(
                _("Feedback can be changed for 14 days after it is given; that time has passed."), code="too_late"
            )
        before = _Contribution.of(locked, now)
        locked.stars, locked.comment = stars, comment
        locked.save(update_fields=["stars", "comment", "updated_at"])
        _move_summary(locked.shop_id, before, _Contribution.of(locked, now))
    return locked


# --- Sellers ---------------------------------------------------------------------------------------------------


def answer_feedback(feedback: Feedback, seller: User, text: str) -> Feedback:
    """The seller answers a rating of their shop, once, publicly.

    Raises FeedbackError: ``not_your_feedback``, ``already_answered``, ``empty_answer``, ``answer_too_long``,
    ``hidden``.
    """
    text = (text or "").strip()
    if not text:
        raise FeedbackError(_("Write your answer first."), code="empty_answer")
    if len(text) > ANSWER_MAX_LENGTH:
        raise FeedbackError(
            _("Keep your answer to %(max)d characters.") % {"max": ANSWER_MAX_LENGTH}, code="answer_too_long"
        )
    with transaction.atomic():
        locked = Feedback.objects.select_for_update().select_related("shop").get(pk=feedback.pk)
        if locked.shop.owner_id != getattr(seller, "pk", None):
            raise FeedbackError(_("This is not feedback about your shop."), code="not_your_feedback")
        if locked.is_hidden:
            raise FeedbackError(_("Our staff removed this feedback: it cannot be answered."), code="hidden")
        if locked.answered_at is not None:
            raise FeedbackError(_("You have already answered this feedback."), code="already_answered")
        locked.answer, locked.answered_at = text, timezone.now()
        locked.save(update_fields=["answer", "answered_at", "updated_at"])
    return locked


# --- Staff -----------------------------------------------------------------------------------------------------


def hide_feedback(feedback: Feedback, staff: User, reason: str) -> Feedback:
    """Staff remove abusive feedback from public view with a reason; it leaves the shop's summary.

    The seller still sees it, marked as removed by staff, with the reason. Hiding hidden feedback changes
    nothing. Raises FeedbackError ``no_reason``.
    """
    reason = (reason or "").strip()[:255]
    if not reason:
        raise FeedbackError(_("Give a reason for hiding this feedback."), code="no_reason")
    now = timezone.now()
    with transaction.atomic():
        lock_shop(feedback.shop_id)
        locked = Feedback.objects.select_for_update().get(pk=feedback.pk)
        if locked.is_hidden:
            return locked
        before = _Contribution.of(locked, now)
        locked.is_hidden, locked.hidden_reason, locked.hidden_by, locked.hidden_at = True, reason, staff, now
        locked.save(update_fields=["is_hidden", "hidden_reason", "hidden_by", "hidden_at", "updated_at"])
        _move_summary(locked.shop_id, before, _Contribution.of(locked, now))
    return locked


def unhide_feedback(feedback: Feedback, staff: User) -> Feedback:
    """Staff put hidden feedback back in public view; it counts in the shop's summary again."""
    now = timezone.now()
    with transaction.atomic():
        lock_shop(feedback.shop_id)
        locked = Feedback.objects.select_for_update().get(pk=feedback.pk)
        if not locked.is_hidden:
            return locked
        before = _Contribution.of(locked, now)
        locked.is_hidden, locked.hidden_reason, locked.hidden_by, locked.hidden_at = False, "", None, None
        locked.save(update_fields=["is_hidden", "hidden_reason", "hidden_by", "hidden_at", "updated_at"])
        _move_summary(locked.shop_id, before, _Contribution.of(locked, now))
    return locked


# --- Daily work ------------------------------------------------------------------------------------------------


def recompute_rating_window(now: datetime | None = None) -> int:
    """Recount every shop's 12-month figures (ratings age out of the window day by day). Returns the shops changed.

    Also recounts the lifetime figures, which repairs any drift. One short transaction per shop, each locking
    that shop's row, so ratings given meanwhile are never lost.
    """
    now = now or timezone.now()
    since = now - RATING_WINDOW
    visible = Q(feedback__is_hidden=False)
    recent = visible & Q(feedback__created_at__gte=since)
    rows = (
        Shop.objects.filter(Q(feedback__isnull=False) | Q(stats__isnull=False)).distinct().values_list("pk", flat=True)
    )
    changed = 0
    for shop_id in list(rows):
        with transaction.atomic():
            lock_shop(shop_id)
            ShopStats.ensure(shop_id)
            stats = ShopStats.objects.select_for_update().get(pk=shop_id)
            figures = Shop.objects.filter(pk=shop_id).aggregate(
                rating_count=Count("feedback", filter=visible),
                rating_total=Sum("feedback__stars", filter=visible),
                rated_12m=Count("feedback", filter=recent),
                positive_12m=Count("feedback", filter=recent & Q(feedback__stars__gte=POSITIVE_STARS)),
            )
            figures["rating_total"] = figures["rating_total"] or 0
            if any(getattr(stats, name) != value for name, value in figures.items()):
                changed += 1
            ShopStats.objects.filter(pk=stats.pk).update(**figures, window_updated_at=now)
    return changed


# --- Reminders ---------------------------------------------------------------------------------------------------

# Reminders go out for parcels delivered within this many days after the reminder's day (a job missed for a
# while catches up, and an old delivery is never reminded of).
REMINDER_CATCH_UP = timedelta(days=7)


def send_reminders(now: datetime | None = None) -> int:
    """Enqueue one reminder email per shipment delivered FEEDBACK_REMINDER_DAYS ago and not rated yet.

    The job key names the shipment, so a shipment is reminded of once however often this runs. Returns how
    many reminders were enqueued this time (including ones already enqueued before, which add nothing).
    """
    now = now or timezone.now()
    due = now - timedelta(days=settings.FEEDBACK_REMINDER_DAYS)
    shipments = (
        Shipment.objects.filter(
            status=ShipmentStatus.DELIVERED,
            delivered_at__lte=due,
            delivered_at__gt=due - REMINDER_CATCH_UP,
            feedback__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    count = 0
    for shipment_id in shipments:
        with transaction.atomic():
            enqueue(
                "feedback.emails.send_feedback_reminder",
                key=f"feedback_reminder:{shipment_id}",
                shipment_id=shipment_id,
            )
        count += 1
    return count


# --- What a person may reach -------------------------------------------------------------------------------------


def get_shipment_for_rating(user: User, number: str, shipment_id) -> Shipment:
    """The shipment ``shipment_id`` of ``user``'s order ``number``, with order and shop; Http404 otherwise."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    try:
        return Shipment.objects.select_related("order", "seller__shop", "carrier").get(
            pk=int(shipment_id), order__number=str(number).strip().upper(), order__buyer=user
        )
    except (Shipment.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def get_feedback_for_seller(user: User, pk) -> Feedback:
    """Feedback ``pk`` about ``user``'s shop, with its shipment; Http404 for anyone else's."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    try:
        return Feedback.objects.select_related("shop", "shipment__order", "buyer").get(pk=int(pk), shop__owner=user)
    except (Feedback.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def public_feedback(shop: Shop):
    """The shop's feedback buyers may read, newest first (hidden ones left out), with the raters."""
    return Feedback.objects.filter(shop=shop, is_hidden=False).select_related("buyer").order_by("-created_at", "-id")


def seller_feedback(user: User):
    """Every feedback about ``user``'s shop, newest first, hidden ones included (marked), with their orders."""
    return (
        Feedback.objects.filter(shop__owner=user)
        .select_related("buyer", "shipment__order")
        .order_by("-created_at", "-id")
    )
