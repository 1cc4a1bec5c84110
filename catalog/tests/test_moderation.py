import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalog.models import Listing, Report
from catalog.services.moderation import (
    dismiss_reports,
    hide_listing,
    resolve_reports_by_hiding,
    unhide_listing,
)
from catalog.states import IllegalTransition
from conftest import ListingFactory

pytestmark = pytest.mark.django_db

Status = Listing.Status


def report(listing, reporter, **kwargs):
    return Report.objects.create(listing=listing, reporter=reporter, reason=Report.Reason.COUNTERFEIT, **kwargs)


def test_hide_listing_takes_it_out_of_the_catalog_and_keeps_why(staff, alice_listing):
    hide_listing(alice_listing, staff, "  Pirated copy  ")
    stored = Listing.objects.get(pk=alice_listing.pk)
    assert stored.status == Status.HIDDEN
    assert stored.status_before_hidden == Status.ACTIVE
    assert stored.hidden_reason == "Pirated copy"
    assert stored.hidden_at is not None
    assert not Listing.objects.visible().filter(pk=alice_listing.pk).exists()
    # The caller's object follows.
    assert alice_listing.status == Status.HIDDEN


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_hide_listing_requires_a_reason(staff, alice_listing, reason):
    with pytest.raises(ValidationError):
        hide_listing(alice_listing, staff, reason)
    stored = Listing.objects.get(pk=alice_listing.pk)
    assert (stored.status, stored.hidden_reason, stored.hidden_at) == (Status.ACTIVE, "", None)


def test_hide_listing_refuses_an_over_long_reason(staff, alice_listing):
    with pytest.raises(ValidationError):
        hide_listing(alice_listing, staff, "x" * 2001)
    assert Listing.objects.get(pk=alice_listing.pk).status == Status.ACTIVE


@pytest.mark.parametrize("status", [Status.DRAFT, Status.ACTIVE, Status.PAUSED])
def test_unhide_restores_the_previous_status(staff, alice, status):
    listing = ListingFactory(seller=alice, status=status)
    hide_listing(listing, staff, "Looks wrong")
    unhide_listing(listing, staff)
    stored = Listing.objects.get(pk=listing.pk)
    assert stored.status == status
    assert (stored.status_before_hidden, stored.hidden_reason, stored.hidden_at) == ("", "", None)


def test_unhide_without_a_recorded_status_pauses_the_listing(staff, alice):
    listing = ListingFactory(seller=alice, status=Status.HIDDEN, status_before_hidden="")
    unhide_listing(listing, staff)
    assert Listing.objects.get(pk=listing.pk).status == Status.PAUSED


def test_unhide_pauses_an_active_listing_left_without_stock(staff, alice_listing):
    hide_listing(alice_listing, staff, "Checking")
    Listing.objects.filter(pk=alice_listing.pk).update(quantity=0)
    unhide_listing(alice_listing, staff)
    assert Listing.objects.get(pk=alice_listing.pk).status == Status.PAUSED


@pytest.mark.parametrize("status", [Status.HIDDEN, Status.ARCHIVED])
def test_hiding_a_hidden_or_archived_listing_raises(staff, alice, status):
    listing = ListingFactory(seller=alice, status=status, hidden_reason="earlier")
    with pytest.raises(IllegalTransition):
        hide_listing(listing, staff, "again")
    stored = Listing.objects.get(pk=listing.pk)
    assert (stored.status, stored.hidden_reason) == (status, "earlier")


@pytest.mark.parametrize("status", [Status.DRAFT, Status.ACTIVE, Status.PAUSED, Status.ARCHIVED])
def test_unhiding_a_listing_that_is_not_hidden_raises(staff, alice, status):
    listing = ListingFactory(seller=alice, status=status)
    with pytest.raises(IllegalTransition):
        unhide_listing(listing, staff)
    assert Listing.objects.get(pk=listing.pk).status == status


def test_hide_uses_the_stored_status_not_a_stale_object(staff, alice_listing):
    Listing.objects.filter(pk=alice_listing.pk).update(status=Status.ARCHIVED)
    with pytest.raises(IllegalTransition):
        hide_listing(alice_listing, staff, "stale")  # the object in memory still says active


def test_only_staff_moderate(alice, bob_listing):
    with pytest.raises(PermissionDenied):
        hide_listing(bob_listing, alice, "I don't like it")
    assert Listing.objects.get(pk=bob_listing.pk).status == Status.ACTIVE


def test_resolve_by_hiding_closes_every_open_report_of_the_listing(staff, charlie, alice_listing, bob_listing):
    first = report(alice_listing, charlie)
    second = report(alice_listing, staff)
    earlier = report(alice_listing, charlie, status=Report.Status.DISMISSED)
    elsewhere = report(bob_listing, charlie)

    outcome = resolve_reports_by_hiding(Report.objects.filter(pk=first.pk), staff, "Counterfeit")

    assert outcome == (1, 2)
    stored = Listing.objects.get(pk=alice_listing.pk)
    assert (stored.status, stored.hidden_reason) == (Status.HIDDEN, "Counterfeit")
    for resolved in (first, second):
        resolved.refresh_from_db()
        assert resolved.status == Report.Status.ACTIONED
        assert resolved.resolved_by == staff
        assert resolved.resolved_at is not None
        assert resolved.resolution_note == "Counterfeit"
    earlier.refresh_from_db()
    assert earlier.status == Report.Status.DISMISSED
    elsewhere.refresh_from_db()
    assert elsewhere.status == Report.Status.OPEN
    assert Listing.objects.get(pk=bob_listing.pk).status == Status.ACTIVE


def test_resolve_by_hiding_requires_a_reason(staff, charlie, alice_listing):
    open_report = report(alice_listing, charlie)
    with pytest.raises(ValidationError):
        resolve_reports_by_hiding([open_report], staff, " ")
    open_report.refresh_from_db()
    assert open_report.status == Report.Status.OPEN
    assert Listing.objects.get(pk=alice_listing.pk).status == Status.ACTIVE


def test_resolve_by_hiding_an_already_hidden_listing_just_resolves(staff, charlie, alice_listing):
    hide_listing(alice_listing, staff, "first reason")
    open_report = report(alice_listing, charlie)
    assert resolve_reports_by_hiding([open_report], staff, "second reason") == (0, 1)
    assert Listing.objects.get(pk=alice_listing.pk).hidden_reason == "first reason"


def test_resolve_by_hiding_ignores_closed_reports(staff, charlie, alice_listing):
    closed = report(alice_listing, charlie, status=Report.Status.DISMISSED)
    assert resolve_reports_by_hiding([closed], staff, "late") == (0, 0)
    assert Listing.objects.get(pk=alice_listing.pk).status == Status.ACTIVE


def test_dismiss_reports_keeps_the_listing(staff, charlie, alice_listing):
    one = report(alice_listing, charlie)
    done = report(alice_listing, charlie, status=Report.Status.ACTIONED, resolution_note="old")
    assert dismiss_reports(Report.objects.filter(pk__in=[one.pk, done.pk]), staff, note="Fine as described") == 1
    one.refresh_from_db()
    assert (one.status, one.resolved_by, one.resolution_note) == (Report.Status.DISMISSED, staff, "Fine as described")
    done.refresh_from_db()
    assert (done.status, done.resolution_note) == (Report.Status.ACTIONED, "old")
    assert Listing.objects.get(pk=alice_listing.pk).status == Status.ACTIVE
