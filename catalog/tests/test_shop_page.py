"""A seller's public page /shops/<slug>/."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts import services
from accounts.models import FormerShopSlug, Shop
from catalog.models import Listing
from conftest import ListingFactory, ShopFactory

pytestmark = pytest.mark.django_db

ALICE_SHOP = "/shops/alices-attic/"


def titles(response) -> list[str]:
    return [listing.book.title for listing in response.context["page"].listings]


def test_shop_page_shows_the_shop(client, alice):
    Shop.objects.filter(owner=alice).update(about="Old maps and older novels.", city="Medellín", region="Antioquia")
    response = client.get(ALICE_SHOP)
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("Alice&#x27;s Attic", "Old maps and older novels.", "Medellín", "Antioquia", "Colombia"):
        assert text in body, text


def test_shop_page_lists_only_the_shops_visible_listings(client, alice, bob):
    now = timezone.now()
    ListingFactory(seller=alice, book__title="Alice new", published_at=now)
    ListingFactory(seller=alice, book__title="Alice old", published_at=now - timedelta(days=1))
    for status in (Listing.Status.DRAFT, Listing.Status.PAUSED, Listing.Status.HIDDEN, Listing.Status.ARCHIVED):
        ListingFactory(seller=alice, book__title=f"Alice {status}", status=status)
    ListingFactory(seller=bob, book__title="Bob's book")

    response = client.get(ALICE_SHOP)

    assert titles(response) == ["Alice new", "Alice old"]
    body = response.content.decode()
    assert "Bob&#x27;s book" not in body and "Alice paused" not in body and "Alice hidden" not in body


def test_shop_page_sorts_by_price(client, alice):
    ListingFactory(seller=alice, book__title="Dear", price=Decimal("30"))
    ListingFactory(seller=alice, book__title="Cheap", price=Decimal("3"))
    assert titles(client.get(ALICE_SHOP, {"sort": "price_asc"})) == ["Cheap", "Dear"]
    assert titles(client.get(ALICE_SHOP, {"sort": "price_desc"})) == ["Dear", "Cheap"]


def test_shop_page_paginates_and_404s_past_the_end(client, alice, settings):
    settings.CATALOG_PAGE_SIZE = 2
    now = timezone.now()
    for i in range(3):
        ListingFactory(seller=alice, book__title=f"Book {i}", published_at=now - timedelta(hours=i))
    first = client.get(ALICE_SHOP)
    assert titles(first) == ["Book 0", "Book 1"]
    assert 'href="?page=2"' in first.content.decode()
    assert titles(client.get(ALICE_SHOP, {"page": 2})) == ["Book 2"]
    past = client.get(ALICE_SHOP, {"page": 3})
    assert past.status_code == 404
    assert "There is no page 3 in this shop." in past.content.decode()


def test_shop_without_listings_says_so(client, alice):
    assert "This shop has no books on sale right now." in client.get(ALICE_SHOP).content.decode()


@pytest.mark.parametrize("params", [{"page": "x"}, {"page": "0"}, {"sort": "relevance"}, {"sort": "cheapest"}])
def test_bad_parameters_are_400_with_a_message(client, alice, params):
    response = client.get(ALICE_SHOP, params)
    assert response.status_code == 400
    assert 'class="alert alert-danger"' in response.content.decode()


def test_shop_of_a_deactivated_owner_is_404(client, alice):
    ListingFactory(seller=alice)
    alice.is_active = False
    alice.save()
    assert client.get(ALICE_SHOP).status_code == 404


def test_unknown_shop_is_404(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # no live shop, no former slug
        assert client.get("/shops/nobody-here/").status_code == 404


def test_shop_page_is_get_only(client, alice):
    assert client.post(ALICE_SHOP).status_code == 405


@pytest.mark.parametrize("count", [3, 30])
def test_shop_page_query_budget(client, client_for, charlie, alice, django_assert_max_num_queries, count):
    for _ in range(count):
        ListingFactory(seller=alice)
    with django_assert_max_num_queries(3):
        client.get(ALICE_SHOP)
    signed_in = client_for(charlie)
    with django_assert_max_num_queries(6):
        response = signed_in.get(ALICE_SHOP)
    assert len(response.context["page"]) == min(count, 24)


def test_shop_listing_cards_link_to_listings(client, alice):
    listing = ListingFactory(seller=alice, book__title="Linked")
    assert f'href="/books/{listing.pk}/"' in client.get(ALICE_SHOP).content.decode()


def test_other_shops_are_reachable_by_slug(client, db):
    ShopFactory(name="Carol's Corner", slug="carols-corner")
    assert "Carol&#x27;s Corner" in client.get("/shops/carols-corner/").content.decode()


# --- Renamed shops: old links keep working ------------------------------------


def rename(user, name: str) -> Shop:
    return services.update_shop(Shop.objects.get(owner=user), {"name": name})


def test_old_slug_redirects_permanently_keeping_the_query_string(client, alice, django_assert_max_num_queries):
    ListingFactory(seller=alice, book__title="Still here")
    rename(alice, "Attic Books")
    with django_assert_max_num_queries(2):  # the live slug, then the former one
        response = client.get(ALICE_SHOP + "?page=2&sort=price_asc")
    assert response.status_code == 301
    assert response["Location"] == "/shops/attic-books/?page=2&sort=price_asc"
    assert client.get(ALICE_SHOP)["Location"] == "/shops/attic-books/"
    assert client.head(ALICE_SHOP).status_code == 301

    landed = client.get(ALICE_SHOP, follow=True)
    assert landed.redirect_chain == [("/shops/attic-books/", 301)]
    assert landed.status_code == 200
    assert landed.context["shop"].name == "Attic Books"
    assert titles(landed) == ["Still here"]


def test_query_string_is_passed_on_as_sent(client, alice):
    rename(alice, "Attic Books")
    response = client.get(ALICE_SHOP + "?sort=price_desc&page=1&q=caf%C3%A9+cr%C3%A8me")
    assert response["Location"] == "/shops/attic-books/?sort=price_desc&page=1&q=caf%C3%A9+cr%C3%A8me"


def test_every_former_slug_leads_to_the_current_page(client, alice):
    rename(alice, "Attic Books")
    rename(alice, "Paper Moon")
    for old in (ALICE_SHOP, "/shops/attic-books/"):
        response = client.get(old, {"sort": "price_asc"})
        assert (response.status_code, response["Location"]) == (301, "/shops/paper-moon/?sort=price_asc"), old
    assert client.get("/shops/paper-moon/").status_code == 200


def test_renamed_back_the_shop_answers_at_its_old_slug_again(client, alice):
    rename(alice, "Attic Books")
    rename(alice, "Alice's Attic")
    response = client.get(ALICE_SHOP)
    assert response.status_code == 200
    assert response.context["shop"].owner == alice
    assert client.get("/shops/attic-books/")["Location"] == ALICE_SHOP


@pytest.mark.parametrize("how", ["opens", "renames"])
def test_a_shop_that_takes_a_former_slug_is_shown_there(client, alice, bob, charlie, how):
    rename(alice, "Attic Books")
    if how == "opens":
        newcomer = charlie
        services.open_shop(charlie, {"name": "Alice's Attic", "city": "Sevilla", "country": "ES"})
    else:
        newcomer = bob
        rename(bob, "Alice's Attic")
    response = client.get(ALICE_SHOP)
    assert response.status_code == 200
    assert response.context["shop"].owner == newcomer
    assert client.get("/shops/attic-books/").status_code == 200  # alice's own page is untouched


def test_a_live_shop_wins_over_a_former_slug_left_behind(client, alice, bob):
    # A row written around the services must not hide the shop that has the slug now.
    FormerShopSlug.objects.create(shop=bob.shop, slug="alices-attic")
    response = client.get(ALICE_SHOP)
    assert response.status_code == 200
    assert response.context["shop"].owner == alice


def test_deactivated_owner_is_404_at_old_and_new_slug(client, alice):
    rename(alice, "Attic Books")
    alice.is_active = False
    alice.save()
    assert client.get(ALICE_SHOP).status_code == 404
    assert client.get("/shops/attic-books/").status_code == 404


def test_former_slug_of_a_deleted_shop_is_404(client, alice):
    rename(alice, "Attic Books")
    Shop.objects.filter(owner=alice).delete()
    assert client.get(ALICE_SHOP).status_code == 404


def test_renamed_shop_page_keeps_its_query_budget(client, alice, django_assert_max_num_queries):
    for _ in range(3):
        ListingFactory(seller=alice)
    rename(alice, "Attic Books")
    rename(alice, "Paper Moon")
    with django_assert_max_num_queries(3):  # as before any rename: former slugs cost nothing here
        response = client.get("/shops/paper-moon/")
    assert response.status_code == 200
    assert len(response.context["page"]) == 3
