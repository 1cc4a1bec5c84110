"""The public, read-only endpoints: the catalog's search and pages, listings, books, shops, carriers, quotes."""

import base64
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import ShopStats
from catalog.models import Book, Listing
from conftest import BookFactory, CategoryFactory, ListingFactory, ShopFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def listing_ids(response) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


def walk(client, path, params) -> list[int]:
    """Every listing id of a paged list, following ``next`` to the end."""
    seen, cursor = [], None
    for _ in range(50):
        response = client.get(path, {**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.content
        seen += listing_ids(response)
        cursor = response.json()["next"]
        if cursor is None:
            return seen
    raise AssertionError("the pages never ended")


def _plain_book(title: str, authors: str, **fields) -> Book:
    """A book whose every searched word is given: a title, author or description made up by the factory may hold
    "rose" or "name"."""
    return BookFactory(title=title, authors=authors, **fields, description=f"{title}, by {authors}.")


@pytest.fixture
def shelf(alice, bob):
    """Six copies on sale at different prices and conditions, and three that buyers may not see."""
    fiction = CategoryFactory(name="Fiction", slug="fiction")
    rose = _plain_book("The Name of the Rose", "Umberto Eco", category=fiction, isbn13="9780156001311")
    dune = _plain_book("Dune", "Frank Herbert", language=Book.Language.SPANISH, binding="hardcover")
    on_sale = [
        ListingFactory(seller=alice, book=rose, price=Decimal("10.00"), condition="as_new"),
        ListingFactory(seller=bob, book=rose, price=Decimal("8.00"), condition="good"),
        ListingFactory(seller=alice, book=dune, price=Decimal("15.00"), condition="good"),
        ListingFactory(seller=bob, book=dune, price=Decimal("3.50"), condition="fair"),
        ListingFactory(
            seller=alice, book=_plain_book("Walden", "Henry Thoreau"), price=Decimal("20.00"), condition="very_good"
        ),
        ListingFactory(
            seller=bob, book=_plain_book("Middlemarch", "George Eliot"), price=Decimal("8.00"), condition="very_good"
        ),
    ]
    hidden = [
        ListingFactory(seller=alice, book=rose, status=Listing.Status.PAUSED),
        ListingFactory(seller=bob, book=dune, status=Listing.Status.DRAFT),
        ListingFactory(seller=ShopFactory(owner__is_active=False).owner, book=rose),
    ]
    return {"rose": rose, "dune": dune, "on_sale": on_sale, "hidden": hidden}


# --- Search: copies ------------------------------------------------------------


def test_search_lists_only_what_buyers_see_newest_first(client, shelf):
    response = client.get("/api/v1/catalog/listings")
    assert response.status_code == 200
    body = response.json()
    expected = sorted(shelf["on_sale"], key=lambda listing: (listing.published_at, listing.pk), reverse=True)
    assert listing_ids(response) == [listing.pk for listing in expected]
    assert body["next"] is None
    first = body["items"][0]
    assert set(first) >= {"id", "book", "condition", "price", "quantity", "shop", "published_at", "url"}
    assert first["price"]["currency"] == "USD"
    assert isinstance(first["price"]["amount"], str)


def test_search_filters_like_the_catalog_page(client, shelf):
    rose, dune = shelf["rose"], shelf["dune"]
    by_isbn = client.get("/api/v1/catalog/listings", {"q": "978-0-15-600131-1"})
    assert len(by_isbn.json()["items"]) == 2
    conditions = client.get("/api/v1/catalog/listings", {"condition": ["good", "fair"]})
    assert {item["condition"] for item in conditions.json()["items"]} == {"good", "fair"}
    prices = client.get("/api/v1/catalog/listings", {"price_min": "8", "price_max": "10", "sort": "price_asc"})
    assert [item["price"]["amount"] for item in prices.json()["items"]] == ["8.00", "8.00", "10.00"]
    language = client.get("/api/v1/catalog/listings", {"language": "es", "binding": "hardcover"})
    assert {item["book"]["id"] for item in language.json()["items"]} == {dune.pk}
    category = client.get("/api/v1/catalog/listings", {"category": "fiction"})
    assert {item["book"]["id"] for item in category.json()["items"]} == {rose.pk}
    descending = client.get("/api/v1/catalog/listings", {"sort": "price_desc"})
    amounts = [Decimal(item["price"]["amount"]) for item in descending.json()["items"]]
    assert amounts == sorted(amounts, reverse=True)


# Committed rows: InnoDB's full-text index sees a row only once its transaction commits.
@pytest.mark.django_db(transaction=True)
def test_search_by_words_ranks_the_matching_books(client, shelf):
    rose = shelf["rose"]
    by_book = client.get("/api/v1/catalog/listings", {"q": "rose"})
    assert {item["book"]["id"] for item in by_book.json()["items"]} == {rose.pk}
    books = client.get("/api/v1/catalog/books", {"q": "name rose"}).json()["items"]
    assert [item["book"]["id"] for item in books] == [rose.pk]
    assert books[0]["copies"] == 2
    # Relevance pages follow the same key: every copy once.
    assert walk(client, "/api/v1/catalog/listings", {"q": "rose", "limit": 1}) == listing_ids(by_book)


@pytest.mark.parametrize("sort", ["newest", "price_asc", "price_desc", "relevance"])
def test_cursor_pages_cover_every_copy_once(client, shelf, sort):
    params = {"sort": sort, "limit": 2}
    if sort == "relevance":
        params["q"] = "the"
    seen = walk(client, "/api/v1/catalog/listings", params)
    everything = listing_ids(client.get("/api/v1/catalog/listings", {**params, "limit": 100}))
    assert seen == everything
    assert len(seen) == len(set(seen))


def test_pages_stay_right_while_listings_are_published(client, shelf, alice):
    first = client.get("/api/v1/catalog/listings", {"limit": 3}).json()
    # A copy published between two pages goes to the top: it must not push a row of page 1 onto page 2.
    newer = ListingFactory(seller=alice, published_at=timezone.now() + timezone.timedelta(minutes=5))
    second = client.get("/api/v1/catalog/listings", {"limit": 3, "cursor": first["next"]}).json()
    shown = [item["id"] for item in first["items"] + second["items"]]
    assert newer.pk not in shown
    assert len(shown) == len(set(shown)) == 6


def test_search_queries_are_bounded(client, shelf, django_assert_max_num_queries):
    client.get("/api/v1/catalog/listings")  # categories into the cache
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/catalog/listings", {"limit": 100})
    assert len(response.json()["items"]) == 6
    with django_assert_max_num_queries(4):
        client.get("/api/v1/catalog/listings", {"q": "rose dune name", "sort": "relevance"})


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"price_min": "10", "price_max": "5"}, "price_max"),
        ({"category": "no-such-shelf"}, "category"),
        ({"sort": "cheapest"}, "sort"),
        ({"condition": "mint"}, "condition"),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"price_min": "abc"}, "price_min"),
        ({"price_min": "NaN"}, "price_min"),
        ({"q": "x" * 201}, "q"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_bad_search_parameters_answer_400_by_field(client, shelf, params, field):
    response = client.get("/api/v1/catalog/listings", params)
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == 400 and body["title"] == "Bad Request"
    assert field in {key.split(".")[0] for key in body["errors"]}


def test_a_cursor_of_another_sort_order_is_refused(client, shelf):
    cursor = client.get("/api/v1/catalog/listings", {"limit": 1}).json()["next"]
    response = client.get("/api/v1/catalog/listings", {"limit": 1, "sort": "price_asc", "cursor": cursor})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


def test_a_query_without_words_finds_nothing(client, shelf):
    response = client.get("/api/v1/catalog/listings", {"q": "!!!"})
    assert response.status_code == 200
    assert response.json() == {"items": [], "next": None}


# --- Search: books -------------------------------------------------------------


def test_books_view_groups_the_copies(client, shelf, django_assert_max_num_queries):
    client.get("/api/v1/catalog/books")
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/catalog/books", {"sort": "price_asc"})
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == 4
    dune = next(item for item in items if item["book"]["id"] == shelf["dune"].pk)
    assert dune["copies"] == 2
    assert dune["lowest_price"] == {"amount": "3.50", "currency": "USD"}
    assert (dune["best_condition"], dune["worst_condition"]) == ("good", "fair")
    assert [item["lowest_price"]["amount"] for item in items] == sorted(
        (item["lowest_price"]["amount"] for item in items), key=Decimal
    )


@pytest.mark.parametrize("params", [{"sort": "newest"}, {"sort": "price_desc"}, {"q": "the dune", "sort": ""}])
def test_books_pages_cover_every_book_once(client, shelf, params):
    seen, cursor = [], None
    while True:
        response = client.get(
            "/api/v1/catalog/books", {**params, "limit": 1, **({"cursor": cursor} if cursor else {})}
        )
        assert response.status_code == 200, response.content
        seen += [item["book"]["id"] for item in response.json()["items"]]
        cursor = response.json()["next"]
        if cursor is None:
            break
    everything = [item["book"]["id"] for item in client.get("/api/v1/catalog/books", params).json()["items"]]
    assert seen == everything and len(set(seen)) == len(seen)


@pytest.mark.parametrize(
    "params", [{}, {"sort": "price_desc"}, {"language": "es"}, {"condition": "good"}, {"price_max": "10"}]
)
def test_books_view_shows_the_books_the_web_page_shows(client, shelf, alice, params):
    """Same books, counted the same way (copies in stock), from the books' figures or the grouped copies."""
    sold_out = BookFactory(title="Sold Out Saga")
    ListingFactory(seller=alice, book=sold_out, quantity=0, status=Listing.Status.ACTIVE)
    api = [
        (item["book"]["id"], item["copies"]) for item in client.get("/api/v1/catalog/books", params).json()["items"]
    ]
    page = client.get("/books/", params).context["page"]
    web = [(summary.book.pk, summary.copies) for summary in page.books]
    assert api == web
    assert sold_out.pk not in {book_id for book_id, _copies in api}


# --- A listing, a book, a shop --------------------------------------------------


def test_a_listing_with_its_book_and_photos(client, shelf, django_assert_max_num_queries):
    listing = shelf["on_sale"][0]
    with django_assert_max_num_queries(2):
        response = client.get(f"/api/v1/listings/{listing.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == listing.pk
    assert body["book_details"]["isbn13"] == "9780156001311"
    assert body["book_details"]["category"] == {"slug": "fiction", "name": "Fiction"}
    assert body["photos"] == []
    assert body["shop"]["slug"] == "alices-attic"


@pytest.mark.parametrize("which", [0, 1, 2])
def test_a_listing_not_on_sale_is_not_found(client, shelf, which):
    response = client.get(f"/api/v1/listings/{shelf['hidden'][which].pk}")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["status"] == 404


@pytest.mark.parametrize(
    "path", ["/api/v1/listings/0", "/api/v1/listings/abc", "/api/v1/listings/99999999999999999999"]
)
def test_a_bad_id_is_a_client_error(client, db, path):
    response = client.get(path)
    assert response.status_code in (400, 404)
    assert response["Content-Type"] == PROBLEM


def test_a_book_with_its_copies(client, shelf, django_assert_max_num_queries):
    rose = shelf["rose"]
    with django_assert_max_num_queries(2):
        response = client.get(f"/api/v1/books/{rose.pk}", {"sort": "condition"})
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "The Name of the Rose"
    assert [copy["condition"] for copy in body["copies"]] == ["as_new", "good"]
    only_good = client.get(f"/api/v1/books/{rose.pk}", {"condition": "good"}).json()
    assert [copy["condition"] for copy in only_good["copies"]] == ["good"]
    assert client.get("/api/v1/books/999999").status_code == 404
    assert client.get(f"/api/v1/books/{rose.pk}", {"sort": "shipping"}).status_code == 400


def test_a_shop_with_its_rating_and_listings(client, shelf, alice, django_assert_max_num_queries):
    ShopStats.objects.create(shop=alice.shop, rating_count=4, rating_total=18, rated_12m=4, positive_12m=3)
    with django_assert_max_num_queries(1):
        response = client.get("/api/v1/shops/alices-attic")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Alice's Attic"
    assert body["country"] == "CO"
    assert body["rating"] == {"average": 4.5, "count": 4, "positive_percent_12m": 75, "on_time_percent_90d": None}
    with django_assert_max_num_queries(3):
        listings = client.get("/api/v1/shops/alices-attic/listings", {"sort": "price_asc"})
    assert [item["price"]["amount"] for item in listings.json()["items"]] == ["10.00", "15.00", "20.00"]
    assert walk(client, "/api/v1/shops/alices-attic/listings", {"limit": 1}) == listing_ids(
        client.get("/api/v1/shops/alices-attic/listings")
    )
    assert client.get("/api/v1/shops/no-such-shop").status_code == 404
    assert client.get("/api/v1/shops/alices-attic/listings", {"sort": "relevance"}).status_code == 400


def test_a_shop_without_figures_has_an_empty_rating(client, bob):
    body = client.get("/api/v1/shops/bobs-books").json()
    assert body["rating"] == {"average": None, "count": 0, "positive_percent_12m": None, "on_time_percent_90d": None}


# --- Carriers and quotes ----------------------------------------------------------


def test_carriers(client, carriers, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get("/api/v1/carriers")
    assert response.status_code == 200
    codes = {carrier["code"] for carrier in response.json()}
    assert codes == {carrier.code for carrier in carriers.values() if carrier.active}


def test_shipping_quote_for_a_listing(client, carriers, alice_listing, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(f"/api/v1/listings/{alice_listing.pk}/shipping", {"country": "co"})
    assert response.status_code == 200
    body = response.json()
    assert (body["origin"], body["destination"], body["ships"]) == ("CO", "CO", True)
    prices = [Decimal(quote["price"]["amount"]) for quote in body["quotes"]]
    assert prices == sorted(prices)
    assert all(quote["earliest_delivery"] <= quote["latest_delivery"] for quote in body["quotes"])
    abroad = client.get(f"/api/v1/listings/{alice_listing.pk}/shipping", {"country": "US", "quantity": 3}).json()
    assert abroad["ships"] and {q["carrier"]["scope"] for q in abroad["quotes"]} == {"international"}


@pytest.mark.parametrize("params", [{}, {"country": "ZZ"}, {"country": "COL"}, {"country": "CO", "quantity": 0}])
def test_a_quote_needs_a_known_country(client, carriers, alice_listing, params):
    response = client.get(f"/api/v1/listings/{alice_listing.pk}/shipping", params)
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM


def _forged(values: list, tag: str = "") -> str:
    raw = json.dumps({"k": values, "t": tag}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "values",
    [
        [1, 2],  # a number where the newest order has a date
        ["not a date", 1],
        ["2026-12-01T10:00:00+00:00", "abc"],
        ["2026-12-01T10:00:00+00:00", 10**30],
        ["2026-12-01T10:00:00+00:00", 1e308],
    ],
)
def test_a_made_up_cursor_of_the_right_shape_is_refused(client, shelf, values):
    real = client.get("/api/v1/catalog/listings", {"limit": 1}).json()["next"]
    tag = json.loads(base64.urlsafe_b64decode(real + "=" * (-len(real) % 4)))["t"]
    response = client.get("/api/v1/catalog/listings", {"limit": 1, "cursor": _forged(values, tag)})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


def test_a_cursor_made_up_with_the_right_types_still_pages(client, shelf):
    first = client.get("/api/v1/catalog/listings", {"limit": 2}).json()
    decoded = json.loads(base64.urlsafe_b64decode(first["next"] + "=" * (-len(first["next"]) % 4)))
    again = client.get("/api/v1/catalog/listings", {"limit": 2, "cursor": _forged(decoded["k"], decoded["t"])})
    assert again.status_code == 200
    assert (
        again.json()["items"]
        == client.get("/api/v1/catalog/listings", {"limit": 2, "cursor": first["next"]}).json()["items"]
    )
