"""Each book's figures (catalog.BookStats) follow its listings through every service that changes them, the rebuild
command writes the same rows, and the books view reads them (with a cover) or groups the copies for a copy filter."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.services import close_for_vacation, deactivate_users, reopen_shop
from catalog.book_stats import rebuild_book_stats, refresh_book_stats
from catalog.forms.browse import BrowseForm
from catalog.models import BookStats, Listing
from catalog.search import find_listings
from catalog.search.books import count_books, fetch_book_page, reads_figures
from catalog.search.queries import CatalogQuery
from catalog.selectors import InventoryFilters
from catalog.services.bulk import BulkAction, Selection, apply_bulk_action
from catalog.services.listings import delete_listing, pause_listing, resume_listing, update_listing
from catalog.services.moderation import hide_listing, unhide_listing
from catalog.services.photos import add_photos
from conftest import BookFactory, ListingFactory, make_upload
from orders.models import Address
from orders.services import add_to_cart, cancel_order, get_or_create_cart, new_checkout_token, place_order
from orders.tests.conftest import carriers  # noqa: F401 - fixture
from shipping.models import Carrier

pytestmark = pytest.mark.django_db

D = Decimal


def figures(book):
    row = BookStats.objects.filter(book=book).first()
    if row is None:
        return None
    return row.copies, row.lowest_price, row.best_rank, row.worst_rank


def every_row():
    return sorted(
        BookStats.objects.values_list(
            "book_id", "copies", "lowest_price", "newest", "best_rank", "worst_rank", "cover"
        )
    )


@pytest.fixture
def book(alice, bob):
    """One book: alice's Good copy at $5 and bob's As New copy at $20."""
    book = BookFactory(title="Dune", authors="Frank Herbert")
    ListingFactory(book=book, seller=alice, condition=Listing.Condition.GOOD, price=D("5.00"), quantity=1)
    ListingFactory(book=book, seller=bob, condition=Listing.Condition.AS_NEW, price=D("20.00"), quantity=2)
    return book


def cheapest(book):
    return Listing.objects.filter(book=book).order_by("price").first()


def listing_data(listing, **changes):
    data = {name: getattr(listing, name) for name in ("condition", "condition_notes", "price", "quantity", "sku")}
    return {**data, **changes}


def test_a_book_with_copies_has_its_figures(book):
    assert figures(book) == (2, D("5.00"), 0, 3)  # As New (0) to Good (3)
    row = BookStats.objects.get(book=book)
    assert (row.language, row.binding, row.category_id) == (book.language, book.binding, book.category_id)


def test_the_sellers_changes_move_the_figures(book):
    listing = cheapest(book)
    update_listing(listing, listing_data(listing, price=D("4.00")))
    assert figures(book) == (2, D("4.00"), 0, 3)
    pause_listing(listing)
    assert figures(book) == (1, D("20.00"), 0, 0)
    resume_listing(listing)
    assert figures(book) == (2, D("4.00"), 0, 3)
    update_listing(listing, listing_data(listing, quantity=0))
    assert figures(book) == (1, D("20.00"), 0, 0)
    other = Listing.objects.get(book=book, price=D("20.00"))
    delete_listing(other)
    assert figures(book) is None  # no copy for sale: no row


def test_bulk_actions_move_the_figures(alice, book):
    apply_bulk_action(alice, BulkAction.PRICE_AMOUNT, D("-1.00"), Selection.matching(InventoryFilters()))
    assert figures(book) == (2, D("4.00"), 0, 3)
    apply_bulk_action(alice, BulkAction.PAUSE, None, Selection.matching(InventoryFilters()))
    assert figures(book) == (1, D("20.00"), 0, 0)


def test_staff_hiding_and_unhiding_move_the_figures(staff, book):
    listing = cheapest(book)
    hide_listing(listing, staff, "Counterfeit")
    assert figures(book) == (1, D("20.00"), 0, 0)
    unhide_listing(listing, staff)
    assert figures(book) == (2, D("5.00"), 0, 3)


def test_sellers_leaving_and_coming_back_move_the_figures(staff, alice, book):
    shop = alice.shop
    close_for_vacation(shop, timezone.localdate() + timedelta(days=5))
    assert figures(book) == (1, D("20.00"), 0, 0)
    reopen_shop(shop)
    assert figures(book) == (2, D("5.00"), 0, 3)
    deactivate_users(type(alice).objects.filter(pk=alice.pk), by=staff)
    assert figures(book) == (1, D("20.00"), 0, 0)


def test_selling_the_last_copy_and_cancelling_move_the_figures(charlie, alice, book, carriers):  # noqa: F811
    address = Address.objects.create(
        user=charlie, full_name="Charlie", line1="Calle 10", city="Medellín", country="CO", phone="+57 300 000 0000"
    )
    cart = get_or_create_cart(user=charlie)
    add_to_cart(cart, cheapest(book), 1)
    choice = {alice.pk: Carrier.objects.get(code="SERVI").pk}
    order = place_order(charlie, cart, address, choice, new_checkout_token())
    assert figures(book) == (1, D("20.00"), 0, 0)  # alice's only copy is sold
    cancel_order(order, charlie)
    assert figures(book) == (2, D("5.00"), 0, 3)


def test_the_cover_is_the_cheapest_copys_photo(alice, book):
    assert BookStats.objects.get(book=book).cover.name == ""
    add_photos(cheapest(book), [make_upload()])
    row = BookStats.objects.get(book=book)
    assert row.cover.name == cheapest(book).cover.name and row.cover_widths == cheapest(book).cover_widths


def test_rebuild_writes_the_same_rows_as_the_services(alice, bob, book):
    other = BookFactory(title="Emma")
    ListingFactory(book=other, seller=bob, price=D("7.00"))
    ListingFactory(book=other, seller=bob, price=D("3.00"), status=Listing.Status.PAUSED)
    kept = every_row()
    BookStats.objects.all().delete()
    ListingFactory._meta.model.objects.filter(book=other, price=D("7.00")).update(price=D("6.00"))
    assert rebuild_book_stats(batch=1) == 2
    assert every_row() == [row if row[0] != other.pk else (*row[:2], D("6.00"), *row[3:]) for row in kept]
    # A book whose copies are gone loses its row; the command does the same as the function.
    Listing.objects.filter(book=other).update(status=Listing.Status.ARCHIVED)
    call_command("rebuild_book_stats", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert figures(other) is None and figures(book) == (2, D("5.00"), 0, 3)


def test_refresh_ignores_unknown_and_missing_books(book):
    refresh_book_stats([None, book.pk, 10**9])
    assert figures(book) == (2, D("5.00"), 0, 3)


def test_only_queries_without_copy_filters_read_the_figures():
    assert reads_figures(CatalogQuery(language="es", category_id=3, binding="hardcover", q="dune"))
    assert not reads_figures(CatalogQuery(conditions=("good",)))
    assert not reads_figures(CatalogQuery(price_min=D("1")))
    assert not reads_figures(CatalogQuery(price_max=D("1")))
    assert not reads_figures(None)


# --- The books view -------------------------------------------------------------------------------


def test_book_cards_show_a_cover_first_eager_then_lazy(client, alice):
    for number in range(3):
        listing = ListingFactory(book__title=f"Book {number}", seller=alice, price=D(10 + number))
        add_photos(listing, [make_upload()])
    html = client.get("/books/", {"sort": "price_asc"}).content.decode()
    images = re.findall(r"<img[^>]*>", html[html.index("data-books") :])
    assert len(images) == 3
    assert 'fetchpriority="high"' in images[0] and 'loading="lazy"' not in images[0]
    assert all('loading="lazy"' in image for image in images[1:])
    assert all('width="360"' in image and 'height="480"' in image for image in images)
    assert "Photo of a copy of Book 0" in images[0]


def test_a_book_without_a_photo_keeps_its_placeholder(client, book):
    html = client.get("/books/").content.decode()
    assert "cover-placeholder" in html and "<img" not in html[html.index("data-books") :]


def test_copy_filters_group_only_copies_in_stock(client, alice, book):
    ListingFactory(book=book, seller=alice, condition=Listing.Condition.GOOD, price=D("1.00"), quantity=0)
    page = client.get("/books/", {"condition": "good"}).context["page"]
    assert [(s.book, s.copies, s.lowest_price) for s in page.books] == [(book, 1, D("5.00"))]
    page = client.get("/books/").context["page"]
    assert [(s.book, s.copies, s.lowest_price) for s in page.books] == [(book, 2, D("5.00"))]


def test_filters_on_the_book_read_the_figures(client, alice, book):
    spanish = ListingFactory(book__title="Rayuela", book__language="es", seller=alice).book
    found = [s.book for s in client.get("/books/", {"language": "es"}).context["page"].books]
    assert found == [spanish]
    found = [s.book for s in client.get("/books/", {"category": book.category.slug}).context["page"].books]
    assert book in found


def test_the_page_is_two_queries_and_a_count(alice, django_assert_num_queries):
    for number in range(3):
        ListingFactory(book__title=f"Book {number}", seller=alice)
    form = BrowseForm({"sort": "price_desc"})
    assert form.is_valid()
    query = form.catalog_query()
    with django_assert_num_queries(3):  # the ids, the rows and the count
        result = find_listings(query)
        page = fetch_book_page(result, 1, 1, query)
        assert count_books(result, page, 1, query).total == 3
