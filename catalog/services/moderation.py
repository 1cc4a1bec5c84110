"""Staff moderation: hiding listings from the catalog and handling buyers' reports.

Staff's moves are in the listing state machine (catalog.states):

    draft / active / paused --hide (reason required)--> hidden
    hidden --unhide--> the status it had before

Anything else (hiding a hidden or archived listing, unhiding one that is not hidden)
raises ``IllegalTransition``; a missing or over-long reason raises ``ValidationError``.
Each function is one ``transaction.atomic()`` block and locks the listings it changes,
in primary-key order.

Hiding emails the seller the reason (after commit). The seller may answer with an appeal from their
inventory; staff accept it (the listing is unhidden) or reject it, with a note the seller reads.
"""

from collections.abc import Iterable
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.book_stats import refresh_book_stats
from catalog.cache import catalog_changed
from catalog.models import Appeal, Listing, Report
from catalog.states import Actor, can_transition, check_transition
from jobs.services import enqueue

# Where an unhidden listing goes when we do not know its earlier status: the seller resumes it.
FALLBACK_STATUS = Listing.Status.PAUSED
MAX_REASON_LENGTH = Listing._meta.get_field("hidden_reason").max_length
_HIDE_FIELDS = ["status", "status_before_hidden", "hidden_reason", "hidden_at", "updated_at"]


class ReportOutcome(NamedTuple):
    listings_hidden: int
    reports_resolved: int


def _require_staff(by: User) -> None:
    if not (by.is_active and by.is_staff):
        raise PermissionDenied("Only staff can moderate listings.")


