"""A narrow combination of book filters (a shelf) is read book first (catalog.search.shelves): the pages and counts
are those of the other plans, the choice follows the shelf's numbers, and on MariaDB the read stays within the
shelf."""

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.book_stats import refresh_book_stats
from catalog.models import Book, Listing
from catalog.search import books as search_books
from catalog.search import counts, pages, shelves
from catalog.search.books import count_books, fetch_book_page
from catalog.search.queries import CatalogQuery, find_listings
from catalog.search.shelves import Shelf, ShelfSize, reads_book_first, shelf_size
from catalog.tests.test_books_walk import PAGE, queries, reference, shown
from catalog.tests.test_books_walk import catalog as catalog  # the fixture, shared
from conftest import CategoryFactory, ShopFactory

pytestmark = pytest.mark.django_db

D = Decimal


def _shelved(categories) -> list[CatalogQuery]:
    return [query for query in queries(categories) if query.category_id or query.language or query.binding]


@pytest.fixture
def book_first(monkeypatch):
    """Every shelf is read book first (its estimate says nothing is cheaper); the calls are recorded."""
    monkeypatch.setattr(shelves, "book_first_rows", lambda size: 0)
    calls = []
    shelf_groups = search_books._shelf_groups
    monkeypatch.setattr(search_books, "_shelf_groups", lambda *args: calls.append(args) or shelf_groups(*args))
    return calls


@pytest.fixture
def never_book_first(monkeypatch):
    monkeypatch.setattr(shelves, "SHELF_COPIES", -1)


