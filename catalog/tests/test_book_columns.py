"""Each listing's copies of its book's language, binding, shelf and title (Listing.book_language ...) stay in step
with the book, whichever service writes the book or the listing, and the catalog filters on them alone."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F, Q

from catalog.models import Book, Category, Listing
from catalog.search import SORT_PRICE_ASC, CatalogQuery, find_listings
from catalog.search.pages import hinted_sql
from catalog.services.listings import create_listing, update_listing
from catalog.tests.import_files import csv_bytes, good_rows
from catalog.tests.test_imports import import_file
from conftest import BookFactory, CategoryFactory, ListingFactory, mysql_only

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf():
    return CategoryFactory()


def out_of_step() -> list[int]:
    """The ids of listings whose copies differ from their book's columns."""
    differs = (
        ~Q(book_language=F("book__language"))
        | ~Q(book_binding=F("book__binding"))
        | ~Q(book_category=F("book__category"))
        | ~Q(book_title=F("book__title"))
        | ~Q(book_authors=F("book__authors"))
        | Q(book_category__isnull=True)
    )
    return list(Listing.objects.filter(differs).values_list("pk", flat=True))


def test_a_listing_made_by_the_factory_or_the_form_service_copies_its_book(alice, shelf):
    ListingFactory(book__language=Book.Language.FRENCH, book__binding=Book.Binding.LEATHER)
    listing = create_listing(
        alice,
        {"isbn": "", "title": "Rayuela", "authors": "Julio Cortázar", "category": shelf, "language": "es"},
        {"condition": "good", "price": Decimal("9.00"), "quantity": 1},
        publish=True,
    )
    listing.refresh_from_db()
    assert (listing.book_language, listing.book_title, listing.book_category_id) == ("es", "Rayuela", shelf.pk)
    assert out_of_step() == []


def test_changing_a_book_changes_its_listings_columns(alice):
    book = BookFactory(language=Book.Language.ENGLISH)
    ListingFactory.create_batch(2, book=book)
    other = ListingFactory()
    history = CategoryFactory()

    book = Book.objects.get(pk=book.pk)  # as the admin loads it
    book.language, book.binding, book.category, book.title = "de", "board", history, "Neuer Titel"
    book.save()

    assert out_of_step() == []
    assert set(Listing.objects.filter(book=book).values_list("book_language", flat=True)) == {"de"}
    assert Listing.objects.get(pk=other.pk).book_language == "en"


def test_saving_a_book_unchanged_writes_no_listing(django_assert_num_queries):
    book = BookFactory()
    ListingFactory(book=book)
    book = Book.objects.get(pk=book.pk)
    book.publisher = "Anagrama"
    with django_assert_num_queries(1):
        book.save()


def test_the_sellers_edit_of_its_own_book_reaches_the_listing(alice, shelf):
    listing = ListingFactory(seller=alice, book__language=Book.Language.ENGLISH)
    book_data = {
        "isbn": "",
        "title": "A New Title",
        "authors": "Someone",
        "category": shelf,
        "language": "it",
        "binding": "hardcover",
    }
    update_listing(listing, {"condition": "good", "price": Decimal("5.00"), "quantity": 2}, book_data)
    listing.refresh_from_db()
    assert (listing.book_language, listing.book_binding, listing.book_title) == ("it", "hardcover", "A New Title")
    assert out_of_step() == []


def test_a_listing_given_another_book_takes_its_columns():
    listing = ListingFactory(book__language="en")
    listing = Listing.objects.get(pk=listing.pk)
    listing.book_id = BookFactory(language="pt").pk
    listing.save()
    assert Listing.objects.get(pk=listing.pk).book_language == "pt"

    moved = Listing.objects.get(pk=listing.pk)
    moved.book = BookFactory(language="fr")
    Listing.objects.bulk_update([moved], ["book"])
    assert out_of_step() == []


def test_imports_copy_the_books_columns(alice, django_capture_on_commit_callbacks):
    Category.objects.get_or_create(slug="fiction", defaults={"name": "Fiction"})
    Category.objects.get_or_create(slug="history", defaults={"name": "History"})
    import_file(alice, csv_bytes(good_rows(12)), django_capture_on_commit_callbacks)
    assert Listing.objects.count() == 12
    assert out_of_step() == []
    assert set(Listing.objects.values_list("book_language", flat=True)) == {"en", "es"}


