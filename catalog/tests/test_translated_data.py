"""Spanish is complete for the catalogue's data, not only its templates.

Shelf names are kept per language (django-modeltranslation, catalog/translation.py; Spanish names for the default
shelves come from migration 0006); condition grades, bindings and languages are choices translated through
gettext. A Spanish visitor walking the main pages meets none of their English names, whatever an English visitor
left in the page, fragment and category caches before, and the other way round.
"""

import html
import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation

from catalog import search
from catalog.models import Book, Category, Listing
from conftest import ListingFactory

pytestmark = pytest.mark.django_db

DEFAULT_SHELVES = importlib.import_module("catalog.migrations.0003_default_categories")
SPANISH_SHELVES = importlib.import_module("catalog.migrations.0006_category_names_in_spanish")
CHOICES = (Listing.Condition, Book.Binding, Book.Language)
# Shown to sellers only (their inventory's tabs and rows).
SELLER_CHOICES = (Listing.Status,)

# The language menu names each language in that language ("English" on a Spanish page): it is not catalogue data.
LANGUAGE_MENU = re.compile(r'<form action="/i18n/setlang/".*?</form>', re.DOTALL)
# schema.org's JSON-LD names its terms in its own vocabulary (https://schema.org/Hardcover): no visitor reads it.
STRUCTURED_DATA = re.compile(r'<script type="application/ld\+json">.*?</script>', re.S)


@pytest.fixture
def shelves():
    """The default shelves with their Spanish names, as migrations 0003 and 0006 leave them (both idempotent)."""
    DEFAULT_SHELVES.add_categories(django_apps, None)
    SPANISH_SHELVES.fill_names(django_apps, None)
    return list(Category.objects.order_by("position"))


@pytest.fixture
def demo_like_shop(shelves, alice, charlie):
    """Alice's shop with a copy of a book in every condition, binding and language, and charlie's cart."""
    bindings, languages = list(Book.Binding), list(Book.Language)
    listings = []
    for index in range(max(len(bindings), len(languages), len(Listing.Condition))):
        listings.append(
            ListingFactory(
                seller=alice,
                condition=list(Listing.Condition)[index % len(Listing.Condition)],
                book__title=f"Cuaderno número {index + 1}",
                book__authors="Ana Torres",
                book__description="Un ejemplar cuidado.",
                book__binding=bindings[index % len(bindings)],
                book__language=languages[index % len(languages)],
                book__category=shelves[index % len(shelves)],
            )
        )
    buyer = Client(headers={"accept-language": "es"})
    buyer.force_login(charlie)
    assert buyer.post(reverse("orders:cart_add", args=[listings[0].pk]), {"quantity": 1}).status_code == 302
    return listings


def names_in(language: str) -> dict[str, set[str]]:
    """What the catalogue's data is called in a language: shelf names, and each choice's labels."""
    with translation.override(language):
        names = {"shelf": {category.name for category in Category.objects.all()}}
        for choices in (*CHOICES, *SELLER_CHOICES):
            names[choices.__name__] = {str(label) for label in choices.labels}
    return names


def shown(text: str, page: str) -> bool:
    """Whether text is on the page as a whole phrase (escaped as templates escape it), not inside a longer word."""
    return any(
        re.search(rf"(?<![\w-]){re.escape(form)}(?![\w-])", page) for form in {text, html.escape(text, quote=True)}
    )


