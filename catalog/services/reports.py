"""Buyers flag listings for staff; staff handle the queue in the admin."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from catalog.models import Listing, Report

REPORT_TEXT_MAX = 2000


class ReportRefused(ValidationError):
    """The report cannot be filed; the message says why, in words a buyer understands."""


def report_listing(listing: Listing, reporter: AbstractBaseUser, reason: str, text: str = "") -> Report:
    """File an open report on a visible listing and return it.

    Guarantees one open report per reporter and listing: the listing row is locked
    while checking, so a double-submitted form files a single report.

    Raises ReportRefused when the reason is unknown, the text is too long, the
    reporter owns the listing, the listing is not visible to buyers, or the reporter
    already has an open report on it.
    """
    if reason not in Report.Reason.values:
        raise ReportRefused(_("Choose one of the listed reasons."), code="invalid_reason")
    text = (text or "").strip()
    if len(text) > REPORT_TEXT_MAX:
        raise ReportRefused(
            _("Please keep the details under %(max)d characters.") % {"max": REPORT_TEXT_MAX}, code="text_too_long"
        )
    if listing.seller_id == reporter.pk:
        raise ReportRefused(_("You cannot report your own listing."), code="own_listing")

    with transaction.atomic():
        locked = Listing.objects.select_for_update().filter(pk=listing.pk).first()
        if locked is None or not Listing.objects.visible().filter(pk=locked.pk).exists():
            raise ReportRefused(_("This listing is no longer on sale."), code="not_visible")
        already_open = Report.objects.filter(listing=locked, reporter=reporter, status=Report.Status.OPEN).exists()
        if already_open:
            raise ReportRefused(
                _("You have already reported this listing; our staff will look at it soon."), code="duplicate"
            )
        return Report.objects.create(listing=locked, reporter=reporter, reason=reason, text=text)
