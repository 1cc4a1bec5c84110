from decimal import Decimal

import pytest

from catalog.models import Listing
from conftest import ListingFactory
from wants.models import Match, SavedSearch, Want
from wants.tests.conftest import ISBN, AddressFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def charlie_search(charlie):
    return SavedSearch.objects.create(user=charlie, query="q=eliot", q="eliot", key_word="eliot")


def test_anonymous_is_sent_to_sign_in(client, charlie_want):
    for url in ("/wants/", "/wants/new/", f"/wants/{charlie_want.pk}/edit/", "/wants/searches/new/?q=eliot"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    assert client.post(f"/wants/{charlie_want.pk}/delete/").status_code == 302
    assert Want.objects.filter(pk=charlie_want.pk).exists()


@pytest.mark.parametrize("persona", ["alice", "bob", "staff"])
def test_outsiders_get_404(request, client_for, charlie_want, charlie_search, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(f"/wants/{charlie_want.pk}/edit/").status_code == 404
    assert client.post(f"/wants/{charlie_want.pk}/edit/", {"isbn13": ISBN, "country": "US"}).status_code == 404
    assert client.post(f"/wants/{charlie_want.pk}/pause/").status_code == 404
    assert client.post(f"/wants/{charlie_want.pk}/delete/").status_code == 404
    assert client.post(f"/wants/searches/{charlie_search.pk}/pause/").status_code == 404
    assert client.post(f"/wants/searches/{charlie_search.pk}/delete/").status_code == 404
    page = client.get("/wants/")
    assert page.status_code == 200
    assert ISBN not in page.content.decode()
    charlie_want.refresh_from_db()
    assert not charlie_want.paused
    assert SavedSearch.objects.filter(pk=charlie_search.pk).exists()


def test_list_page_shows_wants_searches_and_matches_and_clears_the_badge(
    client_for, charlie, charlie_want, charlie_search, alice, django_assert_max_num_queries
):
    listing = ListingFactory(seller=alice, book__title="Middlemarch", book__isbn13=ISBN)
    Match.objects.create(user=charlie, listing=listing, want=charlie_want, price=Decimal("18.50"))
    client = client_for(charlie)
    home = client.get("/")
    assert b'data-new-matches="1"' in home.content
    with django_assert_max_num_queries(14):
        page = client.get("/wants/")
    content = page.content.decode()
    assert page.status_code == 200
    assert f'href="/books/{listing.pk}/"' in content
    assert "eliot" in content and ISBN in content
    assert b"data-new-matches" not in client.get("/").content


def test_add_a_want_from_a_search_with_no_results(client_for, charlie):
    AddressFactory(user=charlie, country="MX")
    client = client_for(charlie)
    empty = client.get("/books/", {"q": "Cien años de soledad"})
    assert b"data-add-want" in empty.content
    form = client.get("/wants/new/", {"q": "Cien años de soledad"})
    assert form.context["form"].initial["title"] == "Cien años de soledad"
    assert form.context["form"].initial["country"] == "MX"
    response = client.post(
        "/wants/new/",
        {
            "title": "Cien años de soledad",
            "author": "García Márquez",
            "min_condition": "good",
            "country": "MX",
            "max_price": "25",
        },
    )
    assert response.status_code == 302
    want = Want.objects.get(user=charlie)
    assert want.words == "cien anos de soledad garcia marquez"
    assert want.key_word == "marquez"  # the longest word (ties: the first in order)


def test_a_search_for_an_isbn_prefills_the_isbn(client_for, charlie):
    form = client_for(charlie).get("/wants/new/", {"q": "0-14-143954-8"})
    assert form.context["form"].initial["isbn13"] == ISBN


def test_add_a_want_from_a_sold_out_listing(client_for, charlie, alice):
    listing = ListingFactory(seller=alice, quantity=0, book__title="Dune", book__isbn13=ISBN)
    client = client_for(charlie)
    page = client.get(listing.get_absolute_url())
    assert f'href="/wants/new/?listing={listing.pk}"'.encode() in page.content
    initial = client.get(f"/wants/new/?listing={listing.pk}").context["form"].initial
    assert (initial["isbn13"], initial["title"], initial["any_edition"]) == (ISBN, "Dune", True)


@pytest.mark.parametrize(
    "data, field",
    [
        ({"isbn13": "978-0-14-143954-0", "country": "CO"}, "isbn13"),  # wrong check digit
        ({"country": "CO"}, None),  # nothing to look for
        ({"title": "Dune", "country": "XX"}, "country"),
        ({"title": "Dune", "country": "CO", "max_price": "-3"}, "max_price"),
        ({"title": "Dune", "country": "CO", "max_price": "abc"}, "max_price"),
        ({"title": "Dune", "country": "CO", "min_condition": "mint"}, "min_condition"),
        ({"title": "Dune", "country": "CO", "any_edition": "on"}, "any_edition"),
        ({"isbn13": ISBN, "any_edition": "on", "country": "CO"}, "title"),  # unknown book: words needed
    ],
)
def test_bad_input_is_a_form_error(client_for, charlie, data, field):
    response = client_for(charlie).post("/wants/new/", {"min_condition": "good", **data})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors if field else errors
    assert not Want.objects.exists()


def test_edit_pause_and_delete(client_for, charlie, charlie_want):
    client = client_for(charlie)
    assert client.get(f"/wants/{charlie_want.pk}/edit/").status_code == 200
    data = {"isbn13": ISBN, "min_condition": "fine", "country": "US", "max_price": "30"}
    assert client.post(f"/wants/{charlie_want.pk}/edit/", data).status_code == 302
    charlie_want.refresh_from_db()
    assert (charlie_want.min_condition, str(charlie_want.country)) == (Listing.Condition.FINE, "US")
    client.post(f"/wants/{charlie_want.pk}/pause/")
    charlie_want.refresh_from_db()
    assert charlie_want.paused
    assert client.get(f"/wants/{charlie_want.pk}/pause/").status_code == 405
    client.post(f"/wants/{charlie_want.pk}/delete/")
    assert not Want.objects.exists()


def test_save_a_search_from_the_catalog(client_for, charlie):
    client = client_for(charlie)
    page = client.get("/books/", {"q": "eliot", "condition": "fine", "sort": "newest"})
    assert b"data-save-search" in page.content
    url = "/wants/searches/new/?q=eliot&condition=fine&sort=newest&page=2"
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # the same search is kept once
    search = SavedSearch.objects.get()
    assert (search.query, search.q, search.key_word) == ("condition=fine&q=eliot", "eliot", "eliot")


@pytest.mark.parametrize("query", ["q=eliot&price_min=abc", "condition=fine", "q=%20%20"])
def test_saving_a_bad_search_is_a_400(client_for, charlie, query):
    client = client_for(charlie)
    for method in (client.get, client.post):
        response = method(f"/wants/searches/new/?{query}")
        assert response.status_code == 400
        assert response.context["error"]
    assert not SavedSearch.objects.exists()


def test_want_ids_out_of_range_are_404(client_for, charlie):
    assert client_for(charlie).get("/wants/99999999999999999999/edit/").status_code == 404
