"""catalog.services.books: the one way the listing form, imports and the API find or create a book."""

import pytest
from django.core.exceptions import ValidationError

from catalog.models import Book
from catalog.services.books import check_book_data, find_or_create_book, find_or_create_books
from conftest import BookFactory, CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def category():
    return CategoryFactory(name="Fiction (test)", slug="fiction-test")


def test_isbn_10_with_hyphens_finds_the_catalogs_book_and_fills_only_empty_fields(category):
    book = BookFactory(isbn13="9780141439549", title="Middlemarch", publisher="", year=None)
    found = find_or_create_book(
        {"isbn": "0-14-143954-8", "title": "Another title", "publisher": "Penguin", "year": 1994, "category": None}
    )
    assert found == book
    book.refresh_from_db()
    assert (book.title, book.publisher, book.year) == ("Middlemarch", "Penguin", 1994)


def test_an_unknown_isbn_makes_a_new_book_stored_as_isbn_13(category):
    book = find_or_create_book(
        {"isbn": "0-14-143954-8", "title": "Middlemarch", "authors": "Eliot", "category": category}
    )
    assert book.isbn13 == "9780141439549" and Book.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"isbn": "9780141439540", "title": "T", "authors": "A"}, "isbn"),
        ({"isbn": "not an isbn", "title": "T", "authors": "A"}, "isbn"),
        ({"isbn": "", "title": "", "authors": "A"}, "title"),
        ({"isbn": "9780141439549", "title": "T", "authors": ""}, "authors"),
        ({"isbn": "", "title": "T" * 256, "authors": "A"}, "title"),
        ({"isbn": "", "title": "T", "authors": "A", "language": "tlh"}, "language"),
    ],
)
def test_bad_book_data_is_refused_by_field(category, data, field):
    with pytest.raises(ValidationError) as info:
        find_or_create_book({"category": category, **data})
    assert field in info.value.message_dict
    with pytest.raises(ValidationError):
        check_book_data({"category": category, **data})
    assert not Book.objects.exists()


def test_many_rows_at_once_share_new_isbns_and_keep_books_without_one_apart(category, django_assert_max_num_queries):
    rows = [
        {"isbn": "9780141439549", "title": "Middlemarch", "authors": "Eliot", "category": category},
        {"isbn": "0141439548", "title": "Middlemarch again", "authors": "Eliot", "category": category},
        {"isbn": "", "title": "Private print", "authors": "Anon", "category": category},
        {"isbn": "", "title": "Private print", "authors": "Anon", "category": category},
    ]
    with django_assert_max_num_queries(8):
        books = find_or_create_books(rows)
    assert books[0] == books[1] and books[0].title == "Middlemarch"
    assert books[2].pk != books[3].pk and books[2].isbn13 is None
    assert Book.objects.count() == 3


def test_one_bad_row_writes_nothing(category):
    rows = [
        {"isbn": "", "title": "Fine", "authors": "A", "category": category},
        {"isbn": "", "title": "", "authors": "A", "category": category},
    ]
    with pytest.raises(ValidationError):
        find_or_create_books(rows)
    assert not Book.objects.exists()
