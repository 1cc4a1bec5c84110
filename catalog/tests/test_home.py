"""The front page: search box, categories, the newest visible listings."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Listing
from conftest import CategoryFactory, ListingFactory

pytestmark = pytest.mark.django_db


def test_home_shows_the_twelve_newest_visible_listings_newest_first(client, alice, bob):
    now = timezone.now()
    for i in range(14):
        ListingFactory(seller=alice if i % 2 else bob, book__title=f"Book {i:02d}", published_at=now - timedelta(i))
    ListingFactory(seller=alice, book__title="Paused today", status=Listing.Status.PAUSED, published_at=now)
    ListingFactory(seller=alice, book__title="Draft today", status=Listing.Status.DRAFT, published_at=now)

    response = client.get("/")

    assert response.status_code == 200
    assert [listing.book.title for listing in response.context["listings"]] == [f"Book {i:02d}" for i in range(12)]
    body = response.content.decode()
    assert "Book 12" not in body and "Book 13" not in body
    assert "Paused today" not in body and "Draft today" not in body
    assert body.index("Book 00") < body.index("Book 01")


def test_home_leaves_out_listings_of_deactivated_sellers(client, alice, bob):
    ListingFactory(seller=alice, book__title="Alice's")
    ListingFactory(seller=bob, book__title="Bob's")
    bob.is_active = False
    bob.save()
    body = client.get("/").content.decode()
    assert "Alice&#x27;s" in body and "Bob&#x27;s" not in body


def test_home_has_a_search_box_and_category_links(client, db):
    CategoryFactory(slug="maps-and-atlases", name="Maps & Atlases")
    body = client.get("/").content.decode()
    assert 'action="/books/"' in body and 'name="q"' in body
    assert 'for="home-search"' in body
    assert 'href="/books/?category=maps-and-atlases"' in body
    assert "Maps &amp; Atlases" in body


def test_empty_home_invites_sellers(client, db):
    body = client.get("/").content.decode()
    assert "No books are on sale yet." in body


def test_home_query_budget(client, client_for, charlie, alice, django_assert_max_num_queries):
    for _ in range(12):
        ListingFactory(seller=alice)
    with django_assert_max_num_queries(2):
        client.get("/")
    signed_in = client_for(charlie)
    with django_assert_max_num_queries(5):
        response = signed_in.get("/")
    assert len(response.context["listings"]) == 12


def test_home_is_get_only(client, db):
    assert client.post("/").status_code == 405
