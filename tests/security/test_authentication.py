"""Authentication: brute force is stopped (429), sessions are rotated and ended, redirects stay on the site."""

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session

from conftest import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOO_MANY = "Too many failed login attempts. Try again later."
WRONG = "The email address and/or password you specified are not correct."


def fail_login(client, email: str, **headers):
    return client.post(LOGIN, {"login": email, "password": "not-the-password"}, headers=headers)


def test_the_sixth_failed_login_is_refused_with_429_even_with_the_right_password(client, charlie):
    for _attempt in range(5):
        response = fail_login(client, charlie.email)
        assert response.status_code == 400
        assert WRONG in response.content.decode()
    response = client.post(LOGIN, {"login": charlie.email, "password": PASSWORD})
    assert response.status_code == 429
    assert TOO_MANY in response.content.decode()  # the same page, with its message
    assert SESSION_KEY not in client.session


def test_a_spoofed_x_forwarded_for_does_not_reset_the_limit(client):
    """Five addresses from one client: the per-IP limit holds whatever X-Forwarded-For claims."""
    for attempt in range(5):
        response = fail_login(client, f"victim{attempt}@example.com", x_forwarded_for=f"203.0.113.{attempt}")
        assert response.status_code == 400
    response = fail_login(client, "victim9@example.com", x_forwarded_for="198.51.100.99")
    assert response.status_code == 429


def test_behind_the_proxy_only_the_address_it_appends_counts(client, settings):
    """With NGINX in front (one trusted proxy) the client's own X-Forwarded-For entries are ignored."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for attempt in range(5):
        # The attacker sends a different address each time; NGINX appends the one it really saw.
        spoofed = f"203.0.113.{attempt}, 192.0.2.10"
        assert fail_login(client, f"victim{attempt}@example.com", x_forwarded_for=spoofed).status_code == 400
    response = fail_login(client, "victim9@example.com", x_forwarded_for="198.51.100.99, 192.0.2.10")
    assert response.status_code == 429
    # Someone else behind the same proxy is not affected.
    other = fail_login(client, "victim9@example.com", x_forwarded_for="192.0.2.77")
    assert other.status_code == 400


def test_the_session_key_changes_at_login(client, charlie, alice_listing):
    client.post(f"/cart/add/{alice_listing.pk}/", {"quantity": 1})  # an anonymous session with a cart
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=before).exists()

    response = client.post(LOGIN, {"login": charlie.email, "password": PASSWORD})
    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()  # a planted session id is worthless


def test_logout_ends_the_session_on_the_server(client, charlie):
    client.post(LOGIN, {"login": charlie.email, "password": PASSWORD})
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/orders/").status_code == 200

    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=stolen).exists()
    client.cookies[settings.SESSION_COOKIE_NAME] = stolen  # replaying the old cookie
    response = client.get("/orders/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_deactivating_a_user_ends_their_sessions(client, staff, charlie):
    from django.test import Client

    client.post(LOGIN, {"login": charlie.email, "password": PASSWORD})
    assert client.get("/orders/").status_code == 200

    admin = Client()
    admin.force_login(staff)
    response = admin.post(
        "/admin/accounts/user/", {"action": "deactivate_selected", "_selected_action": [charlie.pk], "index": 0}
    )
    assert response.status_code == 302
    charlie.refresh_from_db()
    assert not charlie.is_active

    response = client.get("/orders/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    login_again = client.post(LOGIN, {"login": charlie.email, "password": PASSWORD})
    assert login_again.status_code in (200, 302)
    if login_again.status_code == 302:
        assert login_again["Location"] == "/accounts/inactive/"
    response = client.get("/orders/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


EVIL = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "https:evil.example",
    "http://testserver@evil.example/",
    " //evil.example",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("target", EVIL)
def test_login_never_redirects_off_site(client, charlie, target):
    response = client.post(f"{LOGIN}?next={target}", {"login": charlie.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("target", EVIL)
def test_a_next_field_in_the_login_form_is_checked_too(client, charlie, target):
    response = client.post(LOGIN, {"login": charlie.email, "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("target", EVIL)
def test_the_language_switch_never_redirects_off_site(client, target):
    response = client.post("/i18n/setlang/", {"language": "es", "next": target}, headers={"referer": target})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("target", EVIL)
def test_seller_quick_actions_never_redirect_off_site(client_for, alice, alice_listing, target):
    response = client_for(alice).post(f"/sell/listings/{alice_listing.pk}/pause/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/sell/"


def test_logout_never_redirects_off_site(client, charlie):
    client.force_login(charlie)
    response = client.post("/accounts/logout/", {"next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_safe_next_is_followed(client, charlie):
    """The checks above refuse only what is foreign: a path on this site is honoured."""
    response = client.post(f"{LOGIN}?next=/orders/", {"login": charlie.email, "password": PASSWORD})
    assert response["Location"] == "/orders/"


def test_new_passwords_must_not_be_weak(client):
    response = client.post(
        "/accounts/signup/", {"email": "weak@example.com", "password1": "password", "password2": "password"}
    )
    assert response.status_code == 400
    assert "This password is too common." in response.content.decode()
    assert not UserFactory._meta.model.objects.filter(email="weak@example.com").exists()
