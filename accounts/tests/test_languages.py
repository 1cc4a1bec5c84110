"""A person's language is the one they last used the site in: kept at sign-in and at each switch of language, read
by whatever writes to them later (accounts.languages)."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts.languages import language_of, remember_language
from accounts.models import User
from conftest import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, user, **headers):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}, headers=headers)
    assert response.status_code == 302 and SESSION_KEY in client.session
    return response


def test_signing_in_keeps_the_language_the_browser_asked_for(client):
    reader = UserFactory()
    assert reader.language == "" and language_of(reader) == "en"
    sign_in(client, reader, accept_language="es-CO,es;q=0.9")
    reader.refresh_from_db()
    assert reader.language == "es" and language_of(reader) == "es"


def test_the_language_cookie_outweighs_the_browser_at_sign_in(client, settings):
    reader = UserFactory(language="es")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    sign_in(client, reader, accept_language="es")
    assert User.objects.get(pk=reader.pk).language == "en"


def test_switching_language_keeps_it_for_a_signed_in_person(client):
    reader = UserFactory()
    sign_in(client, reader, accept_language="en")
    response = client.post(reverse("set_language"), {"language": "es", "next": "/books/"})
    assert response.status_code == 302 and response.url == "/books/"
    assert User.objects.get(pk=reader.pk).language == "es"
    # The next page is in it, as before: the switch is still Django's.
    assert 'lang="es"' in client.get("/books/").content.decode()

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert User.objects.get(pk=reader.pk).language == "en"


def test_a_language_the_site_does_not_offer_changes_nothing(client):
    reader = UserFactory(language="es")
    sign_in(client, reader, accept_language="es")
    response = client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert response.status_code == 302
    assert User.objects.get(pk=reader.pk).language == "es"
    remember_language(reader, "de")
    remember_language(reader, "")
    assert User.objects.get(pk=reader.pk).language == "es"


def test_a_regional_variant_counts_as_its_language():
    reader = UserFactory()
    remember_language(reader, "es-MX")
    assert User.objects.get(pk=reader.pk).language == "es"


def test_a_visitor_switches_language_without_an_account(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": "/books/"})
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "es"
    assert not User.objects.filter(language="es").exists()


def test_staff_see_and_can_set_the_language_in_the_admin(client_for):
    staff = UserFactory(is_staff=True, is_superuser=True)
    reader = UserFactory(language="es")
    page = client_for(staff).get(reverse("admin:accounts_user_change", args=[reader.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="language"' in html and '<option value="es" selected>' in html
