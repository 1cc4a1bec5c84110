"""The catalog as books (the default view), the copy view toggle, a book's page with all its copies, "did you
mean" and the search box's suggestions."""

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.services import close_for_vacation
from catalog.models import Book, Listing
from catalog.search import ranked as search_ranked
from catalog.search import suggest as suggest_module
from catalog.services.listings import pause_listing
from conftest import BookFactory, ListingFactory, ShopFactory, mysql_only

pytestmark = pytest.mark.django_db

BROWSE = "/books/"
D = Decimal


def book_url(book) -> str:
    return f"/books/work/{book.pk}/"


def summaries(response):
    return {summary.book.title: summary for summary in response.context["page"].books}


@pytest.fixture
def dune(alice, bob):
    """Dune: three copies (two sellers) in Good, Very Good and As New; Emma: one copy."""
    book = BookFactory(title="Dune", authors="Frank Herbert")
    now = timezone.now()
    ListingFactory(book=book, seller=alice, condition=Listing.Condition.GOOD, price=D("3.50"), published_at=now)
    ListingFactory(
        book=book,
        seller=bob,
        condition=Listing.Condition.AS_NEW,
        price=D("20.00"),
        published_at=now - timedelta(hours=1),
    )
    ListingFactory(
        book=book,
        seller=alice,
        condition=Listing.Condition.VERY_GOOD,
        price=D("8.00"),
        published_at=now - timedelta(hours=2),
    )
    ListingFactory(
        book__title="Emma",
        book__authors="Jane Austen",
        seller=bob,
        price=D("5.00"),
        published_at=now - timedelta(hours=3),
    )
    return book


# --- The books view -----------------------------------------------------------------


def test_books_view_groups_copies_with_count_lowest_price_and_condition_range(client, dune):
    response = client.get(BROWSE)
    assert response.status_code == 200
    found = summaries(response)
    assert set(found) == {"Dune", "Emma"}
    assert (found["Dune"].copies, found["Dune"].lowest_price) == (3, D("3.50"))
    assert (found["Dune"].worst_condition, found["Dune"].best_condition) == ("Good", "As New")
    html = response.content.decode()
    assert "3 copies from $3.50" in html and "Good to As New" in html
    assert f'href="{book_url(dune)}"' in html
    assert "1 copy from $5.00" in html


def test_filters_apply_to_copies_and_the_price_is_the_lowest_matching(client, dune):
    found = summaries(client.get(BROWSE, {"condition": ["very_good", "as_new"]}))
    assert (found["Dune"].copies, found["Dune"].lowest_price) == (2, D("8.00"))
    assert (found["Dune"].worst_condition, found["Dune"].best_condition) == ("Very Good", "As New")
    found = summaries(client.get(BROWSE, {"price_min": "10"}))
    assert set(found) == {"Dune"} and found["Dune"].lowest_price == D("20.00") and found["Dune"].one_condition
    assert "1 copy from $20.00" in client.get(BROWSE, {"price_min": "10"}).content.decode()


@pytest.mark.django_db(transaction=True)  # InnoDB's FULLTEXT index sees committed rows only
def test_books_view_search_ranks_books_and_counts_their_matching_copies(client, dune):
    found = summaries(client.get(BROWSE, {"q": "herbert"}))
    assert list(found) == ["Dune"] and found["Dune"].copies == 3
    found = summaries(client.get(BROWSE, {"q": "dune", "condition": "as_new"}))
    assert (found["Dune"].copies, found["Dune"].lowest_price) == (1, D("20.00"))
    for sort in ("price_asc", "price_desc", "newest", "relevance"):
        assert list(summaries(client.get(BROWSE, {"q": "herbert", "sort": sort}))) == ["Dune"]


def test_books_view_sorts(client, dune):
    by_price = [s.book.title for s in client.get(BROWSE, {"sort": "price_asc"}).context["page"].books]
    assert by_price == ["Dune", "Emma"]  # Dune's lowest copy ($3.50) is below Emma's ($5.00)
    by_price_desc = [s.book.title for s in client.get(BROWSE, {"sort": "price_desc"}).context["page"].books]
    assert by_price_desc == ["Emma", "Dune"]
    newest = [s.book.title for s in client.get(BROWSE, {"sort": "newest"}).context["page"].books]
    assert newest == ["Dune", "Emma"]


