import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.signing import Signer
from django.test import Client
from django.utils import timezone

from accounts.models import User
from jobs.services import run_due_jobs
from wants.models import Match, SavedSearch, Want
from wants.services import unsubscribe_token
from wants.services.digest import send_digests
from wants.tests.conftest import ISBN

pytestmark = pytest.mark.django_db


def digest(capture, now=None):
    with capture(execute=True):
        count = send_digests(now)
    return count


# Committed rows: MariaDB's full-text index (the saved search) sees no uncommitted row.
@pytest.mark.django_db(transaction=True)
def test_one_email_a_day_each_listing_once(
    charlie, charlie_want, alice, publish, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://books.example"
    Want.objects.create(user=charlie, isbn13=ISBN, country="CO", title="x")  # a second want for the same copy
    SavedSearch.objects.create(user=charlie, query="q=middlemarch", q="middlemarch", key_word="middlemarch")
    listing = publish(alice)
    assert Match.objects.filter(listing=listing).count() == 3
    mail.outbox.clear()

    assert digest(django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [charlie.email]
    link = f"https://books.example/books/{listing.pk}/"
    assert email.body.count(link) == 1  # once, although three wants and searches found it
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert len(re.findall(r"/wants/unsubscribe/", email.body)) == 4  # two wants, one search, and all
    assert not Match.objects.filter(emailed_at__isnull=True).exists()

    # A new match the same day waits for tomorrow's digest.
    other = publish(alice, price=Decimal("11.00"))
    assert digest(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1
    assert digest(django_capture_on_commit_callbacks, timezone.now() + timedelta(days=1)) == 1
    assert len(mail.outbox) == 2
    assert f"/books/{other.pk}/" in mail.outbox[1].body
    run_due_jobs()
    assert len(mail.outbox) == 2


def test_digest_in_the_buyers_language(charlie, carriers, alice, publish, django_capture_on_commit_callbacks):
    Want.objects.create(user=charlie, isbn13=ISBN, country="CO", site_language="es")
    publish(alice)
    mail.outbox.clear()
    digest(django_capture_on_commit_callbacks)
    assert mail.outbox[0].subject == "Un libro que buscas está a la venta"
    assert "Hay a la venta ejemplares nuevos" in mail.outbox[0].body


def test_the_buyers_own_language_outweighs_the_wants(
    charlie, carriers, alice, publish, django_capture_on_commit_callbacks
):
    # The want was made in English; charlie has since switched the site to Spanish.
    Want.objects.create(user=charlie, isbn13=ISBN, country="CO", site_language="en")
    User.objects.filter(pk=charlie.pk).update(language="es")
    publish(alice)
    mail.outbox.clear()
    digest(django_capture_on_commit_callbacks)
    assert mail.outbox[0].subject == "Un libro que buscas está a la venta"
    assert '<html lang="es">' in mail.outbox[0].alternatives[0][0]


def test_no_email_for_a_listing_sold_out_since(charlie_want, alice, publish, django_capture_on_commit_callbacks):
    listing = publish(alice)
    listing.quantity = 0
    listing.save()
    mail.outbox.clear()
    assert digest(django_capture_on_commit_callbacks) == 0
    assert not mail.outbox


def test_unsubscribe_one_want(client, charlie_want):
    url = f"/wants/unsubscribe/{unsubscribe_token(charlie_want.user_id, 'want', charlie_want.pk)}/"
    response = client.get(url)
    assert response.status_code == 200
    assert b'type="submit"' in response.content
    charlie_want.refresh_from_db()
    assert not charlie_want.paused  # GET only asks
    assert client.post(url).status_code == 200
    charlie_want.refresh_from_db()
    assert charlie_want.paused


def test_one_click_unsubscribe_without_csrf_or_session(charlie, charlie_want):
    search = SavedSearch.objects.create(user=charlie, query="q=eliot", q="eliot", key_word="eliot")
    client = Client(enforce_csrf_checks=True)
    token = unsubscribe_token(charlie.pk, "all")
    response = client.post(f"/wants/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Want.objects.get(pk=charlie_want.pk).paused
    assert SavedSearch.objects.get(pk=search.pk).paused


@pytest.mark.parametrize("token", ["nonsense", "eyJ1IjoxfQ:1abc:forged", None])
def test_bad_or_forged_tokens_answer_400(client, charlie_want, token):
    if token is None:  # signed with the right key but another salt: not an unsubscribe token
        token = Signer(salt="other").sign_object({"u": charlie_want.user_id, "k": "all", "id": None})
    for method in (client.get, client.post):
        response = method(f"/wants/unsubscribe/{token}/")
        assert response.status_code == 400
        assert b"damaged" in response.content
    charlie_want.refresh_from_db()
    assert not charlie_want.paused