@pytest.mark.parametrize("first", [True, False])
def test_books_pages_read_book_first_are_the_reference(catalog, book_first, first, monkeypatch):
    if not first:
        monkeypatch.setattr(shelves, "SHELF_COPIES", -1)
    for query in _shelved(catalog):
        expected = reference(query, query.sort or "newest")
        found, number = shown(query)
        assert found == expected, query
        assert number == -(-len(expected) // PAGE)
    assert bool(book_first) is first


def test_books_counts_read_book_first_are_the_reference(catalog, book_first):
    for query in _shelved(catalog):
        result = find_listings(query)
        count = count_books(result, fetch_book_page(result, 1, PAGE, query), PAGE, query)
        assert (count.total if count else 0) == len(reference(query, "newest")), query


def _copy_pages(query: CatalogQuery, *, book_first: bool) -> list[int]:
    result = find_listings(query)
    books = result.shelf.books() if book_first else None
    shown_ids = []
    for number in range(1, 100):
        page = pages.fetch_page(
            result.unshelved if book_first else result.queryset,
            result.ordering,
            number,
            PAGE,
            indexes=result.indexes,
            shelf_books=books,
        )
        shown_ids += [listing.pk for listing in page.listings]
        if not page.has_next:
            return shown_ids
    raise AssertionError("more pages than listings")


def test_copy_pages_and_counts_read_book_first_are_those_of_the_indexes(catalog, monkeypatch):
    for query in _shelved(catalog):
        expected = _copy_pages(query, book_first=False)
        assert _copy_pages(query, book_first=True) == expected, query
        monkeypatch.setattr(shelves, "SHELF_COPIES", -1)
        walked = counts._count(find_listings(query))
        monkeypatch.setattr(shelves, "SHELF_COPIES", 10_000)
        monkeypatch.setattr(shelves, "book_first_rows", lambda size: 0)
        assert counts._count(find_listings(query)) == walked == counts.Tally(len(expected)), query
        monkeypatch.undo()


def _main(client, url: str) -> str:
    """The page's main content (the form tokens around it differ from one response to the next)."""
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def _main_of(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


def test_the_browse_pages_are_the_same_either_way(client, catalog, settings, monkeypatch):
    settings.CATALOG_CACHE_SECONDS = 0
    urls = [
        f"/books/?category={catalog[0].slug}&language=en&condition=good&condition=fine&sort=price_desc",
        f"/books/?category={catalog[1].slug}&binding=paperback&price_max=12&view=copies&sort=newest",
        "/books/?language=es&binding=hardcover&price_min=5",
    ]
    monkeypatch.setattr(shelves, "SHELF_COPIES", -1)
    walked = [_main(client, url) for url in urls]
    assert all("data-result-count" in main for main in walked)
    monkeypatch.setattr(shelves, "SHELF_COPIES", 10_000)
    monkeypatch.setattr(shelves, "book_first_rows", lambda size: 0)
    with CaptureQueriesContext(connection) as captured:
        assert [_main(client, url) for url in urls] == walked
    if connection.vendor == "mysql":
        assert any("AS met STRAIGHT_JOIN" in query["sql"] for query in captured.captured_queries)


# --- The numbers ------------------------------------------------------------------------------------------------


def test_a_shelf_counts_the_books_and_copies_for_sale_of_its_combination(catalog):
    refresh_book_stats(Book.objects.values_list("pk", flat=True))
    category = catalog[0]
    expected_books = set()
    expected_copies = 0
    for listing in Listing.objects.select_related("book", "seller__shop").filter(
        book__category=category, book__language="en", status=Listing.Status.ACTIVE, quantity__gt=0
    ):
        shop = getattr(listing.seller, "shop", None)
        if listing.seller.is_active and not (shop and shop.away_until):
            expected_books.add(listing.book_id)
            expected_copies += 1
    size = shelf_size(Shelf(category_id=category.pk, language="en"))
    assert size == ShelfSize(len(expected_books), expected_copies)
    assert shelf_size(Shelf()).copies >= size.copies > 0


def test_the_numbers_are_kept_until_forgotten(catalog):
    shelf = Shelf(language="es", binding="board")
    before = shelf_size(shelf)
    book = Book.objects.create(title="New", authors="Someone", language="es", binding="board", category=catalog[0])
    seller = ShopFactory().owner
    Listing.objects.create(
        book=book,
        seller=seller,
        sku="new-1",
        condition="good",
        price=D("4.00"),
        quantity=1,
        status=Listing.Status.ACTIVE,
        published_at=timezone.now(),
    )
    refresh_book_stats([book.pk])
    assert shelf_size(shelf) == before
    shelves.forget_sizes()
    assert shelf_size(shelf) == ShelfSize(before.books + 1, before.copies + 1)


@pytest.mark.django_db(transaction=True)
def test_a_process_plans_without_numbers_until_it_has_read_them(monkeypatch):
    category = CategoryFactory()
    book = Book.objects.create(title="Few", authors="Someone", language="it", binding="board", category=category)
    listing = {"book": book, "seller": ShopFactory().owner, "condition": "good", "price": D("4.00"), "quantity": 1}
    Listing.objects.create(sku="few-1", published_at=timezone.now(), status=Listing.Status.ACTIVE, **listing)
    refresh_book_stats([book.pk])
    sizes = shelves._Sizes()  # a new process, whose read waits here until the test lets it go
    monkeypatch.setattr(shelves, "_sizes", sizes)
    gate, read = threading.Event(), sizes._read
    monkeypatch.setattr(sizes, "_read", lambda: gate.wait(10) and read())
    shelf = Shelf(category_id=category.pk, language="it")
    assert shelf_size(shelf) == ShelfSize(0, 0)  # at once: the numbers are being read apart
    assert not sizes.known
    monkeypatch.setattr(shelves, "book_first_rows", lambda size: 0)  # whatever the estimate would say
    assert not reads_book_first(shelf, 1.0, 25)  # the listing indexes are read meanwhile
    assert not shelves.reads_price_range(shelf, 0, None, D("5"), 25)
    gate.set()
    _wait_for_the_read()
    assert sizes.known
    assert shelf_size(shelf) == ShelfSize(1, 1)
    assert reads_book_first(shelf, 1.0, 25)


def _wait_for_the_read() -> None:
    deadline = time.monotonic() + 10
    while any(thread.name == "shelf-sizes" for thread in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.02)


@pytest.mark.django_db(transaction=True)
def test_old_numbers_serve_while_new_ones_are_read_apart(monkeypatch):
    category = CategoryFactory()
    book = Book.objects.create(title="Kept", authors="Someone", language="it", binding="board", category=category)
    seller = ShopFactory().owner
    listing = {"book": book, "seller": seller, "condition": "good", "price": D("4.00"), "quantity": 1}
    listing["status"] = Listing.Status.ACTIVE
    Listing.objects.create(sku="kept-1", published_at=timezone.now(), **listing)
    refresh_book_stats([book.pk])
    shelves.forget_sizes()
    shelf = Shelf(language="it")
    assert shelf_size(shelf) == ShelfSize(1, 1)
    Listing.objects.create(sku="kept-2", published_at=timezone.now(), **listing)
    refresh_book_stats([book.pk])
    monkeypatch.setattr(shelves, "SHELF_SECONDS", -1)  # the numbers are old now
    assert shelf_size(shelf) == ShelfSize(1, 1)  # at once, without waiting for the new ones
    _wait_for_the_read()
    monkeypatch.setattr(shelves, "SHELF_SECONDS", 300)
    assert shelf_size(shelf) == ShelfSize(1, 2)


class _ReadAtOnce:
    """A thread that has done its work by the time start() returns: the quickest a background read can be."""

    def __init__(self, target, name, daemon):
        self.target = target

    def start(self):
        self.target()


def test_a_read_that_ends_before_the_request_goes_on_leaves_it_the_numbers_it_asked_with(monkeypatch):
    category = CategoryFactory()
    book = Book.objects.create(title="Quick", authors="Someone", language="it", binding="board", category=category)
    listing = {"book": book, "seller": ShopFactory().owner, "condition": "good", "price": D("4.00"), "quantity": 1}
    Listing.objects.create(sku="quick-1", status=Listing.Status.ACTIVE, published_at=timezone.now(), **listing)
    refresh_book_stats([book.pk])
    shelves.forget_sizes()
    shelf = Shelf(language="it")
    assert shelf_size(shelf) == ShelfSize(1, 1)
    Listing.objects.create(sku="quick-2", status=Listing.Status.ACTIVE, published_at=timezone.now(), **listing)
    refresh_book_stats([book.pk])
    monkeypatch.setattr(shelves, "SHELF_SECONDS", -1)
    monkeypatch.setattr(shelves.threading, "Thread", _ReadAtOnce)
    assert shelf_size(shelf) == ShelfSize(1, 1)  # what this request saw when it asked
    monkeypatch.setattr(shelves, "SHELF_SECONDS", 300)
    assert shelf_size(shelf) == ShelfSize(1, 2)  # the next one has the new numbers


def test_the_choice_follows_the_estimates(monkeypatch):
    sizes = {
        Shelf(category_id=1, language="fr"): ShelfSize(40, 200),
        Shelf(category_id=1): ShelfSize(1000, 5000),
        Shelf(language="fr"): ShelfSize(1000, 5000),
        Shelf(category_id=2, language="en"): ShelfSize(300, 1500),
        Shelf(category_id=2): ShelfSize(1000, 5000),
        Shelf(language="en"): ShelfSize(3000, 15000),
    }
    monkeypatch.setattr(shelves, "shelf_size", sizes.__getitem__)
    narrow, wide = Shelf(category_id=1, language="fr"), Shelf(category_id=2, language="en")
    # Page 1 of every copy of a narrow shelf: the walk reads 25 matches at 25 entries each, 625 > 320.
    assert reads_book_first(narrow, 1.0, 25)
    # One copy in six matches (a condition): even more so; a shelf larger than SHELF_COPIES never.
    assert reads_book_first(narrow, 1 / 6, 25)
    assert not reads_book_first(wide, 1 / 6, 25_000)
    monkeypatch.setattr(shelves, "SHELF_COPIES", 2_000)
    # Within the limit, page 1 of a shelf that is a tenth of its filters' listings: the walk reads 250 rows.
    assert not reads_book_first(wide, 1.0, 25)
    assert reads_book_first(wide, 1.0, 25 * 20)
    assert not reads_book_first(None, 1.0, 10_000)


# --- MariaDB: the read stays within the shelf ------------------------------------------------------------------


@pytest.fixture
def two_big_filters(db):
    """300 copies of category A books in English, 300 of French books in category B, 6 of French books of A."""
    if connection.vendor != "mysql":
        pytest.skip("the rows read are MySQL/MariaDB's Handler_read_* counters")
    a, b = CategoryFactory(name="A", slug="a"), CategoryFactory(name="B", slug="b")
    sellers = [ShopFactory().owner for _ in range(3)]
    made = []
    for number, (category, language, copies) in enumerate([(a, "en", 300), (b, "fr", 300), (a, "fr", 6)]):
        books = Book.objects.bulk_create(
            Book(title=f"{language} {number} {n}", authors="Someone", language=language, category=category)
            for n in range(copies // 3)
        )
        made += books
        now = timezone.now()
        Listing.objects.bulk_create(
            Listing(
                book=books[n % len(books)],
                seller=sellers[n % 3],
                sku=f"{number}-{n}",
                condition="poor" if n % 2 else "good",
                price=D(3 + n % 20),
                quantity=1,
                status=Listing.Status.ACTIVE,
                published_at=now - timedelta(minutes=n),
            )
            for n in range(copies)
        )
    refresh_book_stats(book.pk for book in made)  # (ANALYZE TABLE would commit the test's transaction)
    shelves.forget_sizes()
    return a


def _rows_read() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW SESSION STATUS LIKE 'Handler_read%%'")
        return sum(int(value) for _name, value in cursor.fetchall())


@pytest.mark.parametrize(("view", "page"), [("copies", 2), ("books", 1)])
def test_a_narrow_shelf_reads_its_own_rows_only(two_big_filters, client, settings, view, page):
    settings.CATALOG_CACHE_SECONDS = 0
    settings.CATALOG_PAGE_SIZE = 1
    url = f"/books/?category=a&language=fr&condition=poor&sort=price_desc&view={view}&page={page}"
    client.get(url)  # the process's first page: templates and the shelf numbers
    before = _rows_read()
    response = client.get(url)
    assert response.status_code == 200
    assert _rows_read() - before < 150  # the walk read some 300 entries of one of the two big filters


# --- A price range few copies match, from a price index ------------------------------------------------------


def test_the_price_share_comes_from_the_catalogs_prices(catalog):
    shares = {}
    for low, high in [(None, D("8.50")), (D("10.00"), None), (D("5.00"), D("12.00")), (D("31.00"), D("31.00"))]:
        active = Listing.objects.filter(status=Listing.Status.ACTIVE)
        expected = active.filter(
            **({"price__gte": low} if low is not None else {}), **({"price__lt": int(high) + 1} if high else {})
        ).count()
        shares[low, high] = shelves.price_share(low, high)
        assert shares[low, high] == pytest.approx(expected / active.count()), (low, high)
    assert shelves.price_share(None, None) == 1.0
    assert 0 < shares[D("31.00"), D("31.00")] < shares[D("10.00"), None] < 1


def test_the_price_range_is_read_when_few_copies_match(monkeypatch):
    sizes = {Shelf(): ShelfSize(20_000, 100_000), Shelf(category_id=1): ShelfSize(1000, 5000)}
    monkeypatch.setattr(shelves, "shelf_size", sizes.__getitem__)
    monkeypatch.setattr(shelves, "price_share", lambda low, high: 0.02 if high == D("5") else 0.4)
    # A narrow range in a category, one condition: 17 matches; the walk reads its index to the end.
    assert shelves.reads_price_range(Shelf(category_id=1), 1, None, D("5"), 25)
    # "From 20" alone: 40,000 matches; page 1 reads 63 entries newest first, the range 40,000.
    assert not shelves.reads_price_range(None, 0, D("20"), None, 25)
    assert not shelves.reads_price_range(Shelf(category_id=1), 0, None, None, 25)


@pytest.mark.parametrize("page", [1, 3])
def test_copy_pages_by_a_price_index_are_those_of_the_newest_index(catalog, client, settings, monkeypatch, page):
    settings.CATALOG_CACHE_SECONDS = 0
    settings.CATALOG_PAGE_SIZE = 3
    urls = [
        f"/books/?view=copies&price_min=8.50&price_max=12&page={page}",
        f"/books/?view=copies&condition=good&price_max=10&category={catalog[0].slug}&page={page}",
        f"/books/?view=copies&price_min=15&language=es&page={page}",
    ]
    from catalog.views import browse

    monkeypatch.setattr(browse, "reads_price_range", lambda *args: False)
    monkeypatch.setattr(shelves, "SHELF_COPIES", -1)
    walked = [client.get(url).content.decode() for url in urls]
    monkeypatch.setattr(browse, "reads_price_range", lambda *args: True)
    with CaptureQueriesContext(connection) as captured:
        by_price = [client.get(url).content.decode() for url in urls]
    for before, after in zip(walked, by_price, strict=True):
        assert (
            before[before.index("<main") : before.index("</main>")]
            == after[after.index("<main") : after.index("</main>")]
        )
    assert any("data-result-count" in page for page in walked)
    if connection.vendor == "mysql":
        assert any("FORCE INDEX (`listing_price_idx`)" in query["sql"] for query in captured.captured_queries)


def test_a_narrow_price_range_reads_few_rows(two_big_filters, client, settings):
    """Copies at 22 in poor condition are one in twenty (30 of 606): page 20 (of one copy) is read from the poor
    copies' price index, the range alone, where newest first the poor copies' index (303 entries) is read until 21
    match."""
    settings.CATALOG_CACHE_SECONDS = 0
    settings.CATALOG_PAGE_SIZE = 1
    url = "/books/?view=copies&condition=poor&price_min=22&price_max=22.99&page=20"
    client.get(url)
    before = _rows_read()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    read = _rows_read() - before
    assert any("FORCE INDEX (`listing_cond_price_idx`)" in query["sql"] for query in captured.captured_queries)
    assert read < 150, read