def _clean_text(text: str | None, *, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError(_("Give a reason for hiding the listing."), code="required")
    if len(text) > MAX_REASON_LENGTH:
        raise ValidationError(
            _("Keep the reason under %(max)d characters (it has %(length)d).")
            % {"max": MAX_REASON_LENGTH, "length": len(text)},
            code="max_length",
        )
    return text


def _hide_locked(listing: Listing, reason: str, now) -> None:
    check_transition(listing, Listing.Status.HIDDEN, Actor.STAFF)
    listing.status_before_hidden = listing.status
    listing.status = Listing.Status.HIDDEN
    listing.hidden_reason = reason
    listing.hidden_at = now
    listing.save(update_fields=_HIDE_FIELDS)
    refresh_book_stats([listing.book_id])
    catalog_changed()
    # One email per hiding: the key names this hiding, so a listing hidden again later is told again.
    enqueue(
        "catalog.emails.send_listing_hidden",
        key=f"listing_hidden:{listing.pk}:{now.isoformat()}",
        listing_id=listing.pk,
        reason=reason,
    )


def _copy_moderation_state(source: Listing, target: Listing) -> None:
    for field in _HIDE_FIELDS:
        setattr(target, field, getattr(source, field))


def hide_listing(listing: Listing, by: User, reason: str) -> Listing:
    """Take ``listing`` out of the catalog, keeping ``reason`` and the status to return to.

    Stores ``status_before_hidden``, ``hidden_reason`` and ``hidden_at``; ``listing`` is updated
    in place and returned. Raises ``ValidationError`` for a blank or over-long reason,
    ``IllegalTransition`` when the listing is already hidden or archived, and
    ``PermissionDenied`` unless ``by`` is active staff.
    """
    _require_staff(by)
    reason = _clean_text(reason, required=True)
    with transaction.atomic():
        # Lock and re-read: the seller may have paused or archived it since the admin page loaded.
        locked = Listing.objects.select_for_update().get(pk=listing.pk)
        _hide_locked(locked, reason, timezone.now())
    _copy_moderation_state(locked, listing)
    return listing


def unhide_listing(listing: Listing, by: User) -> Listing:
    """Put a hidden ``listing`` back in the status it had before it was hidden.

    A listing that was active but has no stock left, or whose earlier status is unknown,
    comes back paused. Clears the stored reason and date; ``listing`` is updated in place and returned. Raises
    ``IllegalTransition`` when the listing is not hidden; ``PermissionDenied`` unless ``by`` is
    active staff.
    """
    _require_staff(by)
    with transaction.atomic():
        locked = Listing.objects.select_for_update().get(pk=listing.pk)
        _unhide_locked(locked, by, note="", now=timezone.now())
    _copy_moderation_state(locked, listing)
    return listing


def _unhide_locked(locked: Listing, by: User, note: str, now) -> None:
    previous = locked.status_before_hidden
    if not can_transition(Listing.Status.HIDDEN, previous, Actor.STAFF) or (
        previous == Listing.Status.ACTIVE and locked.quantity < 1
    ):
        # Unknown, or on sale without stock (catalog's rule): the seller decides when to resume.
        previous = FALLBACK_STATUS
    # Refuses a listing that is not hidden: staff's only moves from any other status lead into hidden.
    check_transition(locked, previous, Actor.STAFF)
    locked.status = previous
    locked.status_before_hidden = ""
    locked.hidden_reason = ""
    locked.hidden_at = None
    locked.save(update_fields=_HIDE_FIELDS)
    refresh_book_stats([locked.book_id])
    catalog_changed()
    # However staff unhide it, a waiting appeal has its answer.
    Appeal.objects.filter(listing=locked, status=Appeal.Status.OPEN).update(
        status=Appeal.Status.ACCEPTED, resolved_at=now, resolved_by=by, staff_note=note
    )


def _report_ids(reports: QuerySet[Report] | Iterable[Report]) -> list[int]:
    if isinstance(reports, QuerySet):
        return list(reports.values_list("pk", flat=True))
    return [report.pk for report in reports]


def resolve_reports_by_hiding(reports: QuerySet[Report] | Iterable[Report], by: User, reason: str) -> ReportOutcome:
    """Hide the listings of the open reports among ``reports`` and resolve every open report on them.

    All open reports of each such listing are closed as actioned with ``reason`` as the note,
    not just the selected ones. Listings already out of the catalog (hidden or archived) stay
    as they are and their reports are still resolved. Reports that are not open are ignored.
    Raises ``ValidationError`` for a blank reason; ``PermissionDenied`` unless ``by`` is active staff.
    """
    _require_staff(by)
    reason = _clean_text(reason, required=True)
    report_ids = _report_ids(reports)
    with transaction.atomic():
        listing_ids = sorted(
            set(
                Report.objects.filter(pk__in=report_ids, status=Report.Status.OPEN).values_list(
                    "listing_id", flat=True
                )
            )
        )
        if not listing_ids:
            return ReportOutcome(0, 0)
        now = timezone.now()
        hidden = 0
        for listing in Listing.objects.select_for_update().filter(pk__in=listing_ids).order_by("pk"):
            if can_transition(listing.status, Listing.Status.HIDDEN, Actor.STAFF):
                _hide_locked(listing, reason, now)
                hidden += 1
        resolved = Report.objects.filter(listing_id__in=listing_ids, status=Report.Status.OPEN).update(
            status=Report.Status.ACTIONED, resolved_at=now, resolved_by=by, resolution_note=reason
        )
    return ReportOutcome(hidden, resolved)


def dismiss_reports(reports: QuerySet[Report] | Iterable[Report], by: User, note: str = "") -> int:
    """Close the open reports among ``reports`` without touching their listings; return how many.

    Reports already resolved are left as they are. Raises ``ValidationError`` for an over-long
    note; ``PermissionDenied`` unless ``by`` is active staff.
    """
    _require_staff(by)
    note = _clean_text(note, required=False)
    report_ids = _report_ids(reports)
    with transaction.atomic():
        return Report.objects.filter(pk__in=report_ids, status=Report.Status.OPEN).update(
            status=Report.Status.DISMISSED, resolved_at=timezone.now(), resolved_by=by, resolution_note=note
        )


# --- Appeals ------------------------------------------------------------------------


def appeal_listing(listing: Listing, seller: User, text: str) -> Appeal:
    """File the seller's appeal against the hiding of their ``listing`` and return it.

    The caller has checked ownership (``get_listing_for_seller``); this checks it again. Guarantees one open
    appeal per listing: the listing row is locked while checking, so a double-submitted form files one.
    Raises ``ValidationError`` for a blank or over-long message, a listing that is not hidden (any more), or
    an appeal already waiting; ``PermissionDenied`` when ``seller`` does not own the listing.
    """
    if listing.seller_id != seller.pk:
        raise PermissionDenied("Only the seller can appeal.")
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Tell our staff why the listing should be shown again."), code="required")
    if len(text) > MAX_REASON_LENGTH:
        raise ValidationError(
            _("Keep your message under %(max)d characters (it has %(length)d).")
            % {"max": MAX_REASON_LENGTH, "length": len(text)},
            code="max_length",
        )
    with transaction.atomic():
        locked = Listing.objects.select_for_update().get(pk=listing.pk)
        if locked.status != Listing.Status.HIDDEN:
            raise ValidationError(_("This listing is not hidden any more."), code="not_hidden")
        if Appeal.objects.filter(listing=locked, status=Appeal.Status.OPEN).exists():
            raise ValidationError(_("Your appeal on this listing is already waiting for our staff."), code="duplicate")
        return Appeal.objects.create(listing=locked, seller=seller, text=text, hidden_reason=locked.hidden_reason)


def _open_appeal_locked(appeal: Appeal) -> tuple[Appeal, Listing]:
    # Listing first, as every other moderation write locks it, then the appeal.
    listing = Listing.objects.select_for_update().get(pk=appeal.listing_id)
    locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if locked.status != Appeal.Status.OPEN:
        raise ValidationError(_("This appeal has already been answered."), code="resolved")
    return locked, listing


def accept_appeal(appeal: Appeal, by: User, note: str = "") -> Appeal:
    """Unhide the appealed listing (as ``unhide_listing`` does) and close the appeal as accepted with ``note``.

    Raises ``ValidationError`` for an answered appeal or an over-long note, ``IllegalTransition`` when the
    listing is no longer hidden, and ``PermissionDenied`` unless ``by`` is active staff.
    """
    _require_staff(by)
    note = _clean_text(note, required=False)
    with transaction.atomic():
        locked, listing = _open_appeal_locked(appeal)
        _unhide_locked(listing, by, note, timezone.now())
        locked.refresh_from_db()
    return locked


def reject_appeal(appeal: Appeal, by: User, note: str) -> Appeal:
    """Keep the listing hidden and close the appeal as rejected; ``note`` (required) tells the seller why.

    Raises ``ValidationError`` for a blank or over-long note or an answered appeal; ``PermissionDenied``
    unless ``by`` is active staff.
    """
    _require_staff(by)
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Tell the seller why the listing stays hidden."), code="required")
    note = _clean_text(note, required=False)
    with transaction.atomic():
        locked, _listing = _open_appeal_locked(appeal)
        locked.status = Appeal.Status.REJECTED
        locked.resolved_at = timezone.now()
        locked.resolved_by = by
        locked.staff_note = note
        locked.save(update_fields=["status", "resolved_at", "resolved_by", "staff_note"])
    return locked
