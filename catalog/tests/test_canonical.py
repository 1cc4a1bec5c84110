"""Catalog parameters in one spelling before the page cache key is made: junk dropped, values normalised."""

import pytest
from django.http import QueryDict

from catalog.forms.browse import canonical_query

pytestmark = pytest.mark.django_db

BROWSE = "/books/"


def canonical(query: str) -> str:
    return canonical_query(QueryDict(query)).urlencode()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("utm_source=12&fbclid=abc", ""),
        ("q=+lost++river+&utm_campaign=x", "q=lost+river"),
        ("sort=price_asc&language=es", "language=es&sort=price_asc"),
        ("language=es&sort=price_asc", "language=es&sort=price_asc"),
        ("language=+ES+&binding=Hardcover&view=COPIES", "language=es&binding=hardcover&view=copies"),
        ("condition=good&condition=fine&condition=good", "condition=fine&condition=good"),
        ("price_min=10.00&price_max=20.50", "price_min=10&price_max=20.5"),
        ("page=1&view=books&sort=newest", ""),
        ("q=river&sort=relevance&page=02", "q=river&page=2"),
        ("q=river&sort=newest", "q=river&sort=newest"),
        ("category=&language=&binding=&price_min=&price_max=&q=", ""),
    ],
)
def test_every_spelling_of_a_page_has_one_canonical_form(given, expected):
    assert canonical(given) == expected


@pytest.mark.parametrize(
    "given",
    ["language=klingon", "price_min=abc", "page=zero", "sort=cheapest", "condition=mint", "price_max=1e999"],
)
def test_a_value_that_does_not_validate_is_kept_as_given(given):
    assert canonical(given + "&utm_source=1") == given


def test_junk_parameters_share_the_clean_pages_entry(page_cache, client, alice_listing, django_assert_num_queries):
    clean = client.get(BROWSE, {"language": "en", "sort": "price_asc"})
    assert clean.status_code == 200
    with django_assert_num_queries(0):  # the clean page's entry: no query, whatever the junk and the order
        junk = client.get(f"{BROWSE}?sort=PRICE_ASC&utm_source=44&language=en&fbclid=x")
    assert junk.status_code == 200
    assert "The Name of the Rose" in junk.content.decode()
    assert "utm_source" not in junk.content.decode() and "fbclid" not in junk.content.decode()


def test_the_page_links_to_its_clean_url_and_keeps_no_junk(client, alice_listing, settings):
    body = client.get(f"{BROWSE}?utm_source=44&q=rose&page=1").content.decode()
    assert f'<link rel="canonical" href="{settings.SITE_URL}{BROWSE}?q=rose">' in body
    assert "utm_source" not in body


def test_the_front_page_ignores_parameters(page_cache, client, alice_listing, django_assert_num_queries):
    client.get("/")
    with django_assert_num_queries(0):
        response = client.get("/?utm_source=newsletter&gclid=1")
    assert response.status_code == 200
    assert "utm_source" not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("language=klingon&utm_source=1", "is not a language we list"),
        ("price_min=abc&ref=x", "Enter a price as a number"),
        ("page=0&fbclid=1", "The page must be a whole number"),
    ],
)
def test_invalid_values_still_answer_400_with_their_message(client, query, message):
    response = client.get(f"{BROWSE}?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'rel="canonical"' not in response.content.decode()