def test_seed_bulk_and_seed_demo_copy_the_books_columns():
    call_command("seed_bulk", "--listings", "60", "--books", "12", "--sellers", "2", "-v", "0", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    assert Listing.objects.count() > 60
    assert out_of_step() == []


def test_catalog_filters_read_the_listing_alone(shelf):
    spanish = ListingFactory(book__language="es", book__binding="hardcover", book__category=shelf)
    ListingFactory(book__language="en", book__binding="hardcover", book__category=shelf)
    result = find_listings(CatalogQuery(language="es", binding="hardcover", category_id=shelf.pk, sort=SORT_PRICE_ASC))
    assert list(result.queryset) == [spanish]
    assert "catalog_book" not in str(result.queryset.order_by(*result.ordering).values("id").query)


@mysql_only
@pytest.mark.parametrize(
    "query",
    [
        CatalogQuery(language="other", sort=SORT_PRICE_ASC),
        CatalogQuery(language="es"),
        CatalogQuery(binding="leather", sort="price_desc"),
        CatalogQuery(conditions=("good",), sort=SORT_PRICE_ASC),
        CatalogQuery(conditions=("good", "fine")),
    ],
)
def test_mysql_filters_and_sorts_read_their_index_without_a_sort(query):
    ListingFactory.create_batch(3)
    ListingFactory.create_batch(2, book__language="other", book__binding="leather", condition="good")
    result = find_listings(query)
    ids = result.queryset.order_by(*result.ordering).values_list("id")[24:49]
    sql, params = hinted_sql(ids, result.indexes)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        columns = [column[0] for column in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    listing_rows = [row for row in rows if row["table"] == "catalog_listing"]
    assert len(listing_rows) == 1 and listing_rows[0]["key"] in result.indexes, rows
    assert "filesort" not in (listing_rows[0]["Extra"] or ""), rows
    assert "Using index" in (listing_rows[0]["Extra"] or ""), rows


@pytest.mark.parametrize(
    ("query", "indexes"),
    [
        (CatalogQuery(), ("listing_newest_idx",)),
        (CatalogQuery(sort=SORT_PRICE_ASC), ("listing_price_idx",)),
        (CatalogQuery(language="es", sort="price_desc"), ("listing_lang_price_idx",)),
        (CatalogQuery(language="es", binding="board"), ("listing_lang_newest_idx", "listing_bind_newest_idx")),
        (CatalogQuery(conditions=("poor",)), ("listing_cond_newest_idx",)),
        (CatalogQuery(conditions=("poor", "fair")), ("listing_newest_idx",)),
        (CatalogQuery(price_min=Decimal(5)), ("listing_newest_idx", "listing_price_idx")),
        (CatalogQuery(category_id=1, price_max=Decimal(5)), ("listing_cat_newest_idx", "listing_cat_price_idx")),
        (CatalogQuery(q="rose", sort="relevance"), ()),
    ],
)
def test_each_page_reads_the_index_of_its_filter_and_order(query, indexes):
    assert find_listings(query).indexes == indexes


def test_a_shops_own_listings_take_no_index_hint():
    result = find_listings(CatalogQuery(language="es"), base=Listing.objects.filter(seller_id=1))
    assert (result.indexes, result.count_indexes) == ((), ())


def test_an_isbn_search_takes_no_index_hint_and_finds_its_book_by_id():
    book = BookFactory(isbn13="9780306406157")
    copy = ListingFactory(book=book)
    ListingFactory.create_batch(2)
    result = find_listings(CatalogQuery(q="978-0-306-40615-7", sort="newest", language="en"))
    assert (result.indexes, result.count_indexes) == ((), ())
    assert list(result.queryset) == ([copy] if book.language == "en" else [])
    assert "catalog_book`.`isbn13`" not in str(result.queryset.query).replace('"', "`")


@mysql_only
def test_mysql_an_isbn_search_reads_its_books_copies_from_the_book_index():
    book = BookFactory(isbn13="9780306406157")
    ListingFactory.create_batch(2, book=book)
    ListingFactory.create_batch(5)
    result = find_listings(CatalogQuery(q="9780306406157", sort="newest"))
    ids = result.queryset.order_by(*result.ordering).values_list("id")[:25]
    # As catalog.search.pages reads a page: with the result's index hints, when it has any.
    sql, params = hinted_sql(ids, result.indexes) if result.indexes else ids.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        columns = [column[0] for column in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    listing_rows = [row for row in rows if row["table"] == "catalog_listing"]
    assert listing_rows and listing_rows[0]["key"] in ("listing_book_idx", "listing_book_stock_idx"), rows
    assert len(list(ids)) == 2
