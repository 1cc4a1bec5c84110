"""Links in allauth's emails lead to SITE_URL, the site's public address, whatever host the request named."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.tests.conftest import last_email_link
from conftest import PASSWORD, UserFactory

# allauth's emails leave through the job outbox after a real commit.
pytestmark = pytest.mark.django_db(transaction=True)

SITE = "https://books.example.test"


@pytest.fixture(autouse=True)
def _public_site(settings):
    settings.SITE_URL = SITE
    # A request may name any host the site answers to; none of them is the public address here.
    settings.ALLOWED_HOSTS = ["testserver", "internal-node-7.local"]


def links(message) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", message.body)


def assert_only_public_links(message) -> None:
    found = links(message)
    assert found, message.body
    assert all(link.startswith(f"{SITE}/") for link in found), found
    assert "testserver" not in message.body and "internal-node-7" not in message.body
    # allauth's closing line names the site by its public host.
    assert "books.example.test" in message.body


def test_password_reset_link_starts_with_the_public_address(client, charlie):
    response = client.post(
        reverse("account_reset_password"), {"email": charlie.email}, HTTP_HOST="internal-node-7.local"
    )
    assert response.status_code == 302
    [message] = mail.outbox
    assert_only_public_links(message)
    assert last_email_link(r"/accounts/password/reset/key/").startswith(f"{SITE}/accounts/password/reset/key/")


def test_password_reset_link_from_the_public_address_still_resets_the_password(client, charlie):
    client.post(reverse("account_reset_password"), {"email": charlie.email})
    path = last_email_link(r"/accounts/password/reset/key/").removeprefix(SITE)
    form_url = client.get(path)["Location"]
    response = client.post(form_url, {"password1": "a-brand-new-secret-42", "password2": "a-brand-new-secret-42"})
    assert response.status_code == 302
    charlie.refresh_from_db()
    assert charlie.check_password("a-brand-new-secret-42")


def test_confirmation_link_at_sign_up_starts_with_the_public_address(client):
    client.post(
        reverse("account_signup"),
        {"email": "dora@example.com", "password1": PASSWORD, "password2": PASSWORD},
        HTTP_HOST="internal-node-7.local",
    )
    [message] = mail.outbox
    assert_only_public_links(message)
    assert last_email_link(r"/accounts/confirm-email/").startswith(f"{SITE}/accounts/confirm-email/")


def test_the_links_in_the_other_account_emails_start_with_the_public_address(client, charlie):
    # A reset asked for an address nobody signed up with: the email offers to sign up.
    client.post(reverse("account_reset_password"), {"email": "nobody@example.com"}, HTTP_HOST="internal-node-7.local")
    # A sign-up with an address already taken: its owner gets a reset link.
    client.post(
        reverse("account_signup"),
        {"email": charlie.email, "password1": PASSWORD, "password2": PASSWORD},
        HTTP_HOST="internal-node-7.local",
    )
    unknown, already = mail.outbox
    assert f"{SITE}/accounts/signup/" in links(unknown)
    assert f"{SITE}/accounts/password/reset/" in links(already)
    for message in (unknown, already):
        assert_only_public_links(message)


def test_confirmation_link_sent_again_from_the_gate_starts_with_the_public_address(client_for):
    user = UserFactory(email="erin@example.com", email_verified=False)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    client_for(user).post(
        reverse("accounts:resend_confirmation"), {"next": "/checkout/"}, HTTP_HOST="internal-node-7.local"
    )
    [message] = mail.outbox
    assert_only_public_links(message)