def test_books_view_pages_and_counts(client, alice, settings):
    settings.CATALOG_PAGE_SIZE = 2
    for number in range(5):
        book = BookFactory(title=f"Book {number}")
        ListingFactory.create_batch(2, book=book, seller=alice, price=D(10 + number))
    seen = []
    for number in (1, 2, 3):
        response = client.get(BROWSE, {"sort": "price_asc", "page": number})
        seen += [summary.book.title for summary in response.context["page"].books]
    assert seen == [f"Book {number}" for number in range(5)]
    first = client.get(BROWSE, {"sort": "price_asc"}).content.decode()
    assert "1\u20132 of 5" in first
    assert client.get(BROWSE, {"page": 4}).status_code == 404


def test_the_toggle_shows_copies_and_rejects_unknown_views(client, dune):
    copies = client.get(BROWSE, {"view": "copies"})
    assert copies.status_code == 200 and len(copies.context["page"].listings) == 4
    assert "4" in copies.content.decode() and 'aria-current="page">All copies' in copies.content.decode()
    books = client.get(BROWSE).content.decode()
    assert 'aria-current="page">Books' in books and 'href="?view=copies"' in books
    bad = client.get(BROWSE, {"view": "shelves"})
    assert bad.status_code == 400
    assert "is not a way to show results" in bad.content.decode()


def test_the_copy_view_keeps_its_toggle_in_the_filter_form(client, dune):
    html = client.get(BROWSE, {"view": "copies", "q": "dune"}).content.decode()
    assert '<input type="hidden" name="view" value="copies">' in html


def test_books_view_query_budget(client, client_for, charlie, dune, django_assert_max_num_queries, settings):
    settings.CATALOG_PAGE_SIZE = 1
    client.get(BROWSE)  # categories cached
    with django_assert_max_num_queries(6):
        response = client.get(BROWSE, {"page": 1, "sort": "price_asc"})
    assert response.status_code == 200 and len(response.context["page"]) == 1
    with django_assert_max_num_queries(6):
        assert client.get(BROWSE, {"q": "dune"}).status_code == 200
    signed_in = client_for(charlie)
    with django_assert_max_num_queries(8):
        assert signed_in.get(BROWSE, {"page": 2}).status_code == 200


def test_books_view_in_spanish(client, dune):
    html = client.get(BROWSE, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "3 ejemplares desde" in html and "Bueno a Como nuevo" in html


# --- Did you mean -----------------------------------------------------------------


def test_a_search_without_results_suggests_a_close_title_word(client, dune):
    response = client.get(BROWSE, {"q": "herbrt"})
    html = response.content.decode()
    assert response.context["suggestion"] == "herbert"
    assert "data-did-you-mean" in html and 'href="?q=herbert"' in html


def test_no_suggestion_when_nothing_is_close(client, dune):
    response = client.get(BROWSE, {"q": "zzzzqqq"})
    assert response.context["suggestion"] is None
    assert "data-did-you-mean" not in response.content.decode()


# --- Suggestions as you type ------------------------------------------------------


def test_suggest_returns_titles_and_authors(client, dune):
    response = client.get("/books/suggest/", {"q": "du"})
    assert response.status_code == 200
    assert response.json()["results"] == [{"kind": "title", "text": "Dune"}]
    authors = client.get("/books/suggest/", {"q": "aust"}).json()["results"]
    assert {"kind": "author", "text": "Jane Austen"} in authors


@pytest.mark.parametrize("q", ["", "a", "x" * 101])
def test_suggest_validates_its_query(client, db, q):
    response = client.get("/books/suggest/", {"q": q})
    assert response.status_code == 400
    assert response.json()["results"] == [] and response.json()["error"]


def test_suggest_returns_at_most_eight_and_is_cached(client, alice, django_assert_max_num_queries):
    for number in range(12):
        ListingFactory(seller=alice, book__title=f"River {number}")
    results = client.get("/books/suggest/", {"q": "river"}).json()["results"]
    assert len(results) == suggest_module.SUGGEST_LIMIT == 8
    with django_assert_max_num_queries(0):
        again = client.get("/books/suggest/", {"q": "riv"})
    assert len(again.json()["results"]) == 8
    assert "max-age=300" in again["Cache-Control"]


def test_suggest_knows_only_books_on_sale(client, alice):
    ListingFactory(seller=alice, book__title="Draft only", status=Listing.Status.DRAFT)
    assert client.get("/books/suggest/", {"q": "draft"}).json()["results"] == []


# --- The book page ------------------------------------------------------------------


def copy_prices(response) -> list[Decimal]:
    """The prices of the copies listed, in order."""
    return [D(price) for price in re.findall(r'data-price="([0-9.]+)"', response.content.decode())]


def test_book_page_lists_every_copy_cheapest_first(client, dune):
    response = client.get(book_url(dune))
    assert response.status_code == 200
    assert copy_prices(response) == [D("3.50"), D("8.00"), D("20.00")]
    html = response.content.decode()
    assert "3 copies for sale" in html
    assert "Alice&#x27;s Attic" in html and "Bob&#x27;s Books" in html
    assert html.count("data-seller-rating") == 3
    assert html.count('<input type="hidden" name="quantity" value="1">') == 3


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("condition", [D("20.00"), D("8.00"), D("3.50")]),
        ("newest", [D("3.50"), D("20.00"), D("8.00")]),
        ("price", [D("3.50"), D("8.00"), D("20.00")]),
    ],
)
def test_book_page_sorts(client, dune, sort, expected):
    response = client.get(book_url(dune), {"sort": sort})
    assert copy_prices(response) == expected


