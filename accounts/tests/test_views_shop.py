import re

import pytest
from django.urls import reverse

from accounts.models import SHOP_COUNTRIES, Shop
from accounts.tests.conftest import assert_in_layout
from conftest import ShopFactory

URL = "/sell/shop/"

pytestmark = pytest.mark.django_db


def shop_data(**overrides):
    data = {
        "name": "Charlie's Corner",
        "about": "Old maps and travel books.",
        "city": "Sevilla",
        "region": "",
        "country": "ES",
    }
    data.update(overrides)
    return data


def test_shop_url_is_stable():
    assert reverse("accounts:shop_edit") == URL


def test_new_seller_sees_an_empty_open_shop_form(client_for, charlie, django_assert_max_num_queries):
    client = client_for(charlie)
    with django_assert_max_num_queries(5):
        response = client.get(URL)
    html = assert_in_layout(response)
    assert "Open your shop" in html
    for field in ("name", "about", "city", "region", "country"):
        assert f'for="id_{field}"' in html
    assert 'class="form-select' in html  # the country list


def test_open_shop_creates_it_and_welcomes_the_seller_in_the_inventory(client_for, charlie):
    client = client_for(charlie)
    response = client.post(URL, shop_data())
    assert response.status_code == 302
    assert response.url == reverse("sell:inventory") == "/sell/"
    shop = Shop.objects.get(owner=charlie)
    assert (shop.name, shop.slug, shop.city, shop.country.code) == (
        "Charlie's Corner",
        "charlies-corner",
        "Sevilla",
        "ES",
    )
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("Charlie's Corner is open" in m for m in messages)


def test_owner_edits_their_shop(client_for, alice, django_assert_max_num_queries):
    client = client_for(alice)
    with django_assert_max_num_queries(6):
        html = assert_in_layout(client.get(URL))
    assert 'value="Alice&#x27;s Attic"' in html
    assert "Shop details" in html

    response = client.post(URL, shop_data(name="Alice's Attic", city="Medellín", country="CO", region="Antioquia"))
    assert response.status_code == 302
    assert response.url == URL
    shop = Shop.objects.get(owner=alice)
    assert (shop.city, shop.region) == ("Medellín", "Antioquia")
    assert shop.slug == "alices-attic"  # same name, same address
    assert "Your shop details were saved." in assert_in_layout(client.get(URL))


def test_renaming_a_shop_gives_it_a_new_slug_and_old_links_follow(client_for, alice):
    client = client_for(alice)
    client.post(URL, shop_data(name="Attic Books"))
    assert Shop.objects.get(owner=alice).slug == "attic-books"
    assert 'href="/shops/attic-books/"' in assert_in_layout(client.get(URL))
    response = client.get("/shops/alices-attic/?page=2&sort=price_asc")
    assert response.status_code == 301
    assert response["Location"] == "/shops/attic-books/?page=2&sort=price_asc"


def test_shop_name_must_be_unique_ignoring_case(client_for, alice, charlie):
    response = client_for(charlie).post(URL, shop_data(name="ALICE'S ATTIC", about="Kept after the error"))
    html = assert_in_layout(response)
    assert "already exists" in html
    assert 'id="id_name_errors"' in html
    assert "Kept after the error" in html  # nothing typed is lost
    assert not Shop.objects.filter(owner=charlie).exists()


def test_renaming_to_another_shops_name_is_refused(client_for, alice, bob):
    response = client_for(bob).post(URL, shop_data(name="alice's attic"))
    assert "already exists" in assert_in_layout(response)
    assert Shop.objects.get(owner=bob).name == "Bob's Books"


def test_slug_is_made_unique(client_for, alice, charlie):
    # Different names, same slug once punctuation is dropped.
    response = client_for(charlie).post(URL, shop_data(name="Alices Attic!"))
    assert response.status_code == 302
    assert Shop.objects.get(owner=charlie).slug == "alices-attic-2"


def test_missing_required_fields_are_form_errors(client_for, charlie):
    response = client_for(charlie).post(URL, shop_data(name="", city="", country=""))
    html = assert_in_layout(response)
    assert html.count("invalid-feedback") == 3
    assert not Shop.objects.exists()


def test_unknown_country_is_a_form_error(client_for, charlie):
    response = client_for(charlie).post(URL, shop_data(country="XX"))
    assert 'id="id_country_errors"' in assert_in_layout(response)
    assert not Shop.objects.exists()


def test_shop_countries_are_the_ones_our_carriers_serve(client_for, charlie):
    client = client_for(charlie)
    html = client.get(URL).content.decode()
    offered = set(re.findall(r'<option value="([A-Z]{2})"', html))
    assert offered == set(SHOP_COUNTRIES)
    response = client.post(URL, shop_data(country="FR", city="Lyon"))
    assert response.status_code == 200 and not Shop.objects.exists()
    assert "Shops can open only where our carriers collect parcels: Colombia, Mexico, Spain, United States" in (
        response.content.decode()
    )
    spanish = client.post(URL, shop_data(country="FR", city="Lyon"), HTTP_ACCEPT_LANGUAGE="es")
    assert "Solo puedes abrir una tienda donde nuestros transportistas recogen paquetes" in spanish.content.decode()


def test_a_shop_from_before_in_another_country_must_choose_a_served_one(client_for, charlie):
    ShopFactory(owner=charlie, name="Rive Gauche", country="FR", city="Paris")
    client = client_for(charlie)
    refused = client.post(URL, shop_data(name="Rive Gauche", country="FR", city="Paris"))
    assert "Shops can open only where our carriers collect parcels" in refused.content.decode()
    assert Shop.objects.get(owner=charlie).country.code == "FR"
    client.post(URL, shop_data(name="Rive Gauche", country="ES", city="Madrid"))
    assert Shop.objects.get(owner=charlie).country.code == "ES"


def test_a_user_only_ever_edits_their_own_shop(client_for, alice, bob):
    """There is no id in the URL: bob's form is bob's shop, whatever he posts."""
    client = client_for(bob)
    html = client.get(URL).content.decode()
    assert "Bob&#x27;s Books" in html
    assert "Alice&#x27;s Attic" not in html
    alice_shop = Shop.objects.get(owner=alice)
    client.post(URL, {**shop_data(name="Bob's Books"), "owner": alice.pk, "id": alice_shop.pk, "slug": "hijack"})
    alice_shop.refresh_from_db()
    assert (alice_shop.name, alice_shop.city, alice_shop.slug) == ("Alice's Attic", "Bogotá", "alices-attic")
    bob_shop = Shop.objects.get(owner=bob)
    assert bob_shop.city == "Sevilla"
    assert bob_shop.slug == "bobs-books"


def test_shop_page_sends_anonymous_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={URL}"
    response = client.post(URL, shop_data())
    assert response.status_code == 302
    assert not Shop.objects.exists()


def test_shop_page_refuses_other_methods(client_for, alice):
    assert client_for(alice).delete(URL).status_code == 405