def visit(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return STRUCTURED_DATA.sub("", LANGUAGE_MENU.sub("", response.content.decode()))


def main_pages(listings: list[Listing], alice, charlie, language: str) -> dict[str, str]:
    """The main pages as a visitor speaking language sees them: anonymous, then as buyer and as seller."""
    anonymous = Client(headers={"accept-language": language})
    buyer, seller = Client(headers={"accept-language": language}), Client(headers={"accept-language": language})
    buyer.force_login(charlie)
    seller.force_login(alice)
    pages = {
        "home": visit(anonymous, "/"),
        "catalog": visit(anonymous, "/books/"),
        "shelf": visit(anonymous, "/books/?category=fiction"),
        "shop": visit(anonymous, reverse("catalog:shop", args=["alices-attic"])),
        "catalog as buyer": visit(buyer, "/books/"),
        "cart": visit(buyer, "/cart/"),
        "sell form": visit(seller, "/sell/listings/new/"),
        "inventory": visit(seller, "/sell/"),
    }
    for listing in listings:
        pages[f"listing {listing.pk}"] = visit(anonymous, listing.get_absolute_url())
    return pages


def assert_pages_in_spanish(pages: dict[str, str], listings: list[Listing]) -> None:
    english, spanish = names_in("en"), names_in("es")
    for name, page in pages.items():
        leaked = sorted(text for texts in english.values() for text in texts if shown(text, page))
        assert not leaked, f"English catalogue data on the Spanish {name} page: {leaked}"

    # What each page lists in full is there in Spanish.
    every_shelf_and_choice = set().union(*(texts for kind, texts in spanish.items() if kind != "Status"))
    for name in ("catalog", "sell form"):
        missing = sorted(text for text in every_shelf_and_choice if not shown(text, pages[name]))
        assert not missing, f"missing on the Spanish {name} page: {missing}"
    assert not [text for text in spanish["shelf"] if not shown(text, pages["home"])]
    assert shown("Ficción", pages["shelf"])

    with translation.override("es"):
        for listing in listings:
            book, page = listing.book, pages[f"listing {listing.pk}"]
            for text in (
                listing.get_condition_display(),
                book.get_binding_display(),
                book.get_language_display(),
                book.category.name,
            ):
                assert shown(text, page), f"{text!r} missing on the Spanish page of listing {listing.pk}"
        conditions = {listing.get_condition_display() for listing in listings}
        assert all(shown(text, pages["shop"]) for text in conditions)
        assert all(shown(text, pages["inventory"]) for text in conditions)
        assert all(shown(text, pages["inventory"]) for text in spanish["Status"])
        assert shown(listings[0].get_condition_display(), pages["cart"])


def test_the_main_pages_in_spanish_show_no_english_catalogue_data(demo_like_shop, alice, charlie):
    assert_pages_in_spanish(main_pages(demo_like_shop, alice, charlie, "es"), demo_like_shop)


def test_spanish_visitors_never_get_what_english_visitors_left_in_the_caches(
    page_cache, demo_like_shop, alice, charlie
):
    english_pages = main_pages(demo_like_shop, alice, charlie, "en")  # fills the page, fragment and shelf caches
    assert shown("Science Fiction &amp; Fantasy", english_pages["catalog"])

    assert_pages_in_spanish(main_pages(demo_like_shop, alice, charlie, "es"), demo_like_shop)


def test_english_visitors_never_get_what_spanish_visitors_left_in_the_caches(
    page_cache, demo_like_shop, alice, charlie
):
    main_pages(demo_like_shop, alice, charlie, "es")
    english_pages = main_pages(demo_like_shop, alice, charlie, "en")

    spanish_shelves, english_shelves = names_in("es")["shelf"], names_in("en")["shelf"]
    for name in ("home", "catalog", "catalog as buyer", "sell form"):
        assert not [text for text in spanish_shelves if shown(text, english_pages[name])], name
        assert all(shown(text, english_pages[name]) for text in english_shelves), name
    assert shown("Very Good", english_pages["catalog"]) and not shown("Muy bueno", english_pages["catalog"])


# --- The shelf list cache -----------------------------------------------------------------------------


def test_the_shelf_list_is_cached_once_per_language(shelves, django_assert_num_queries):
    cache.clear()
    with translation.override("es"), django_assert_num_queries(1):
        spanish = search.cached_categories()
        assert search.cached_categories() == spanish
    with translation.override("en"), django_assert_num_queries(1):
        english = search.cached_categories()
        assert search.cached_categories() == english

    by_slug = {entry.slug: entry.name for entry in spanish}
    assert by_slug["fiction"] == "Ficción" and by_slug["children"] == "Libros infantiles"
    assert {entry.slug: entry.name for entry in english}["fiction"] == "Fiction"
    assert [entry.slug for entry in spanish] == [entry.slug for entry in english]  # shelf order in both


def test_a_shelf_without_a_spanish_name_shows_its_english_name_to_spanish_visitors(shelves):
    Category.objects.create(name="Rare maps", slug="rare-maps", position=99)
    html_es = visit(Client(headers={"accept-language": "es"}), "/books/")
    assert shown("Rare maps", html_es)  # the fallback, rather than a blank option


def test_staff_edit_both_names_in_the_admin_and_both_languages_show_them_at_once(
    page_cache, shelves, staff, client_for, django_capture_on_commit_callbacks
):
    fiction = Category.objects.get(slug="fiction")
    spanish_visitor, english_visitor = Client(headers={"accept-language": "es"}), Client()
    assert shown("Ficción", visit(spanish_visitor, "/books/"))
    assert shown("Fiction", visit(english_visitor, "/books/"))

    admin = client_for(staff)
    form = admin.get(reverse("admin:catalog_category_change", args=[fiction.pk])).content.decode()
    assert 'name="name_en"' in form and 'name="name_es"' in form
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("admin:catalog_category_change", args=[fiction.pk]),
            {"name_en": "Novels", "name_es": "Novelas", "slug": "fiction", "position": fiction.position},
        )
    assert response.status_code == 302

    spanish_page, english_page = visit(spanish_visitor, "/books/"), visit(english_visitor, "/books/")
    assert shown("Novelas", spanish_page) and ">Ficción<" not in spanish_page
    assert shown("Novels", english_page) and ">Fiction<" not in english_page


def test_staff_find_a_shelf_by_either_name_in_the_admin(shelves, staff, client_for):
    changelist = reverse("admin:catalog_category_changelist")
    for term in ("Ficción", "Fiction"):
        found = client_for(staff).get(changelist, {"q": term}).context["cl"].result_list
        assert "fiction" in {category.slug for category in found}


def test_every_default_shelf_has_a_spanish_name_of_its_own(shelves):
    for category in shelves:
        assert category.name_es, category.slug
        assert category.name_es != category.name_en, category.slug
