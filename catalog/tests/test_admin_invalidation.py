"""Changes staff make in the admin show at once on cached catalog pages, without waiting for the pages to expire.

The catalog's rows are edited directly in its admin (catalog/admin/); sellers are deactivated and shops renamed
in the accounts admin, which tells the catalog through accounts.changes. Changes are announced on commit, so the
admin requests run inside `django_capture_on_commit_callbacks(execute=True)`.
"""

import pytest
from django.test import Client
from django.urls import reverse

from catalog.cache import versions
from conftest import CategoryFactory

BROWSE = "/books/?view=copies"  # the copy view: its cards show the shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client_for, staff):
    return client_for(staff)


def cached_page(visitor: Client) -> str:
    """The catalog page as the cache holds it: the second visit is served from the cache."""
    visitor.get(BROWSE)
    response = visitor.get(BROWSE)
    assert response.status_code == 200
    return response.content.decode()


def page(visitor: Client) -> str:
    return visitor.get(BROWSE).content.decode()


def listing_form(listing, **changes) -> dict:
    data = {
        "book": listing.book_id,
        "seller": listing.seller_id,
        "condition": listing.condition,
        "condition_notes": listing.condition_notes,
        "price": str(listing.price),
        "quantity": listing.quantity,
        "photos-TOTAL_FORMS": 0,
        "photos-INITIAL_FORMS": 0,
        "photos-MIN_NUM_FORMS": 0,
        "photos-MAX_NUM_FORMS": 1000,
    }
    return {**data, **changes}


def user_form(user, **changes) -> dict:
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data = {**data, **changes}
    return {name: value for name, value in data.items() if value is not None}


def test_a_price_edited_in_the_admin_shows_at_once(
    page_cache, admin_client, alice_listing, django_capture_on_commit_callbacks
):
    visitor = Client()
    assert "$12.50" in cached_page(visitor)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:catalog_listing_change", args=[alice_listing.pk]), listing_form(alice_listing, price="7.25")
        )
    assert response.status_code == 302
    html = page(visitor)
    assert "$7.25" in html and "$12.50" not in html


def test_a_title_edited_in_the_admin_shows_at_once(
    page_cache, admin_client, alice_listing, django_capture_on_commit_callbacks
):
    visitor = Client()
    book = alice_listing.book
    assert "The Name of the Rose" in cached_page(visitor)
    data = {
        "title": "Il nome della rosa",
        "authors": book.authors,
        "publisher": book.publisher,
        "year": book.year,
        "language": book.language,
        "binding": book.binding,
        "category": book.category_id,
        "description": book.description,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:catalog_book_change", args=[book.pk]), data)
    assert response.status_code == 302
    html = page(visitor)
    assert "Il nome della rosa" in html and "The Name of the Rose" not in html


def test_a_category_renamed_in_the_admin_shows_in_the_cached_filters_at_once(
    page_cache, admin_client, alice_listing, django_capture_on_commit_callbacks
):
    visitor = Client()
    shelf = CategoryFactory(name="Rare maps", slug="rare-maps", position=3)
    assert "Rare maps" in cached_page(visitor)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:catalog_category_change", args=[shelf.pk]),
            {"name_en": "Old atlases", "name_es": "Atlas antiguos", "slug": "rare-maps", "position": 3},
        )
    assert response.status_code == 302
    html = page(visitor)
    assert "Old atlases" in html and "Rare maps" not in html


def test_a_seller_deactivated_from_the_admin_leaves_the_cached_catalog_at_once(
    page_cache, admin_client, alice, alice_listing, bob_listing, django_capture_on_commit_callbacks
):
    visitor = Client()
    assert "The Name of the Rose" in cached_page(visitor)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "deactivate_selected", "_selected_action": [alice.pk], "index": 0},
        )
    assert response.status_code == 302
    html = page(visitor)
    assert "The Name of the Rose" not in html
    assert "Dune" in html


def test_a_seller_deactivated_and_reactivated_on_the_user_form_leaves_and_comes_back_at_once(
    page_cache, admin_client, alice, alice_listing, django_capture_on_commit_callbacks
):
    visitor = Client()
    url = reverse("admin:accounts_user_change", args=[alice.pk])
    assert "The Name of the Rose" in cached_page(visitor)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, user_form(alice, is_active=None))
    assert response.status_code == 302
    assert "The Name of the Rose" not in cached_page(visitor)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, user_form(alice))
    assert response.status_code == 302
    assert "The Name of the Rose" in page(visitor)


def test_a_shop_renamed_in_the_admin_shows_at_once(
    page_cache, admin_client, alice, alice_listing, django_capture_on_commit_callbacks
):
    visitor = Client()
    assert "Alice&#x27;s Attic" in cached_page(visitor)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:accounts_shop_change", args=[alice.shop.pk]),
            {"name": "Alice's Antiquarian", "about": "", "city": "Bogotá", "region": "", "country": "CO"},
        )
    assert response.status_code == 302
    html = page(visitor)
    assert "Alice&#x27;s Antiquarian" in html and "Alice&#x27;s Attic" not in html


def test_an_admin_save_that_rolls_back_leaves_the_cached_catalog_alone(page_cache, admin_client, alice_listing):
    """No commit, no announcement: the version only moves for changes that happened."""
    cached_page(Client())
    version = versions._version_from({})
    response = admin_client.post(
        reverse("admin:catalog_listing_change", args=[alice_listing.pk]), listing_form(alice_listing, price="7.25")
    )  # on_commit never runs in this test
    assert response.status_code == 302
    assert versions._version_from({}) == version


def test_a_shop_saved_unchanged_keeps_the_cached_catalog(
    page_cache, admin_client, alice, alice_listing, django_capture_on_commit_callbacks
):
    cached_page(Client())
    version = versions._version_from({})
    shop = alice.shop
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:accounts_shop_change", args=[shop.pk]),
            {"name": shop.name, "about": shop.about, "city": shop.city, "region": shop.region, "country": "CO"},
        )
    assert response.status_code == 302
    assert versions._version_from({}) == version
