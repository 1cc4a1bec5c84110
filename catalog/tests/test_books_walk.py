"""The books view filtered by condition or price, newest or cheapest first: its pages are found by walking the
matching copies in the sort order's index (catalog.search.books._walked_ids) and must be the pages grouping every
matching copy gives."""

import itertools
import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Shop
from catalog.models import Book, Listing
from catalog.search import books as search_books
from catalog.search import counts
from catalog.search.books import CONDITION_ORDER, count_books, fetch_book_page
from catalog.search.queries import CatalogQuery, find_listings
from conftest import CategoryFactory, ShopFactory, UserFactory, mysql_only

pytestmark = pytest.mark.django_db

D = Decimal
CONDITIONS = Listing.Condition.values
PAGE = 5


@pytest.fixture
def catalog():
    """60 books, 220 listings: few prices and publication times, so that books tie on their key; some listings out
    of stock, paused, of an inactive seller or of a shop away."""
    rng = random.Random(16)
    categories = [CategoryFactory(name=f"Shelf {n}", slug=f"shelf-{n}") for n in range(3)]
    books = Book.objects.bulk_create(
        Book(
            title=f"Book {n}",
            authors="Someone",
            language=rng.choice(["en", "en", "es"]),
            binding=rng.choice(["paperback", "hardcover", "board"]),
            category=rng.choice(categories),
        )
        for n in range(60)
    )
    sellers = [ShopFactory().owner for _ in range(4)]
    gone = UserFactory(is_active=False)
    away = ShopFactory(away_until=timezone.now().date() + timedelta(days=3)).owner
    now = timezone.now().replace(microsecond=0)
    Listing.objects.bulk_create(
        Listing(
            book=rng.choice(books),
            seller=rng.choice([*sellers, *sellers, gone, away]),
            sku=f"sku-{n}",
            condition=rng.choice(CONDITIONS),
            price=D(rng.choice(["3.00", "5.00", "8.50", "10.00", "12.00", "15.00", "20.00", "31.00"])),
            quantity=rng.choice([0, 1, 1, 2]),
            status=rng.choice([Listing.Status.ACTIVE] * 5 + [Listing.Status.PAUSED]),
            published_at=now - timedelta(hours=rng.randrange(40)),
        )
        for n in range(220)
    )
    return categories


def reference(query: CatalogQuery, sort: str) -> list[tuple]:
    """(book id, copies, lowest price, best rank, worst rank) of every book with a matching copy, computed here."""
    away = set(Shop.objects.filter(away_until__isnull=False).values_list("owner_id", flat=True))
    groups = {}
    for listing in Listing.objects.select_related("book", "seller"):
        book = listing.book
        if (
            listing.status != Listing.Status.ACTIVE
            or listing.quantity == 0
            or not listing.seller.is_active
            or listing.seller_id in away
            or (query.conditions and listing.condition not in query.conditions)
            or (query.price_min is not None and listing.price < query.price_min)
            or (query.price_max is not None and listing.price > query.price_max)
            or (query.category_id is not None and book.category_id != query.category_id)
            or (query.language and book.language != query.language)
            or (query.binding and book.binding != query.binding)
        ):
            continue
        groups.setdefault(book.pk, []).append(listing)
    rows = []
    for book_id, copies in groups.items():
        ranks = [CONDITION_ORDER.index(copy.condition) for copy in copies]
        newest = max(copy.published_at for copy in copies)
        lowest = min(copy.price for copy in copies)
        rows.append((book_id, len(copies), lowest, min(ranks), max(ranks), newest))
    if sort == "price_asc":
        rows.sort(key=lambda row: (row[2], row[0]))
    elif sort == "price_desc":
        rows.sort(key=lambda row: (row[2], row[0]), reverse=True)
    else:
        rows.sort(key=lambda row: (row[5], row[0]), reverse=True)
    return [row[:5] for row in rows]


def shown(query: CatalogQuery) -> tuple[list[tuple], int]:
    """Every book the pages of ``query`` show, page after page until the first empty one, and how many pages."""
    result = find_listings(query)
    found, more = [], []
    for number in itertools.count(1):
        page = fetch_book_page(result, number, PAGE, query)
        found += [
            (summary.book.pk, summary.copies, summary.lowest_price, summary.best_rank, summary.worst_rank)
            for summary in page.books
        ]
        more.append(page.has_next)
        if not page.books:
            assert more[-2:] == [False, False] or number == 1, more  # the last page knows it is the last
            assert all(more[:-2]), more
            return found, number - 1


