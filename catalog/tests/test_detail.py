"""A listing's public page /books/<pk>/: what buyers see, who gets 404, the owner's preview, query budget."""

import re
from decimal import Decimal

import pytest
from django.utils import translation

from catalog.models import Book, Listing, ListingPhoto
from conftest import CategoryFactory, ListingFactory, ShopFactory

pytestmark = pytest.mark.django_db

HIDDEN_STATUSES = [Listing.Status.DRAFT, Listing.Status.PAUSED, Listing.Status.HIDDEN, Listing.Status.ARCHIVED]


def url(listing) -> str:
    return f"/books/{listing.pk}/"


@pytest.fixture
def dune(bob):
    return ListingFactory(
        seller=bob,
        book__isbn13="9780441172719",
        book__title="Dune",
        book__authors="Frank Herbert",
        book__publisher="Ace Books",
        book__year=1990,
        book__language=Book.Language.ENGLISH,
        book__binding=Book.Binding.MASS_MARKET,
        book__category=CategoryFactory(slug="science-fiction", name="Science Fiction"),
        book__description="Spice and sand worms.",
        condition=Listing.Condition.GOOD,
        condition_notes="Creased spine, no markings.",
        price=Decimal("9.99"),
        quantity=2,
    )


def add_photos(listing, count=3):
    # Created out of order: the page must follow position, not creation.
    for position in reversed(range(count)):
        ListingPhoto.objects.create(
            listing=listing,
            image=f"listings/p{position}.jpg",
            thumbnail=f"listings/p{position}_thumb.jpg",
            width=600,
            height=800,
            position=position,
        )


def test_buyer_sees_the_copy_the_book_and_the_shop(client, dune):
    response = client.get(url(dune))
    assert response.status_code == 200
    body = response.content.decode()
    for text in (
        "Dune",
        "Frank Herbert",
        "Good",
        "Creased spine, no markings.",
        "$9.99",
        "2 in stock",
        "978-0-441-17271-9",
        "Ace Books",
        "1990",
        "English",
        "Mass-market paperback",
        "Science Fiction",
        "Spice and sand worms.",
        "Bob&#x27;s Books",
        "Austin",
        "United States",
    ):
        assert text in body, text
    assert 'href="/shops/bobs-books/"' in body
    assert 'href="/books/?category=science-fiction"' in body
    assert "orders/_add_to_cart.html" in [template.name for template in response.templates]


