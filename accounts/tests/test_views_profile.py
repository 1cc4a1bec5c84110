import pytest
from django.urls import reverse

from accounts.tests.conftest import assert_in_layout

URL = "/accounts/profile/"

pytestmark = pytest.mark.django_db


def test_profile_url_is_stable():
    assert reverse("accounts:profile") == URL


def test_profile_shows_name_form_account_links_and_shop(client_for, alice, django_assert_max_num_queries):
    client = client_for(alice)
    with django_assert_max_num_queries(6):
        response = client.get(URL)
    html = assert_in_layout(response)
    assert 'value="Alice"' in html
    assert 'value="Seller"' in html
    assert reverse("account_change_password") in html
    assert reverse("account_email") in html
    assert "Alice&#x27;s Attic" in html
    assert "Bogotá, Cundinamarca, Colombia" in html
    assert reverse("accounts:shop_edit") in html
    assert reverse("catalog:shop", kwargs={"slug": "alices-attic"}) in html


def test_profile_without_shop_invites_to_open_one(client_for, charlie):
    html = assert_in_layout(client_for(charlie).get(URL))
    assert "Open a shop" in html
    assert reverse("accounts:shop_edit") in html


def test_profile_edit_saves_the_name_with_a_message(client_for, charlie):
    client = client_for(charlie)
    response = client.post(URL, {"first_name": "  Charles ", "last_name": "Darwin"})
    assert response.status_code == 302
    assert response.url == URL
    charlie.refresh_from_db()
    assert (charlie.first_name, charlie.last_name) == ("Charles", "Darwin")
    html = assert_in_layout(client.get(URL))
    assert "Your profile was saved." in html


def test_profile_edit_with_too_long_name_keeps_input_and_changes_nothing(client_for, charlie):
    too_long = "x" * 151
    response = client_for(charlie).post(URL, {"first_name": too_long, "last_name": "Darwin"})
    html = assert_in_layout(response)
    assert "is-invalid" in html
    assert 'value="Darwin"' in html
    charlie.refresh_from_db()
    assert charlie.first_name == "Charlie"
    # The navbar still shows the stored name, not the rejected one.
    assert too_long not in html.split("<main", 1)[0]


def test_profile_sends_anonymous_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={URL}"


def test_profile_refuses_other_methods(client_for, charlie):
    assert client_for(charlie).put(URL).status_code == 405
