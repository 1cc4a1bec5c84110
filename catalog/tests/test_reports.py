"""Buyers report listings: the report_listing service and POST /books/<pk>/report/."""

import pytest

from catalog.models import Listing, Report
from catalog.services.reports import ReportRefused, report_listing
from conftest import ListingFactory, UserFactory

pytestmark = pytest.mark.django_db


def report_url(listing) -> str:
    return f"/books/{listing.pk}/report/"


# --- Service --------------------------------------------------------------------------------


def test_report_is_filed_open(alice_listing, charlie):
    report = report_listing(alice_listing, charlie, Report.Reason.MISDESCRIBED, "  It is the abridged edition. ")
    report.refresh_from_db()
    assert report.listing == alice_listing and report.reporter == charlie
    assert report.reason == Report.Reason.MISDESCRIBED
    assert report.text == "It is the abridged edition."
    assert report.status == Report.Status.OPEN


def test_owner_cannot_report_their_own_listing(alice_listing, alice):
    with pytest.raises(ReportRefused, match="your own listing"):
        report_listing(alice_listing, alice, Report.Reason.SPAM, "")
    assert not Report.objects.exists()


def test_second_open_report_by_the_same_buyer_is_refused(alice_listing, charlie):
    report_listing(alice_listing, charlie, Report.Reason.SPAM, "")
    with pytest.raises(ReportRefused, match="already reported"):
        report_listing(alice_listing, charlie, Report.Reason.OTHER, "again")
    assert Report.objects.count() == 1


def test_a_buyer_may_report_again_once_staff_closed_the_first_report(alice_listing, charlie):
    first = report_listing(alice_listing, charlie, Report.Reason.SPAM, "")
    Report.objects.filter(pk=first.pk).update(status=Report.Status.DISMISSED)
    report_listing(alice_listing, charlie, Report.Reason.COUNTERFEIT, "")
    assert Report.objects.filter(status=Report.Status.OPEN).count() == 1


def test_different_buyers_may_each_report(alice_listing, charlie, bob):
    report_listing(alice_listing, charlie, Report.Reason.SPAM, "")
    report_listing(alice_listing, bob, Report.Reason.SPAM, "")
    assert Report.objects.count() == 2


@pytest.mark.parametrize("status", [Listing.Status.PAUSED, Listing.Status.HIDDEN, Listing.Status.ARCHIVED])
def test_listing_buyers_cannot_see_cannot_be_reported(alice_listing, charlie, status):
    Listing.objects.filter(pk=alice_listing.pk).update(status=status)
    with pytest.raises(ReportRefused, match="no longer on sale"):
        report_listing(alice_listing, charlie, Report.Reason.SPAM, "")


def test_unknown_reason_and_overlong_text_are_refused(alice_listing, charlie):
    with pytest.raises(ReportRefused):
        report_listing(alice_listing, charlie, "boring", "")
    with pytest.raises(ReportRefused, match="2000"):
        report_listing(alice_listing, charlie, Report.Reason.OTHER, "x" * 2001)
    assert not Report.objects.exists()


# --- View -----------------------------------------------------------------------------------


def test_buyer_reports_a_listing(client_for, alice_listing, charlie):
    client = client_for(charlie)
    response = client.post(report_url(alice_listing), {"reason": "counterfeit", "text": "Photocopied pages."})
    assert response.status_code == 302
    assert response["Location"] == f"/books/{alice_listing.pk}/"
    report = Report.objects.get()
    assert (report.reporter, report.reason, report.text) == (charlie, "counterfeit", "Photocopied pages.")

    page = client.get(response["Location"]).content.decode()
    assert "Thank you. Our staff will review this listing." in page
    assert "You have reported this listing" in page
    assert "Send report" not in page


def test_owner_reporting_their_own_listing_gets_a_message_and_no_report(client_for, alice_listing, alice):
    response = client_for(alice).post(report_url(alice_listing), {"reason": "spam"}, follow=True)
    assert response.status_code == 200
    assert "You cannot report your own listing." in response.content.decode()
    assert not Report.objects.exists()


def test_duplicate_report_gets_a_message_and_no_second_report(client_for, alice_listing, charlie):
    client = client_for(charlie)
    client.post(report_url(alice_listing), {"reason": "spam"})
    response = client.post(report_url(alice_listing), {"reason": "other", "text": "again"}, follow=True)
    assert "You have already reported this listing" in response.content.decode()
    assert Report.objects.count() == 1