def test_book_page_filters_by_condition(client, dune):
    response = client.get(book_url(dune), {"condition": ["as_new", "very_good"]})
    assert copy_prices(response) == [D("8.00"), D("20.00")]
    none = client.get(book_url(dune), {"condition": "poor"})
    assert none.status_code == 200 and "in the conditions you chose" in none.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sort": "cheapest"}, "is not a sort order"),
        ({"condition": "mint"}, "is not a condition we grade books by"),
        ({"ship_to": "XX"}, "We do not know that country"),
        ({"ship_to": "<script>"}, "We do not know that country"),
    ],
)
def test_book_page_bad_parameters_are_a_clear_400(client, dune, params, message):
    response = client.get(book_url(dune), params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "<script>" not in html.split("<main", 1)[-1]
    assert len(copy_prices(response)) == 3


def test_book_without_copies_says_so_and_links_to_search(client, db):
    book = BookFactory(title="Lonely")
    response = client.get(book_url(book))
    html = response.content.decode()
    assert response.status_code == 200
    assert "No copy of this book is for sale at the moment." in html and "/books/?q=Lonely" in html
    assert client.get("/books/work/999999/").status_code == 404


def test_book_page_leaves_out_away_shops_sold_out_and_hidden_copies(client, alice, bob, dune):
    close_for_vacation(bob.shop, timezone.localdate() + timedelta(days=5))
    ListingFactory(book=dune, seller=alice, quantity=0, price=D("1.00"))
    ListingFactory(book=dune, seller=alice, status=Listing.Status.PAUSED, price=D("1.50"))
    assert copy_prices(client.get(book_url(dune))) == [D("3.50"), D("8.00")]


def test_the_sellers_own_copies_have_no_add_to_cart(client_for, alice, dune):
    html = client_for(alice).get(book_url(dune)).content.decode()
    assert html.count("Your copy") == 2


@pytest.mark.parametrize("persona", ["anonymous", "alice", "bob", "charlie", "staff"])
def test_every_persona_sees_the_book_page(client, client_for, request, dune, persona):
    viewer = client if persona == "anonymous" else client_for(request.getfixturevalue(persona))
    assert viewer.get(book_url(dune)).status_code == 200
    assert viewer.get(BROWSE).status_code == 200


def test_book_page_query_budget(client, client_for, charlie, alice, dune, django_assert_max_num_queries):
    for _number in range(10):
        ListingFactory(book=dune, seller=ShopFactory().owner)
    with django_assert_max_num_queries(3):
        assert client.get(book_url(dune)).status_code == 200
    signed_in = client_for(charlie)
    with django_assert_max_num_queries(8):
        assert signed_in.get(book_url(dune)).status_code == 200


def test_book_page_in_spanish(client, dune):
    html = client.get(book_url(dune), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "3 ejemplares a la venta" in html and "Agregar al carrito" in html


def test_listing_page_links_to_its_book(client, dune):
    listing = dune.listings.first()
    html = client.get(listing.get_absolute_url()).content.decode()
    assert f'href="{book_url(dune)}" data-book-link' in html and "All copies of this book" in html


def test_suggest_vocabulary_is_one_query_then_cached(client, dune, django_assert_num_queries):
    cache.delete(suggest_module.VOCABULARY_KEY)
    with django_assert_num_queries(1):
        suggest_module.vocabulary()
    with django_assert_num_queries(0):
        assert "dune" in suggest_module.vocabulary().words
    assert json.loads(client.get("/books/suggest/", {"q": "fra"}).content)["results"][0]["text"] == "Frank Herbert"
    assert Book.objects.count() == 2


def test_suggest_vocabulary_has_the_books_on_sale_only_and_reads_no_listing(dune, alice):
    """Read from the books' figures: a book whose only copy is paused, sold out or of a shop away is left out, and
    the query never reads the listings (at 1,000,000 listings that took half a second)."""
    paused = ListingFactory(book=BookFactory(title="Katol Paused"), seller=alice)
    ListingFactory(book=BookFactory(title="Katol Sold"), seller=alice, quantity=0)
    away = ListingFactory(book=BookFactory(title="Katol Away"), seller=ShopFactory().owner)
    pause_listing(paused)
    close_for_vacation(away.seller.shop, timezone.localdate() + timedelta(days=5))
    cache.delete(suggest_module.VOCABULARY_KEY)
    suggest_module.forget_local_vocabulary()
    with CaptureQueriesContext(connection) as captured:
        words = suggest_module.vocabulary().words
    assert "dune" in words and "emma" in words
    assert not {"paused", "sold", "away"} & words
    assert len(captured) == 1 and Listing._meta.db_table not in captured[0]["sql"]


def test_suggest_vocabulary_is_kept_in_the_process_for_a_minute(dune, monkeypatch):
    first = suggest_module.vocabulary()
    reads = []
    monkeypatch.setattr(suggest_module.cache, "get", lambda *args, **kwargs: reads.append(args) or first)
    assert suggest_module.vocabulary() is first and reads == []  # no round trip to the shared cache
    clock = suggest_module.time.monotonic() + suggest_module.VOCABULARY_LOCAL_SECONDS + 1
    monkeypatch.setattr(suggest_module.time, "monotonic", lambda: clock)
    assert suggest_module.vocabulary() is first and len(reads) == 1  # a minute later: the shared copy again


@mysql_only
@pytest.mark.django_db(transaction=True)
def test_mysql_books_view_shows_the_best_books_only_and_says_so(client, settings, monkeypatch):
    monkeypatch.setattr(search_ranked, "SEARCH_BOOKS", 2)
    settings.CATALOG_PAGE_SIZE = 1
    seller = ShopFactory().owner
    ListingFactory(seller=seller, book__title="Harbour", book__description="A harbour, a harbour, the harbour.")
    lights = ListingFactory(seller=seller, book__title="Harbour Lights", book__description="By the harbour.").book
    ListingFactory(seller=seller, book=lights, price=D("2.00"))
    ListingFactory(seller=seller, book__title="Cookbook", book__description="Fish from the harbour.")
    assert list(summaries(client.get(BROWSE, {"q": "harbour"}))) == ["Harbour"]
    last = client.get(BROWSE, {"q": "harbour", "page": 2})
    found = summaries(last)
    lights_found = found["Harbour Lights"]
    assert list(found) == ["Harbour Lights"]
    assert (lights_found.copies, lights_found.lowest_price) == (2, D("2.00"))
    assert "2 books that best match your search" in last.content.decode()
    assert client.get(BROWSE, {"q": "harbour", "page": 3}).status_code == 404


def test_book_cards_are_kept_in_the_process_and_never_stale(client, dune, settings, monkeypatch):
    from catalog.book_stats import refresh_book_stats
    from catalog.cache import cards as cards_module

    settings.DEBUG = False  # cards are kept as in production
    settings.CATALOG_CACHE_SECONDS = 0  # every request renders its page
    rendered = []
    render = cards_module._render_book_card
    monkeypatch.setattr(
        cards_module,
        "_render_book_card",
        lambda summary, eager: rendered.append(summary.book.pk) or render(summary, eager),
    )
    first = client.get("/books/").content.decode()
    assert dune.pk in rendered
    count = len(rendered)
    second = client.get("/books/?utm_source=x").content.decode()
    assert len(rendered) == count  # the same books, the same figures: no card rendered again
    assert first.count("data-book=") == second.count("data-book=") >= 1
    Listing.objects.filter(book=dune, price=D("3.50")).update(price=D("2.75"))
    refresh_book_stats([dune.pk])
    third = client.get("/books/?sort=newest").content.decode()
    assert rendered.count(dune.pk) == 2 and "$2.75" in third  # its lowest price changed: a new card
    client.get("/books/", HTTP_ACCEPT_LANGUAGE="es")
    assert rendered.count(dune.pk) == 3  # another language, another card