def test_one_copy_and_sold_out(client, dune):
    Listing.objects.filter(pk=dune.pk).update(quantity=1)
    assert "Only 1 left" in client.get(url(dune)).content.decode()
    with translation.override("es"):
        assert "Solo queda 1" in client.get(url(dune), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    Listing.objects.filter(pk=dune.pk).update(quantity=0)
    body = client.get(url(dune)).content.decode()
    assert "Sold out" in body and "in stock" not in body and "left" not in body


def test_photos_are_shown_in_their_order(client, dune):
    add_photos(dune)
    body = client.get(url(dune)).content.decode()
    positions = [body.index(f"/media/listings/p{n}") for n in range(3)]
    assert positions == sorted(positions)
    assert 'alt="Photo 1 of 3 of this copy of Dune"' in body
    assert 'alt="Photo 3 of 3 of this copy of Dune"' in body


def test_without_photos_an_accessible_placeholder_is_shown(client, dune):
    assert 'aria-label="The seller has not added photos of this copy"' in client.get(url(dune)).content.decode()


def test_book_without_isbn_shows_no_isbn_row(client, alice):
    listing = ListingFactory(seller=alice, book__isbn13=None)
    assert ">ISBN<" not in client.get(url(listing)).content.decode()


def test_other_copies_are_other_sellers_visible_copies_cheapest_first(client, dune, alice):
    book = dune.book
    cheap = ListingFactory(seller=alice, book=book, price=Decimal("4.00"))
    dear = ListingFactory(seller=ShopFactory(name="Carol's Corner").owner, book=book, price=Decimal("40.00"))
    ListingFactory(seller=dune.seller, book=book, price=Decimal("1.00"))  # the same seller: not "other"
    ListingFactory(seller=ShopFactory().owner, book=book, price=Decimal("2.00"), status=Listing.Status.PAUSED)
    ListingFactory(seller=alice)  # another book

    body = client.get(url(dune)).content.decode()

    assert _other_copy_links(body) == [cheap.pk, dear.pk]
    assert "Other copies of this book" in body
    assert body.index(f'href="/books/{cheap.pk}/"') < body.index(f'href="/books/{dear.pk}/"')
    assert "Carol&#x27;s Corner" in body and "$40.00" in body


def test_other_copies_stop_at_ten(client, dune):
    for i in range(12):
        ListingFactory(seller=ShopFactory().owner, book=dune.book, price=Decimal(10 + i))
    body = client.get(url(dune)).content.decode()
    table = body[body.index('id="other-copies-heading"') :]
    assert len(_other_copy_links(body)) == 10
    assert re.findall(r'class="text-end price">\$(\d+)\.00<', table) == [str(10 + i) for i in range(10)]


def _other_copy_links(body: str) -> list[int]:
    """The listings the other copies' table links to, in its order."""
    if 'id="other-copies-heading"' not in body:
        return []
    table = body[
        body.index('id="other-copies-heading"') : body.index("</table>", body.index('id="other-copies-heading"'))
    ]
    return [int(pk) for pk in re.findall(r'href="/books/(\d+)/"', table)]


def test_no_other_copies_section_when_there_are_none(client, dune):
    assert "Other copies of this book" not in client.get(url(dune)).content.decode()


# --- Who may see what -----------------------------------------------------------------------


@pytest.mark.parametrize("status", HIDDEN_STATUSES)
def test_listing_buyers_cannot_see_is_404_for_anonymous_and_other_users(client_for, client, dune, charlie, status):
    Listing.objects.filter(pk=dune.pk).update(status=status)
    assert client.get(url(dune)).status_code == 404
    assert client_for(charlie).get(url(dune)).status_code == 404


def test_listing_of_a_deactivated_seller_is_404(client, dune, bob):
    bob.is_active = False
    bob.save()
    assert client.get(url(dune)).status_code == 404


def test_unknown_listing_is_404(client, db):
    assert client.get("/books/999999/").status_code == 404


@pytest.mark.parametrize("status", HIDDEN_STATUSES)
def test_owner_previews_their_own_listing_with_a_banner(client_for, dune, bob, status):
    Listing.objects.filter(pk=dune.pk).update(status=status, hidden_reason="Blurry photos")
    response = client_for(bob).get(url(dune))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Buyers cannot see this listing" in body
    assert "Only you can see this preview." in body
    assert ("Blurry photos" in body) == (status == Listing.Status.HIDDEN)
    assert "Report this listing" not in body


def test_owner_sees_a_note_on_their_visible_listing_and_no_report_form(client_for, dune, bob):
    body = client_for(bob).get(url(dune)).content.decode()
    assert "This is your listing, as buyers see it." in body
    assert "Buyers cannot see this listing" not in body
    assert "Report this listing" not in body


def test_signed_in_buyer_gets_the_report_form_anonymous_does_not(client_for, client, dune, charlie):
    assert "Report this listing" not in client.get(url(dune)).content.decode()
    body = client_for(charlie).get(url(dune)).content.decode()
    assert "Report this listing" in body
    assert f'action="/books/{dune.pk}/report/"' in body
    assert 'for="id_reason"' in body and 'for="id_text"' in body


def test_post_to_the_listing_page_is_not_allowed(client, dune):
    assert client.post(url(dune)).status_code == 405


# --- Query budget ---------------------------------------------------------------------------


@pytest.fixture
def busy_listing(dune, alice):
    add_photos(dune, count=5)
    for i in range(6):
        ListingFactory(seller=ShopFactory().owner, book=dune.book, price=Decimal(20 + i))
    ListingFactory(seller=alice, book=dune.book)
    return dune


# A first visit with an empty cache: the page's own queries, and the carriers with their rates (2) and the shop's
# shipping terms (3) that every later visit of any listing of the shop takes from the cache.
COLD_PAGE_BUDGET = 11


def test_query_budget_anonymous(client, busy_listing, django_assert_max_num_queries):
    with django_assert_max_num_queries(COLD_PAGE_BUDGET):
        response = client.get(url(busy_listing))
    assert response.status_code == 200 and len(response.context["photos"]) == 5


def test_query_budget_signed_in_buyer(client_for, charlie, busy_listing, django_assert_max_num_queries):
    client = client_for(charlie)
    with django_assert_max_num_queries(COLD_PAGE_BUDGET):
        response = client.get(url(busy_listing))
    assert response.status_code == 200 and len(_other_copy_links(response.content.decode())) == 7


def test_query_budget_owner(client_for, bob, busy_listing, django_assert_max_num_queries):
    client = client_for(bob)
    with django_assert_max_num_queries(COLD_PAGE_BUDGET):
        response = client.get(url(busy_listing))
    assert response.status_code == 200


def test_a_second_visit_takes_the_photos_and_other_copies_from_the_cache(
    client, busy_listing, django_assert_num_queries, settings
):
    settings.DEBUG = False  # fragments are cached as in production
    first = client.get(url(busy_listing)).content.decode()
    # The listing with its book, seller, shop and rating; the carriers and the shop's terms come from the cache.
    with django_assert_num_queries(1):
        again = client.get(url(busy_listing)).content.decode()
    assert again.count('class="text-end price"') == 7 and again.count("Photo ") == first.count("Photo ") > 0
    assert again == first.replace(_csrf(first), _csrf(again))


def _csrf(body: str) -> str:
    marker = 'name="csrfmiddlewaretoken" value="'
    start = body.find(marker)
    return body[start + len(marker) : body.index('"', start + len(marker))] if start >= 0 else ""


def test_a_new_photo_shows_on_the_next_visit(client, dune, settings):
    settings.DEBUG = False
    add_photos(dune, count=1)
    from catalog.services.photos import sync_cover

    sync_cover(dune)
    assert client.get(url(dune)).content.decode().count("Photo 1 of 1") >= 1
    add_photos(dune, count=1)
    sync_cover(Listing.objects.get(pk=dune.pk))  # what every photo service does after its change
    assert "Photo 1 of 2" in client.get(url(dune)).content.decode()
