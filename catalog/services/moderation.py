"""Staff moderation: hiding listings from the catalog and handling buyers' reports.

Staff's moves are in the listing state machine (catalog.states):

    draft / active / paused --hide (reason required)--> hidden
    hidden --unhide--> the status it had before

Anything else (hiding a hidden or archived listing, unhiding one that is not hidden)
raises ``IllegalTransition``; a missing or over-long reason raises ``ValidationError``.
Each function is one ``transaction.atomic()`` block and locks the listings it changes,
in primary-key order.
"""

from collections.abc import Iterable
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.cache import catalog_changed
from catalog.models import Listing, Report
from catalog.states import Actor, can_transition, check_transition

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
    catalog_changed()


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
        catalog_changed()
    _copy_moderation_state(locked, listing)
    return listing


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
