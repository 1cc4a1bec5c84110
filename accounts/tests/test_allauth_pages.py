"""allauth's pages in the site layout, and its flows through the test client."""

from urllib.parse import urlparse

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.tests.conftest import assert_in_layout, last_email_link
from conftest import PASSWORD, UserFactory

NEW_PASSWORD = "a-brand-new-secret-42"

pytestmark = pytest.mark.django_db


def signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


# --- Every page renders in our layout --------------------------------------


@pytest.mark.parametrize(
    "url_name",
    ["account_login", "account_signup", "account_reset_password", "account_reset_password_done"],
)
def test_entrance_pages_render_in_site_layout(client, url_name):
    html = assert_in_layout(client.get(reverse(url_name)))
    assert 'class="card' in html
    assert 'class="btn btn-primary' in html


def test_login_page_labels_every_field(client):
    html = assert_in_layout(client.get(reverse("account_login")))
    assert '<label class="form-label" for="id_login">' in html
    assert '<label class="form-label" for="id_password">' in html
    assert 'class="form-control"' in html
    assert reverse("account_reset_password") in html


def test_signup_errors_are_shown_next_to_the_fields(client, charlie):
    response = client.post(
        reverse("account_signup"),
        {"email": "charlie@example.com", "password1": "short", "password2": "different"},
    )
    html = assert_in_layout(response, status=400)
    assert "is-invalid" in html
    assert 'class="invalid-feedback"' in html
    assert User.objects.filter(email="charlie@example.com").count() == 1


@pytest.mark.parametrize(
    "url_name", ["account_logout", "account_change_password", "account_email", "account_email_verification_sent"]
)
def test_signed_in_pages_render_in_site_layout(client_for, charlie, url_name):
    assert_in_layout(client_for(charlie).get(reverse(url_name)))


def test_logout_page_asks_to_confirm_with_a_post_button(client_for, charlie):
    client = client_for(charlie)
    html = assert_in_layout(client.get(reverse("account_logout")))
    assert f'<form method="post" action="{reverse("account_logout")}">' in html
    assert 'type="submit"' in html
    # Showing the page does not sign anyone out.
    assert signed_in_user_id(client) == str(charlie.pk)


def test_password_set_page_for_a_user_without_password(client_for, db):
    user = UserFactory(email="nopass@example.com")
    user.set_unusable_password()
    user.save()
    html = assert_in_layout(client_for(user).get(reverse("account_set_password")))
    assert 'name="password1"' in html


def test_email_page_lists_addresses_with_bootstrap_radios_and_badges(client_for, charlie):
    assert EmailAddress.objects.filter(user=charlie, email=charlie.email, primary=True, verified=True).exists()
    html = assert_in_layout(client_for(charlie).get(reverse("account_email")))
    assert 'class="form-check-input' in html
    assert "text-bg-success" in html  # verified
    assert "text-bg-primary" in html  # primary
    assert "btn-outline-danger" in html  # remove


def test_email_confirmation_page_with_valid_and_invalid_key(client, db):
    charlie = UserFactory(email="charlie@example.com", email_verified=False)
    address = EmailAddress.objects.create(user=charlie, email=charlie.email, primary=True, verified=False)
    key = EmailConfirmationHMAC(address).key
    html = assert_in_layout(client.get(reverse("account_confirm_email", args=[key])))
    assert charlie.email in html
    assert 'type="submit"' in html

    response = client.post(reverse("account_confirm_email", args=[key]))
    assert response.status_code == 302
    address.refresh_from_db()
    assert address.verified

    html = assert_in_layout(client.get(reverse("account_confirm_email", args=["not-a-key"])))
    assert reverse("account_email") in html  # "issue a new email confirmation request"


def test_account_inactive_page_renders(client):
    assert_in_layout(client.get(reverse("account_inactive")))


def test_manage_pages_show_the_account_menu(client_for, charlie):
    html = assert_in_layout(client_for(charlie).get(reverse("account_change_password")))
    assert 'aria-label="Your account"' in html
    assert reverse("accounts:profile") in html


# --- Flows ------------------------------------------------------------------


def test_sign_up_creates_a_user_with_email_as_login_and_signs_them_in_once_confirmed(
    client, django_capture_on_commit_callbacks
):
    # allauth's emails leave through the job outbox, after commit.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {"email": "Dora@Example.com", "password1": PASSWORD, "password2": PASSWORD},
        )
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(email__iexact="dora@example.com")
    assert user.email == "dora@example.com"
    assert user.check_password(PASSWORD)
    # Mandatory verification: not signed in until the emailed link is followed.
    assert signed_in_user_id(client) is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dora@example.com"]
    assert mail.outbox[0].subject.startswith("[BookStore]")
    html = assert_in_layout(client.get(response.url))
    assert "Verify Your Email Address" in html
    assert f'<a href="{reverse("account_login")}">Sign in</a>' in html  # how to get a new link
    spanish = client.get(response.url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "te enviamos un enlace nuevo" in spanish

    link = urlparse(last_email_link(r"/accounts/confirm-email/")).path
    assert_in_layout(client.get(link))
    response = client.post(link)
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)
    assert EmailAddress.objects.get(user=user).verified