def test_anonymous_is_sent_to_log_in_and_back_to_the_listing(client, alice_listing):
    response = client.post(report_url(alice_listing), {"reason": "spam"})
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/books/{alice_listing.pk}/"
    assert not Report.objects.exists()


def test_get_is_not_allowed(client_for, client, alice_listing, charlie):
    assert client.get(report_url(alice_listing)).status_code == 405
    assert client_for(charlie).get(report_url(alice_listing)).status_code == 405


@pytest.mark.parametrize("status", [Listing.Status.DRAFT, Listing.Status.HIDDEN])
def test_listing_buyers_cannot_see_is_404(client_for, alice_listing, charlie, status):
    Listing.objects.filter(pk=alice_listing.pk).update(status=status)
    assert client_for(charlie).post(report_url(alice_listing), {"reason": "spam"}).status_code == 404
    assert not Report.objects.exists()


def test_owner_posting_on_their_hidden_listing_is_404(client_for, alice_listing, alice):
    Listing.objects.filter(pk=alice_listing.pk).update(status=Listing.Status.HIDDEN)
    assert client_for(alice).post(report_url(alice_listing), {"reason": "spam"}).status_code == 404


def test_unknown_listing_is_404(client_for, charlie):
    assert client_for(charlie).post("/books/424242/report/", {"reason": "spam"}).status_code == 404


def test_invalid_form_is_shown_again_with_the_text_kept(client_for, charlie, alice_listing):
    response = client_for(charlie).post(report_url(alice_listing), {"reason": "boring", "text": "My words stay."})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose one of the listed reasons." in body
    assert "My words stay." in body
    assert '<details class="mt-4" open>' in body
    assert not Report.objects.exists()


def test_missing_reason_and_long_text_are_form_errors(client_for, charlie, alice_listing):
    response = client_for(charlie).post(report_url(alice_listing), {"text": "y" * 2001})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose a reason for your report." in body
    assert "at most 2000 characters" in body


def test_other_buyers_report_is_independent(client_for, alice_listing, charlie, bob):
    ListingFactory(seller=bob)
    client_for(bob).post(report_url(alice_listing), {"reason": "spam"})
    page = client_for(charlie).get(f"/books/{alice_listing.pk}/").content.decode()
    assert "Send report" in page


@pytest.mark.usefixtures("steady_ratelimit_clock")
def test_reporting_many_listings_quickly_is_refused_with_429(client_for, charlie, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report": "2/h"}
    client = client_for(charlie)
    listings = [ListingFactory() for _n in range(3)]
    for listing in listings[:2]:
        assert client.post(report_url(listing), {"reason": "counterfeit"}).status_code == 302
    response = client.post(report_url(listings[2]), {"reason": "counterfeit"})
    assert response.status_code == 429
    assert "You have reported many listings in a short time." in response.content.decode()
    assert response["Retry-After"]
    assert Report.objects.count() == 2
    assert not Report.objects.filter(listing=listings[2]).exists()
    # The limit is charlie's own: another buyer may still report.
    other = client_for(UserFactory())
    assert other.post(report_url(listings[2]), {"reason": "counterfeit"}).status_code == 302


def test_accounts_reporting_from_one_address_share_its_limit(client_for, settings):
    """Several accounts on one network: each under its own limit, their address over its own."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report_per_ip": "3/h"}
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    listings = [ListingFactory() for _n in range(4)]
    for number, listing in enumerate(listings[:3]):
        # Each time the client makes up another address; the proxy appends the one it saw.
        headers = {"x-forwarded-for": f"203.0.113.{number}, 192.0.2.9"}
        response = client_for(UserFactory()).post(report_url(listing), {"reason": "counterfeit"}, headers=headers)
        assert response.status_code == 302
    client = client_for(UserFactory())
    refused = client.post(report_url(listings[3]), {"reason": "counterfeit"}, headers={"x-forwarded-for": "192.0.2.9"})
    assert refused.status_code == 429 and refused["Retry-After"]
    assert "Many listings were reported from your network" in refused.content.decode()
    assert not Report.objects.filter(listing=listings[3]).exists()
    spanish = client.post(
        report_url(listings[3]),
        {"reason": "counterfeit"},
        headers={"x-forwarded-for": "192.0.2.9", "accept-language": "es"},
    )
    assert "Se denunciaron muchos anuncios desde tu red" in spanish.content.decode()
    # Another network is not held back.
    other = client_for(UserFactory())
    assert (
        other.post(
            report_url(listings[3]), {"reason": "counterfeit"}, headers={"x-forwarded-for": "198.51.100.4"}
        ).status_code
        == 302
    )
