"""The catalog's cards, written in Python (catalog.card_html): what each shows, in both languages, every value
escaped, and the cards on the catalog's pages."""

from decimal import Decimal

import pytest
from django.test.html import parse_html
from django.utils import translation

from catalog import card_html
from catalog.models import Listing
from catalog.search import CARD_RELATIONS, CatalogQuery, find_listings
from catalog.search import other_copies as find_other_copies
from catalog.search.books import fetch_book_page
from conftest import ListingFactory, ShopFactory

pytestmark = pytest.mark.django_db


def _has(card: str, snippet: str) -> bool:
    return parse_html(snippet) in parse_html(str(card))


@pytest.fixture
def copy(alice):
    listing = ListingFactory(
        seller=alice,
        book__title='Fish & "Chips" <script>x()</script>',
        book__authors="Ann O'Hara & Co",
        book__language="fr",
        condition=Listing.Condition.VERY_GOOD,
        price=Decimal("1234.50"),
    )
    return Listing.objects.select_related(*CARD_RELATIONS).get(pk=listing.pk)


def test_a_copy_card_shows_the_copy_escaped(copy):
    card = card_html.listing_card(copy)
    assert "<script>" not in card and "&lt;script&gt;" in card
    assert _has(card, '<span class="price"><span class="visually-hidden">Price: </span>$1,234.50</span>')
    assert _has(
        card, '<span class="badge badge-condition"><span class="visually-hidden">Condition: </span>Very Good</span>'
    )
    assert f'href="/books/{copy.pk}/"' in card
    assert ' lang="fr"' in card  # the title is French on an English page
    assert _has(
        card,
        """<p class="small text-body-secondary mb-2 line-clamp-2" title="Ann O'Hara &amp; Co">
        Ann O'Hara &amp; Co</p>""",
    )
    assert _has(card, '<span class="d-block">Bogotá, Colombia</span>')
    assert "Sold out" not in card
    assert 'aria-label="No photo of this copy yet"' in card  # no cover: the book icon, named


def test_a_copy_card_in_spanish(copy):
    copy.quantity = 0
    with translation.override("es"):
        card = card_html.listing_card(copy)
        again = card_html.listing_card(copy)  # the words are kept per language
    assert card == again
    assert _has(
        card, '<span class="badge badge-condition"><span class="visually-hidden">Conservación: </span>Muy bueno</span>'
    )
    assert "1234,50" in card.replace(".", "").replace("\xa0", "")
    assert _has(card, '<span class="badge text-bg-secondary">Agotado</span>')
    assert _has(card, '<span class="d-block">Bogotá, Colombia</span>')
    assert 'aria-label="Todavía no hay fotos de este ejemplar"' in card


def test_a_book_card_counts_its_copies_and_conditions(alice, bob):
    first = ListingFactory(seller=alice, book__title="Dune <2>", condition="fair", price=Decimal("4.00"))
    ListingFactory(seller=bob, book=first.book, condition="fine", price=Decimal("9.00"))
    query = CatalogQuery(sort="price_asc")
    summaries = fetch_book_page(find_listings(query), 1, 10, query).books
    card = card_html.book_card(summaries[0])
    assert "Dune &lt;2&gt;" in card and f'data-book="{first.book_id}"' in card
    assert _has(card, '<span class="price">2 copies from $4.00</span>')
    assert _has(card, '<span class="d-block text-body-secondary" data-conditions>Fair to Fine</span>')
    assert f'href="/books/work/{first.book_id}/"' in card
    with translation.override("es"):
        spanish = card_html.book_card(summaries[0])
    assert "2 ejemplares desde" in spanish


def test_a_book_card_of_one_copy(alice):
    ListingFactory(seller=alice, book__title="Alone", condition="good", price=Decimal("3.00"))
    query = CatalogQuery()
    (summary,) = fetch_book_page(find_listings(query), 1, 10, query).books
    card = card_html.book_card(summary)
    assert _has(card, '<span class="price">1 copy from $3.00</span>')
    assert _has(card, '<span class="d-block text-body-secondary" data-conditions>Good</span>')