def queries(categories):
    ranges = [(None, None), (D("5.00"), D("12.00")), (None, D("8.50")), (D("10.00"), None)]
    conditions = [(), ("very_good",), ("good", "as_new"), ("fine", "fair", "poor")]
    for sort, (low, high), chosen in itertools.product(["newest", "price_asc", "price_desc", ""], ranges, conditions):
        if low is None and high is None and not chosen:
            continue  # read from the books' figures
        yield CatalogQuery(conditions=chosen, price_min=low, price_max=high, sort=sort)
    for sort in ("newest", "price_asc", "price_desc"):
        yield CatalogQuery(conditions=("good",), category_id=categories[0].pk, sort=sort)
        yield CatalogQuery(price_max=D("12.00"), language="es", sort=sort)
        yield CatalogQuery(conditions=("fine", "good"), binding="board", sort=sort)
        yield CatalogQuery(price_min=D("5.00"), binding="hardcover", language="en", sort=sort)


def recorded(monkeypatch, name: str) -> list:
    """What each call of the walk ``name`` of catalog.search.books returns, in order (None: it grouped instead)."""
    walks = []
    walk = getattr(search_books, name)
    monkeypatch.setattr(search_books, name, lambda *args: walks.append(walk(*args)) or walks[-1])
    return walks


