"""Staff moderation: hiding listings from the catalog and handling buyers' reports.

The moves, all in this module:

    draft / active / paused --hide (reason required)--> hidden
    hidden --unhide--> the status it had before

Anything else (hiding a hidden or archived listing, unhiding one that is not hidden)
raises ``ModerationError``. Each function is one ``transaction.atomic()`` block and locks
the listings it changes, in primary-key order.
"""

from collections.abc import Iterable
from typing import NamedTuple

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.cache import catalog_changed
from catalog.models import Listing, Report

HIDEABLE = frozenset({Listing.Status.DRAFT, Listing.Status.ACTIVE, Listing.Status.PAUSED})
# Where an unhidden listing goes when we do not know its earlier status: the seller resumes it.
FALLBACK_STATUS = Listing.Status.PAUSED
MAX_REASON_LENGTH = Listing._meta.get_field("hidden_reason").max_length
_HIDE_FIELDS = ["status", "status_before_hidden", "hidden_reason", "hidden_at", "updated_at"]


class ModerationError(ValueError):
    """A moderation move that is not allowed, or one missing its reason."""


class ReportOutcome(NamedTuple):
    listings_hidden: int
    reports_resolved: int


def _require_staff(by: User) -> None:
    if not (by.is_active and by.is_staff):
        raise PermissionDenied("Only staff can moderate listings.")


def _clean_text(text: str | None, *, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ModerationError(_("Give a reason for hiding the listing."))
    if len(text) > MAX_REASON_LENGTH:
        raise ModerationError(
            _("Keep the reason under %(max)d characters (it has %(length)d).")
            % {"max": MAX_REASON_LENGTH, "length": len(text)}
        )
    return text


def _hide_locked(listing: Listing, reason: str, now) -> None:
    if listing.status not in HIDEABLE:
        raise ModerationError(
            _("Listing #%(id)s cannot be hidden: its status is “%(status)s”.")
            % {"id": listing.pk, "status": listing.get_status_display()}
        )
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
    in place and returned. Raises ``ModerationError`` for a blank or over-long reason, or when
    the listing is already hidden or archived; ``PermissionDenied`` unless ``by`` is active staff.
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
    ``ModerationError`` when the listing is not hidden; ``PermissionDenied`` unless ``by`` is
    active staff.
    """
    _require_staff(by)
    with transaction.atomic():
        locked = Listing.objects.select_for_update().get(pk=listing.pk)
        if locked.status != Listing.Status.HIDDEN:
            raise ModerationError(
                _("Listing #%(id)s is not hidden: its status is “%(status)s”.")
                % {"id": locked.pk, "status": locked.get_status_display()}
            )
        previous = locked.status_before_hidden
        if previous not in HIDEABLE or (previous == Listing.Status.ACTIVE and locked.quantity < 1):
            # Unknown, or on sale without stock (catalog's rule): the seller decides when to resume.
            previous = FALLBACK_STATUS
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
    Raises ``ModerationError`` for a blank reason; ``PermissionDenied`` unless ``by`` is active staff.
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
            if listing.status in HIDEABLE:
                _hide_locked(listing, reason, now)
                hidden += 1
        resolved = Report.objects.filter(listing_id__in=listing_ids, status=Report.Status.OPEN).update(
            status=Report.Status.ACTIONED, resolved_at=now, resolved_by=by, resolution_note=reason
        )
    return ReportOutcome(hidden, resolved)


def dismiss_reports(reports: QuerySet[Report] | Iterable[Report], by: User, note: str = "") -> int:
    """Close the open reports among ``reports`` without touching their listings; return how many.

    Reports already resolved are left as they are. Raises ``ModerationError`` for an over-long
    note; ``PermissionDenied`` unless ``by`` is active staff.
    """
    _require_staff(by)
    note = _clean_text(note, required=False)
    report_ids = _report_ids(reports)
    with transaction.atomic():
        return Report.objects.filter(pk__in=report_ids, status=Report.Status.OPEN).update(
            status=Report.Status.DISMISSED, resolved_at=timezone.now(), resolved_by=by, resolution_note=note
        )
