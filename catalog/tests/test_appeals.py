"""Hiding a listing tells the seller why, and the seller can appeal from the inventory; staff answer in the admin."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.models import Appeal, Listing, Report
from catalog.services.moderation import (
    accept_appeal,
    appeal_listing,
    hide_listing,
    reject_appeal,
    resolve_reports_by_hiding,
    unhide_listing,
)
from catalog.states import IllegalTransition
from conftest import ListingFactory

pytestmark = pytest.mark.django_db

INVENTORY = reverse("sell:inventory")
REASON = "The photos show a different edition."


def appeal_url(listing):
    return reverse("sell:listing_appeal", args=[listing.pk])


@pytest.fixture
def hidden(staff, alice_listing, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        hide_listing(alice_listing, staff, REASON)
    return alice_listing


# --- The email ------------------------------------------------------------------------


def test_hiding_sends_the_seller_one_email_with_the_reason(
    staff, alice, alice_listing, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://books.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        hide_listing(alice_listing, staff, REASON)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["alice@example.com"]
    assert "The Name of the Rose" in message.subject
    assert REASON in message.body
    assert "https://books.example.org/sell/?status=hidden" in message.body
    html = message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html"
    assert REASON in html and 'href="https://books.example.org/sell/?status=hidden"' in html


def test_the_email_is_in_the_site_default_language(
    staff, alice_listing, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.LANGUAGE_CODE = "es"
    with django_capture_on_commit_callbacks(execute=True):
        hide_listing(alice_listing, staff, REASON)
    assert "ocultó" in mailoutbox[0].body


def test_no_email_when_hiding_is_refused(staff, alice, mailoutbox, django_capture_on_commit_callbacks):
    listing = ListingFactory(seller=alice, status=Listing.Status.ARCHIVED)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(IllegalTransition):
        hide_listing(listing, staff, REASON)
    assert mailoutbox == []


# --- The inventory and the appeal ---------------------------------------------------------


def test_inventory_shows_the_reason_and_the_appeal_form(client_for, alice, hidden):
    html = client_for(alice).get(INVENTORY).content.decode()
    assert REASON in html
    assert f'action="{appeal_url(hidden)}"' in html
    assert 'name="text"' in html


def test_the_owner_appeals_and_sees_it_waiting(client_for, alice, hidden):
    client = client_for(alice)
    response = client.post(appeal_url(hidden), {"text": "It is the 1983 edition; I fixed the photos."})
    assert response.status_code == 302 and response["Location"] == INVENTORY
    appeal = Appeal.objects.get()
    assert (appeal.listing, appeal.seller, appeal.status) == (hidden, alice, Appeal.Status.OPEN)
    assert appeal.hidden_reason == REASON
    html = client.get(INVENTORY).content.decode()
    assert "Waiting for staff" in html
    assert f'action="{appeal_url(hidden)}"' not in html  # one appeal at a time


def test_another_seller_cannot_appeal(client_for, bob, hidden):
    assert client_for(bob).post(appeal_url(hidden), {"text": "Mine now"}).status_code == 404
    assert not Appeal.objects.exists()


def test_a_blank_appeal_is_refused_with_a_message(client_for, alice, hidden):
    response = client_for(alice).post(appeal_url(hidden), {"text": "   "})
    assert response.status_code == 400
    assert "Tell our staff why" in response.content.decode()
    assert not Appeal.objects.exists()


def test_a_second_appeal_while_one_waits_is_refused(client_for, alice, hidden):
    client = client_for(alice)
    client.post(appeal_url(hidden), {"text": "Please look again"})
    response = client.post(appeal_url(hidden), {"text": "Again"})
    assert response.status_code == 400
    assert Appeal.objects.count() == 1


def test_a_listing_that_is_not_hidden_cannot_be_appealed(client_for, alice, alice_listing):
    assert client_for(alice).post(appeal_url(alice_listing), {"text": "Why?"}).status_code == 400
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("method", ["get", "put"])
def test_appeal_wrong_method(client_for, alice, hidden, method):
    assert getattr(client_for(alice), method)(appeal_url(hidden)).status_code == 405


def test_appeal_anonymous_goes_to_login(client, hidden):
    response = client.post(appeal_url(hidden), {"text": "x"})
    assert response.status_code == 302 and "login" in response["Location"]


# --- Staff's answer ------------------------------------------------------------------------


def test_accepting_unhides_and_the_seller_sees_the_outcome(client_for, alice, staff, hidden):
    appeal = appeal_listing(hidden, alice, "Fixed")
    accept_appeal(appeal, staff, "Thanks, it looks right now.")
    hidden.refresh_from_db()
    assert hidden.status == Listing.Status.ACTIVE
    appeal.refresh_from_db()
    assert (appeal.status, appeal.staff_note, appeal.resolved_by) == (
        Appeal.Status.ACCEPTED,
        "Thanks, it looks right now.",
        staff,
    )
    html = client_for(alice).get(INVENTORY).content.decode()
    assert "Your appeal was accepted" in html and "Thanks, it looks right now." in html


def test_rejecting_keeps_it_hidden_and_lets_the_seller_appeal_again(client_for, alice, staff, hidden):
    appeal = appeal_listing(hidden, alice, "Fixed")
    with pytest.raises(ValidationError):
        reject_appeal(appeal, staff, "")
    reject_appeal(appeal, staff, "The ISBN still belongs to another book.")
    hidden.refresh_from_db()
    assert hidden.status == Listing.Status.HIDDEN
    html = client_for(alice).get(INVENTORY).content.decode()
    assert "The ISBN still belongs to another book." in html
    assert f'action="{appeal_url(hidden)}"' in html
    with pytest.raises(ValidationError):
        accept_appeal(appeal, staff)  # already answered


def test_unhiding_from_the_listing_answers_a_waiting_appeal(alice, staff, hidden):
    appeal = appeal_listing(hidden, alice, "Fixed")
    unhide_listing(hidden, staff)
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.ACCEPTED


def test_staff_see_appeals_in_the_admin_and_accept_with_a_note(client_for, alice, staff, hidden):
    appeal_listing(hidden, alice, "It is the right edition")
    client = client_for(staff)
    changelist = reverse("admin:catalog_appeal_changelist")
    html = client.get(changelist).content.decode()
    assert "It is the right edition" in html and "The Name of the Rose" in html
    listing_page = client.get(reverse("admin:catalog_listing_change", args=[hidden.pk])).content.decode()
    assert "It is the right edition" in listing_page
    response = client.post(
        changelist,
        {"action": "accept_selected", "_selected_action": [Appeal.objects.get().pk], "note": "Looks fine now"},
    )
    assert response.status_code == 302
    hidden.refresh_from_db()
    assert hidden.status == Listing.Status.ACTIVE
    assert Appeal.objects.get().staff_note == "Looks fine now"


def test_staff_reject_needs_a_note_in_the_admin(client_for, alice, staff, hidden):
    appeal = appeal_listing(hidden, alice, "Please")
    client = client_for(staff)
    changelist = reverse("admin:catalog_appeal_changelist")
    response = client.post(
        changelist, {"action": "reject_selected", "_selected_action": [appeal.pk], "note": ""}, follow=True
    )
    assert "Tell the seller why" in response.content.decode()
    assert Appeal.objects.get().status == Appeal.Status.OPEN


def test_inventory_with_hidden_listings_and_appeals_stays_within_its_budget(
    client_for, alice, staff, django_assert_max_num_queries
):
    for number in range(4):
        listing = ListingFactory(seller=alice)
        hide_listing(listing, staff, f"Reason {number}")
        appeal_listing(listing, alice, f"Appeal {number}")
    client = client_for(alice)
    client.get(INVENTORY)
    # The page's own nine, plus the hidden listings and their appeals (two, however many there are).
    with django_assert_max_num_queries(11):
        html = client.get(INVENTORY).content.decode()
    assert all(f"Reason {number}" in html for number in range(4))


def test_resolving_reports_by_hiding_emails_each_seller_once(
    staff, alice_listing, bob_listing, charlie, mailoutbox, django_capture_on_commit_callbacks
):
    reports = [
        Report.objects.create(listing=listing, reporter=charlie, reason=Report.Reason.COUNTERFEIT)
        for listing in (alice_listing, bob_listing)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        resolve_reports_by_hiding(reports, staff, "Counterfeit copies")
    assert sorted(message.to[0] for message in mailoutbox) == ["alice@example.com", "bob@example.com"]
    assert all("Counterfeit copies" in message.body for message in mailoutbox)


def test_the_inventory_speaks_spanish(client_for, alice, hidden):
    html = client_for(alice).get(INVENTORY, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    for phrase in ("Ocultos por nuestro equipo", "Motivo que dio nuestro equipo", "Tu mensaje para nuestro equipo"):
        assert phrase in html