@pytest.mark.parametrize("chunk", [700, 4])
def test_walked_pages_are_the_grouped_pages(catalog, chunk, monkeypatch):
    """Every page, in chunks of the default size and of 4 rows (the walk then goes through many keyset steps)."""
    monkeypatch.setattr(search_books, "WALK_CHUNK", chunk)
    monkeypatch.setattr(search_books, "WALK_ROWS", 10_000)
    monkeypatch.setattr(search_books, "DESC_ROWS", 10_000)
    walks = recorded(monkeypatch, "_walked_desc_ids")
    for query in queries(catalog):
        expected = reference(query, query.sort or "newest")
        found, pages = shown(query)
        assert found == expected, query
        assert pages == -(-len(expected) // PAGE)
    assert walks and None not in walks


@pytest.mark.parametrize(("per_book", "second_rounds"), [(1, 40), (2, 15)])
def test_price_descending_pages_in_two_rounds(catalog, per_book, second_rounds, monkeypatch):
    """A first round of one or two listings per book needed mostly leaves too few books final: the second round
    groups the books with a copy in the price range below, ties included (or the walk gives up)."""
    monkeypatch.setattr(search_books, "DESC_ROWS", 10_000)
    monkeypatch.setattr(search_books, "_first_chunk", lambda needed: per_book * needed)
    floors = []
    second_floor = search_books._second_floor
    monkeypatch.setattr(search_books, "_second_floor", lambda *args: floors.append(second_floor(*args)) or floors[-1])
    for query in queries(catalog):
        if query.sort == "price_desc":
            found, _pages = shown(query)
            assert found == reference(query, "price_desc"), query
    assert len(floors) - floors.count(None) >= second_rounds, floors


def test_the_count_is_the_number_of_books_up_to_its_cap(catalog, monkeypatch):
    for query in queries(catalog):
        result = find_listings(query)
        expected = len(reference(query, "newest"))
        page = fetch_book_page(result, 1, PAGE, query)
        assert count_books(result, page, PAGE, query).total == expected, query
    monkeypatch.setattr(counts, "COUNT_LIMIT", 7)
    query = CatalogQuery(conditions=("very_good", "good"))
    result = find_listings(query)
    count = count_books(result, fetch_book_page(result, 1, PAGE, query), PAGE, query)
    assert (count.total, count.capped) == (7, True)


def test_a_walk_past_its_row_cap_groups_instead(catalog, monkeypatch):
    monkeypatch.setattr(search_books, "WALK_CHUNK", 4)
    monkeypatch.setattr(search_books, "WALK_ROWS", 24)
    walks = recorded(monkeypatch, "_walked_ids")
    query = CatalogQuery(price_max=D("12.00"), sort="price_asc")
    found, _pages = shown(query)
    assert found == reference(query, "price_asc")
    assert walks[0] is not None and walks[-1] is None, walks  # page 1 is walked, the last ones group


def test_a_price_descending_walk_past_its_row_cap_groups_instead(catalog, monkeypatch):
    monkeypatch.setattr(search_books, "DESC_ROWS", 90)
    walks = recorded(monkeypatch, "_walked_desc_ids")
    query = CatalogQuery(price_max=D("12.00"), sort="price_desc")
    found, _pages = shown(query)
    assert found == reference(query, "price_desc")
    assert walks[0] is not None and walks[-1] is None, walks


def test_a_price_descending_walk_gives_up_before_a_second_round_too_far(catalog, monkeypatch):
    """The estimate of the second round is more than DESC_ROWS listings: every copy is grouped instead."""
    monkeypatch.setattr(search_books, "DESC_ROWS", 12)
    monkeypatch.setattr(search_books, "_first_chunk", lambda needed: 3)
    walks = recorded(monkeypatch, "_walked_desc_ids")
    query = CatalogQuery(conditions=("good", "as_new"), sort="price_desc")
    found, _pages = shown(query)
    assert found == reference(query, "price_desc")
    assert walks and all(walk is None for walk in walks), walks


def test_a_price_descending_walk_gives_up_when_its_second_round_falls_short(
    client, catalog, django_assert_max_num_queries, settings, monkeypatch
):
    """A second round that reads too little (no margin at all here) leaves too few books final: every copy is grouped
    instead, and the view still takes no more than six queries."""
    settings.CATALOG_PAGE_SIZE = PAGE
    monkeypatch.setattr(search_books, "_first_chunk", lambda needed: 2 * needed)
    monkeypatch.setattr(search_books, "DESC_MARGIN", Decimal("0.01"))
    walks = recorded(monkeypatch, "_walked_desc_ids")
    query = CatalogQuery(price_min=D(5), sort="price_desc")
    expected = [row[0] for row in reference(query, "price_desc")]
    client.get("/books/")  # categories cached
    most = 0
    for number in range(1, -(-len(expected) // PAGE) + 1):
        with django_assert_max_num_queries(6) as captured:
            response = client.get("/books/", {"price_min": "5", "sort": "price_desc", "page": number})
        most = max(most, len(captured))
        assert [s.book.pk for s in response.context["page"].books] == expected[(number - 1) * PAGE : number * PAGE]
    assert most == 6 and None in walks


def test_searches_and_deep_pages_group(catalog, monkeypatch):
    def no_walk(*args):
        raise AssertionError("walked")

    monkeypatch.setattr(search_books, "_walked_ids", no_walk)
    monkeypatch.setattr(search_books, "_walked_desc_ids", no_walk)
    for sort in ("newest", "price_desc"):
        query = CatalogQuery(conditions=("good",), sort=sort)
        page = fetch_book_page(find_listings(query), 60, 24, query)
        assert page.past_end
    query = CatalogQuery(q="book", conditions=("good",), sort="price_desc")
    fetch_book_page(find_listings(query), 1, PAGE, query)  # MariaDB's full-text index sees no uncommitted book


@pytest.mark.parametrize(
    ("params", "query"),
    [
        ({"condition": "very_good", "sort": "price_asc"}, CatalogQuery(conditions=("very_good",), sort="price_asc")),
        ({"price_min": "5", "sort": "price_desc"}, CatalogQuery(price_min=D(5), sort="price_desc")),
    ],
)
def test_the_view_walks_in_six_queries_at_most_and_answers_404_past_the_end(
    client, catalog, params, query, django_assert_max_num_queries, settings, monkeypatch
):
    """By price descending mostly in two rounds (a walk and a grouping, then a grouping), the first of two listings
    per book."""
    settings.CATALOG_PAGE_SIZE = PAGE
    monkeypatch.setattr(search_books, "_first_chunk", lambda needed: 2 * needed)
    walks = recorded(monkeypatch, "_walked_desc_ids")
    most = 0
    expected = [row[0] for row in reference(query, query.sort)]
    client.get("/books/")  # categories cached
    last = -(-len(expected) // PAGE)
    for number in range(1, last + 1):
        with django_assert_max_num_queries(6) as captured:
            response = client.get("/books/", {**params, "page": number})
        most = max(most, len(captured))
        assert [s.book.pk for s in response.context["page"].books] == expected[(number - 1) * PAGE : number * PAGE]
    assert client.get("/books/", {**params, "page": last + 1}).status_code == 404
    if query.sort == "price_desc":
        assert most == 5 and walks.count(None) < len(walks) / 2, walks


def _entries_read(cursor) -> int:
    """The session's rows read (Handler_read_*), with the index entries that index condition pushdown checked and
    rejected (read, but not counted by Handler_read_next)."""
    cursor.execute(
        "SHOW SESSION STATUS WHERE Variable_name LIKE %s OR Variable_name LIKE %s", ["Handler_read%", "Handler_icp%"]
    )
    values = {name: int(value) for name, value in cursor.fetchall()}
    rejected = values.pop("Handler_icp_attempts") - values.pop("Handler_icp_match")
    return sum(values.values()) + rejected


def _big_catalog(book_count: int, listing_count: int, *, price, quantity) -> None:
    """``listing_count`` copies of one shop over ``book_count`` books, four in five very good, one a minute older
    than the one before; ``price(n)`` and ``quantity(n)`` of the n-th."""
    category = CategoryFactory()
    books = Book.objects.bulk_create(
        Book(title=f"Book {n}", authors="A", category=category) for n in range(book_count)
    )
    seller = ShopFactory().owner
    now = timezone.now()
    Listing.objects.bulk_create(
        Listing(
            book=books[n % book_count],
            seller=seller,
            sku=f"sku-{n}",
            condition="very_good" if n % 5 else "good",
            price=price(n),
            quantity=quantity(n),
            status=Listing.Status.ACTIVE,
            published_at=now - timedelta(minutes=n),
        )
        for n in range(listing_count)
    )


@mysql_only
def test_a_walk_reads_a_bounded_part_of_a_big_catalog():
    """5,000 listings over 1,000 books: the walk to page 3 of 24 by price of the very good copies, or of those from 50
    up, reads a few hundred index entries (listing_cond_price_idx, the price range of listing_price_idx), not every
    matching copy."""
    _big_catalog(1000, 5000, price=lambda n: D(3 + n % 97), quantity=lambda n: 1)
    for query, index in [
        (CatalogQuery(conditions=("very_good",), sort="price_asc"), "listing_cond_price_idx"),
        (CatalogQuery(price_min=D(50), sort="price_asc"), "listing_price_idx"),
    ]:
        result = find_listings(query)
        assert index in result.indexes
        with connection.cursor() as cursor:
            before = _entries_read(cursor)
            ids = search_books._walked_ids(result, 48, 25)
            read = _entries_read(cursor) - before
        assert ids == [row[0] for row in reference(query, "price_asc")[48:73]]
        assert read < 1000, (query, read)  # grouping every matching copy reads every one of them and more


@mysql_only
def test_a_price_descending_walk_reads_a_bounded_part_of_a_big_catalog(monkeypatch):
    """20,000 listings over 10,000 books, each book's two copies far apart in price: page 1 of 24 by price
    descending, of the very good copies or of those from 50 up, walks the filter's price index from the dearest,
    groups the books met, then groups at once those with a copy in the price range below (a few thousand index
    entries in all), where grouping every matching copy reads every one of them and more."""
    _big_catalog(10_000, 20_000, price=lambda n: D(3 + n * 37 % 97), quantity=lambda n: 0 if n % 23 == 0 else 1)
    floors = recorded(monkeypatch, "_second_floor")
    for query, index in [
        (CatalogQuery(conditions=("very_good",), sort="price_desc"), "listing_cond_price_idx"),
        (CatalogQuery(price_min=D(50), sort="price_desc"), "listing_price_idx"),
    ]:
        result = find_listings(query)
        assert index in result.indexes
        with connection.cursor() as cursor:
            before = _entries_read(cursor)
            walked = search_books._walked_desc_ids(result, 0, 25)
            read = _entries_read(cursor) - before
            list(search_books._grouped(result.queryset.filter(quantity__gt=0)).order_by("-lowest", "-book_id")[:25])
            grouped = _entries_read(cursor) - before - read
        assert walked is not None and floors[-1] is not None, query  # in two rounds
        assert walked[0] == [row[0] for row in reference(query, "price_desc")[:25]]
        assert read < 10_000 < grouped, (query, read, grouped)
