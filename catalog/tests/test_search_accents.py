"""Search ignores accents and case on every database: "marquez" finds "García Márquez", "cien anos" "Cien años".

MariaDB does it by its collation (utf8mb4_unicode_ci), SQLite through catalog.folding. The tests are transactional
(InnoDB's full-text index sees only committed rows) and run unchanged on both: on SQLite by default, on MariaDB with
DATABASE_URL=mysql://...
"""

import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.folding import fold
from catalog.models import Book, Listing
from catalog.search import CatalogQuery, find_listings, search_words
from conftest import CategoryFactory, ListingFactory, ShopFactory

BROWSE = "/books/"
SOLEDAD = "Cien años de soledad"

search_db = pytest.mark.django_db(transaction=True)


def titles(response) -> list[str]:
    assert response.status_code == 200
    return [listing.book.title for listing in response.context["page"].listings]


@pytest.fixture
def shelf():
    """An accented Spanish book among plain English ones, from two sellers."""
    novels = CategoryFactory(name="Novels", slug="novels")
    sellers = [ShopFactory().owner, ShopFactory().owner]
    rows = [
        (SOLEDAD, "Gabriel García Márquez", "La historia de los Buendía en Macondo.", Book.Language.SPANISH),
        (
            "El túnel",
            "Ernesto Sábato",
            "Juan Pablo Castel cuenta por qué mató a María Iribarne.",
            Book.Language.SPANISH,
        ),
        ("Dune", "Frank Herbert", "Spice and sand worms on the desert planet.", Book.Language.ENGLISH),
        ("Marquee Moon Stories", "Tom Verlaine", "Short fiction from New York.", Book.Language.ENGLISH),
    ]
    for index, (title, authors, description, language) in enumerate(rows):
        ListingFactory(
            seller=sellers[index % 2],
            book__title=title,
            book__authors=authors,
            book__description=description,
            book__language=language,
            book__category=novels,
        )


@search_db
@pytest.mark.parametrize(
    "q", ["marquez", "MARQUEZ", "Márquez", "MÁRQUEZ", "garcia marquez", "GARCÍA márquez", "cien anos", "CIEN AÑOS"]
)
def test_catalog_search_ignores_accents_and_case(client, shelf, q):
    assert titles(client.get(BROWSE, {"q": q})) == [SOLEDAD]


@search_db
@pytest.mark.parametrize("view", ["books", "copies"])
@pytest.mark.parametrize("q", ["marquez", "GARCÍA márquez", "cien anos", "buendia macondo"])
def test_both_views_of_the_catalog_ignore_accents_and_case(client, shelf, view, q):
    response = client.get(BROWSE, {"q": q, "view": view, "category": "novels", "language": "es"})
    assert response.context["view"] == view
    assert titles(response) == [SOLEDAD]


@search_db
def test_an_accented_query_finds_text_written_without_the_accent_and_the_other_way_round(client, shelf):
    assert titles(client.get(BROWSE, {"q": "dúne"})) == ["Dune"]
    assert titles(client.get(BROWSE, {"q": "sabato tunel"})) == ["El túnel"]
    assert titles(client.get(BROWSE, {"q": "maria iribarne"})) == ["El túnel"]  # a word of the description


@search_db
def test_a_query_typed_with_combining_accents_is_one_word(client, shelf):
    decomposed = "Ma\u0301rquez"  # "a" followed by a combining acute accent, as some keyboards send it
    assert search_words(decomposed) == ["márquez"]
    assert titles(client.get(BROWSE, {"q": decomposed})) == [SOLEDAD]


@search_db
def test_folding_does_not_widen_a_search(client, shelf):
    # "marque" is a prefix of both authors' folded names; a full word matches only its own book.
    assert titles(client.get(BROWSE, {"q": "marquez"})) == [SOLEDAD]
    assert titles(client.get(BROWSE, {"q": "marquee"})) == ["Marquee Moon Stories"]
    assert titles(client.get(BROWSE, {"q": "buendia dune"})) == []


@search_db
def test_search_with_filters_ignores_accents_too(client, shelf):
    params = {"q": "garcia marquez", "category": "novels", "language": "es"}
    assert titles(client.get(BROWSE, params)) == [SOLEDAD]
    assert titles(client.get(BROWSE, {**params, "language": "en"})) == []


@search_db
def test_a_search_within_given_listings_ignores_accents(shelf):
    # The path a shop's own listings take: the listings are narrowed and ranked themselves, not book first.
    result = find_listings(CatalogQuery(q="cien anos"), base=Listing.objects.all())
    assert [listing.book.title for listing in result.queryset] == [SOLEDAD]
    result = find_listings(CatalogQuery(q="MARQUEZ", sort="relevance"), base=Listing.objects.all())
    assert [listing.book.title for listing in result.queryset.order_by(*result.ordering)] == [SOLEDAD]


@search_db
@pytest.mark.parametrize(
    "model, term",
    [(Book, "marquez"), (Book, "cien anos"), (Listing, "CIEN ANOS"), (Listing, "soledad")],
)
def test_staff_search_in_the_admin_ignores_accents_and_case(client_for, staff, shelf, model, term):
    opts = model._meta
    response = client_for(staff).get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), {"q": term})
    assert response.status_code == 200
    found = list(response.context["cl"].result_list)
    assert len(found) == 1
    book = found[0] if model is Book else found[0].book
    assert book.title == SOLEDAD


@search_db
@pytest.mark.skipif(connection.vendor != "mysql", reason="what MariaDB runs")
def test_mariadb_still_searches_the_fulltext_index_and_compares_by_its_collation(client, shelf):
    with CaptureQueriesContext(connection) as queries:
        assert titles(client.get(BROWSE, {"q": "cien anos de"})) == [SOLEDAD]
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "MATCH (" in sql and "IN BOOLEAN MODE" in sql
    assert "bookstore_fold" not in sql  # "de", a stopword, is checked with a plain LIKE
    assert "LIKE" in sql


@search_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own LIKE")
def test_sqlite_compares_folded_text(client, shelf):
    with CaptureQueriesContext(connection) as queries:
        assert titles(client.get(BROWSE, {"q": "MÁRQUEZ"})) == [SOLEDAD]
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "bookstore_fold(" in sql


@pytest.mark.parametrize(
    "text, folded",
    [
        ("García Márquez", "garcia marquez"),
        ("CIEN AÑOS", "cien anos"),
        ("Ærø Łódź", "aero lodz"),
        ("Straße", "strasse"),
        ("", ""),
        (None, None),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize("text", ["Dune", "THE LORD of the Rings", "1984", "a-b_c (d) 'e'", "", "\x7f~"])
def test_folding_ascii_text_takes_the_short_way_to_the_same_result(text):
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    assert fold(text) == "".join(char for char in decomposed if not unicodedata.combining(char))