@pytest.mark.parametrize("view", ["copies", "books"])
def test_the_catalog_pages_show_the_cards(client, alice, view):
    shop = ShopFactory(name="Rare & Fine", city="Lyon", country="FR")
    ListingFactory(seller=shop.owner, book__title="Le Petit Prince", book__language="fr")
    ListingFactory(seller=alice, book__title="Emma")
    page = client.get("/books/", {"view": view}).content.decode()
    assert page.count('class="card h-100 book-card') == 2
    assert "Le Petit Prince" in page and "Emma" in page
    if view == "copies":
        assert _has(page, '<span class="d-block text-truncate" title="Rare &amp; Fine">Rare &amp; Fine</span>')


# --- A listing page's other copies ----------------------------------------------------------


@pytest.fixture
def other_copies(copy):
    """Two other sellers' copies of ``copy``'s book, one with a shop name and city that need escaping."""
    shop = ShopFactory(name='<b>Ann & "Bob"</b>', city="Saint-Denis <i>")
    cheap = ListingFactory(seller=shop.owner, book=copy.book, price=Decimal("3.50"), condition=Listing.Condition.FAIR)
    dear = ListingFactory(seller=ShopFactory().owner, book=copy.book, price=Decimal("1200.00"))
    return [cheap, dear]


def test_the_other_copies_table_lists_other_sellers_cheapest_first_escaped(copy, other_copies):
    table = card_html.other_copies_table(find_other_copies(copy))
    assert "<b>" not in table and "<i>" not in table
    assert _has(
        table,
        '<td>&lt;b&gt;Ann &amp; "Bob"&lt;/b&gt;<span class="d-block small text-body-secondary">'
        "Saint-Denis &lt;i&gt;, Colombia</span></td>",
    )
    cheap, dear = other_copies
    assert table.index(f'href="/books/{cheap.pk}/"') < table.index(f'href="/books/{dear.pk}/"')
    assert _has(table, '<td class="text-end price">$1,200.00</td>')
    assert _has(table, '<span class="visually-hidden"> the Fair copy for $3.50</span>')
    assert _has(table, '<th scope="col"><span class="visually-hidden">Link</span></th>')


def test_the_other_copies_table_in_spanish(copy, other_copies):
    with translation.override("es"):
        table = card_html.other_copies_table(find_other_copies(copy))
    assert "Otros ejemplares de este libro" in table
    assert "3,50" in table and "Aceptable" in table
    assert "Other copies" not in table and ">Seller<" not in table


def test_no_other_copies_no_table(copy):
    assert find_other_copies(copy) == []
    assert card_html.other_copies_table([]) == ""


def test_a_page_s_listings_load_only_what_their_cards_show_and_draw_them_without_a_query(
    copy, other_copies, django_assert_num_queries
):
    from catalog.cache.cards import _card_key
    from catalog.search.pages import card_listings

    listings = list(card_listings().filter(pk__in=[copy.pk, *(listing.pk for listing in other_copies)]))
    assert len(listings) == 3 and "condition_notes" in listings[0].get_deferred_fields()
    with django_assert_num_queries(0):
        cards = [card_html.listing_card(listing) for listing in listings]
        keys = [_card_key(listing, False) for listing in listings]
    assert len(set(keys)) == 3 and all("Colombia" in card for card in cards)


@pytest.mark.parametrize(
    "query",
    [
        CatalogQuery(sort="price_asc"),  # the books' figures
        CatalogQuery(sort="price_asc", conditions=("fair", "fine")),  # their matching copies grouped
        CatalogQuery(sort="price_desc", conditions=("fair", "fine")),  # walked from the dearest
    ],
)
def test_a_books_page_loads_only_what_its_cards_show_and_draws_them_without_a_query(
    alice, bob, query, django_assert_num_queries
):
    from catalog.cache.cards import book_cards

    first = ListingFactory(seller=alice, book__title="Dune", condition="fair", price=Decimal("4.00"))
    ListingFactory(seller=bob, book=first.book, condition="fine", price=Decimal("9.00"))
    ListingFactory(seller=bob, book__title="Emma", condition="fine", price=Decimal("5.00"))
    summaries = fetch_book_page(find_listings(query), 1, 10, query).books
    assert len(summaries) == 2 and "description" in summaries[0].book.get_deferred_fields()
    with django_assert_num_queries(0):
        cards = book_cards(summaries)
    assert "Dune" in "".join(cards) and "Emma" in "".join(cards)