# allauth's emails leave through the job outbox after a real commit.
@pytest.mark.django_db(transaction=True)
def test_signing_in_before_confirming_sends_the_link_again_and_waits(client, db):
    user = UserFactory(email="erin@example.com", email_verified=False)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert signed_in_user_id(client) is None
    assert mail.outbox[-1].to == [user.email]
    assert last_email_link(r"/accounts/confirm-email/")


# allauth's emails leave through the job outbox after a real commit.
@pytest.mark.django_db(transaction=True)
def test_sign_up_with_an_email_already_registered_tells_its_owner_not_the_visitor(client, charlie):
    response = client.post(
        reverse("account_signup"),
        {"email": "CHARLIE@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    # The visitor sees what any sign-up sees, so the form does not reveal who has an account...
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert User.objects.filter(email__iexact="charlie@example.com").count() == 1
    assert signed_in_user_id(client) is None
    # ...and the address's owner learns of the attempt, with a way back into their account.
    [notice] = mail.outbox
    assert notice.to == ["charlie@example.com"]
    assert last_email_link(r"/accounts/password/reset/$")


def test_log_in_and_log_out(client, charlie):
    response = client.post(reverse("account_login"), {"login": "charlie@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(charlie.pk)

    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert signed_in_user_id(client) is None


def test_log_in_with_a_wrong_password_shows_the_error_in_the_form(client, charlie):
    response = client.post(reverse("account_login"), {"login": "charlie@example.com", "password": "nope"})
    html = assert_in_layout(response, status=400)
    assert "The email address and/or password you specified are not correct." in html
    assert 'class="alert alert-danger"' in html
    assert 'value="charlie@example.com"' in html  # what they typed is kept
    assert signed_in_user_id(client) is None


def test_password_reset_email_link_sets_a_new_password(client, charlie, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the email leaves through the job outbox
        response = client.post(reverse("account_reset_password"), {"email": "charlie@example.com"})
    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["charlie@example.com"]
    assert "Hello from BookStore!" in mail.outbox[0].body

    link = urlparse(last_email_link(r"/accounts/password/reset/key/")).path
    # allauth moves the key into the session and redirects to a key-less URL.
    response = client.get(link)
    assert response.status_code == 302
    form_url = response.url
    html = assert_in_layout(client.get(form_url))
    assert 'name="password1"' in html

    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_from_key_done")
    assert_in_layout(client.get(response.url))

    charlie.refresh_from_db()
    assert charlie.check_password(NEW_PASSWORD)
    client.logout()
    response = client.post(reverse("account_login"), {"login": "charlie@example.com", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(charlie.pk)


def test_password_reset_with_a_bad_key_says_so(client, charlie):
    url = reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "bad-key"})
    html = assert_in_layout(client.get(url))
    assert "Bad Token" in html
    assert reverse("account_reset_password") in html


def test_password_change(client_for, charlie):
    client = client_for(charlie)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    charlie.refresh_from_db()
    assert charlie.check_password(NEW_PASSWORD)
    # Still signed in after changing it.
    assert signed_in_user_id(client) == str(charlie.pk)


def test_password_change_with_wrong_current_password_changes_nothing(client_for, charlie):
    response = client_for(charlie).post(
        reverse("account_change_password"),
        {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    html = assert_in_layout(response, status=400)
    assert "is-invalid" in html
    charlie.refresh_from_db()
    assert charlie.check_password(PASSWORD)


def test_password_change_sends_anonymous_to_login(client):
    response = client.get(reverse("account_change_password"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_deactivated_user_cannot_log_in(client, charlie):
    charlie.is_active = False
    charlie.save()
    response = client.post(reverse("account_login"), {"login": "charlie@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("account_inactive")
    assert signed_in_user_id(client) is None


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("account_signup", {"email": "not an address", "password1": "x", "password2": "y"}),
        ("account_reset_password", {"email": "not an address"}),
        ("account_login", {"login": "", "password": ""}),
    ],
)
def test_a_refused_form_answers_400_with_its_errors(client, db, url_name, data):
    response = client.post(reverse(url_name), data)
    html = assert_in_layout(response, status=400)
    assert "is-invalid" in html or "alert-danger" in html


def test_a_form_that_passes_still_redirects(client, charlie):
    response = client.post(reverse("account_reset_password"), {"email": charlie.email})
    assert response.status_code == 302
