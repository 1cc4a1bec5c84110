"""Markup the HTML validators check (issue 20, "Housekeeping the validators found"), on rendered pages:
machine-readable times with at most milliseconds, the user menu a real button, named lists with their role,
a book's title and description marked with their language when it is not the page's, and one wording for
signing in, up and out in each language."""

import re
from pathlib import Path

import allauth
import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from conftest import ListingFactory
from core.templatetags.site_tags import lang_attr, select_options
from orders.services import add_to_cart, get_or_create_cart, new_checkout_token, pay_order, place_order
from orders.services.shipments import advance_shipments, mark_shipped
from orders.tests.conftest import card, carriers  # noqa: F401 - the carriers fixture
from tests.conftest import AddressFactory

pytestmark = pytest.mark.django_db

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}
ENGLISH_OVERRIDES = settings.BASE_DIR / "locale" / "overrides" / "en" / "LC_MESSAGES" / "django.po"
TIME = re.compile(r'<time datetime="([^"]*)"')
FRACTION = re.compile(r"\.(\d+)")


@pytest.fixture
def shipped(charlie, alice, alice_listing, carriers):  # noqa: F811 - the fixture imported above
    """Charlie's paid order of alice's book, shipped and on its way: a tracking timeline with several events."""
    cart = get_or_create_cart(user=charlie)
    add_to_cart(cart, alice_listing, 1)
    order = place_order(
        charlie, cart, AddressFactory(user=charlie), {alice.pk: carriers["SERVI"].pk}, new_checkout_token()
    )
    pay_order(order, card(), "markup-payment-0001")
    mark_shipped(order.shipments.get(), alice)
    advance_shipments(push_all=True)
    return order


def _html(client, path: str, **headers) -> str:
    response = client.get(path, **headers)
    assert response.status_code == 200, path
    return response.content.decode()


def test_times_carry_at_most_milliseconds(client_for, alice, charlie, shipped):
    shipment = shipped.shipments.get()
    pages = [
        (charlie, shipped.get_absolute_url()),
        (charlie, reverse("orders:order_list")),
        (alice, reverse("sell:inventory")),
        (alice, reverse("shipping:sale_list")),
        (alice, reverse("shipping:sale_detail", args=[shipment.pk])),
        (alice, reverse("shipping:earnings")),
    ]
    seen = 0
    for user, path in pages:
        for value in TIME.findall(_html(client_for(user), path)):
            seen += 1
            fraction = FRACTION.search(value)
            assert not fraction or len(fraction.group(1)) <= 3, f"{path}: <time datetime={value!r}>"
    assert seen >= 6


def test_the_user_menu_is_a_button(client_for, alice):
    html = _html(client_for(alice), reverse("catalog:browse"))
    assert re.search(r'<button type="button" class="nav-link dropdown-toggle" data-bs-toggle="dropdown"', html)
    assert 'href="#" role="button"' not in html


def test_the_tracking_timeline_is_a_named_list_with_its_role(client_for, charlie, shipped):
    html = _html(client_for(charlie), shipped.get_absolute_url())
    lists = re.findall(r"<ol [^>]*>", html)
    named = [tag for tag in lists if "aria-label=" in tag]
    assert named and all('role="list"' in tag for tag in named)


def test_a_book_in_another_language_says_so(client, alice):
    spanish = ListingFactory(seller=alice, book__title="Cien años de soledad", book__language="es")
    spanish.book.description = "Una novela de Macondo."
    spanish.book.save()
    english = ListingFactory(seller=alice, book__title="The Name of the Rose", book__language="en")

    page = _html(client, spanish.get_absolute_url())
    assert re.search(r'<h1 [^>]*lang="es"[^>]*>Cien años de soledad</h1>', page)
    assert re.search(r'<div class="mb-4" lang="es"><p>Una novela de Macondo.</p></div>', page)
    assert 'lang="en"' not in page.split("<body", 1)[1]
    assert not re.search(r"<h1 [^>]*lang=[^>]*>The Name", _html(client, english.get_absolute_url()))

    # In Spanish, the Spanish book is in the page's language and the English one is not.
    assert not re.search(r"<h1 [^>]*lang=", _html(client, spanish.get_absolute_url(), **SPANISH))
    page = _html(client, english.get_absolute_url(), **SPANISH)
    assert re.search(r'<h1 [^>]*lang="en"[^>]*>The Name of the Rose</h1>', page)
    catalog = _html(client, reverse("catalog:browse"), **SPANISH)
    assert re.search(r'lang="en">The Name of the Rose</a>', catalog)
    assert not re.search(r'lang="es">Cien años', catalog)


def test_titles_of_books_in_another_language_say_so_on_cart_checkout_order_and_sale_lines(
    client_for,
    alice,
    charlie,
    carriers,  # noqa: F811 - the fixture imported above
):
    spanish = ListingFactory(seller=alice, book__title="Cien años de soledad", book__language="es")
    english = ListingFactory(seller=alice, book__title="Dune", book__language="en")
    cart = get_or_create_cart(user=charlie)
    add_to_cart(cart, spanish, 1)
    add_to_cart(cart, english, 1)
    buyer = client_for(charlie)
    for path in (reverse("orders:cart"), reverse("orders:checkout")):
        page = _html(buyer, path)
        assert re.search(r'lang="es">Cien años de soledad<', page), path
        assert not re.search(r'lang="en">Dune<', page), path
        page = _html(buyer, path, **SPANISH)
        assert re.search(r'lang="en">Dune<', page), path
        assert not re.search(r'lang="es">Cien años', page), path

    address = AddressFactory(user=charlie)
    order = place_order(charlie, cart, address, {alice.pk: carriers["SERVI"].pk}, new_checkout_token())
    assert {line.title: line.language for line in order.lines.all()} == {"Cien años de soledad": "es", "Dune": "en"}
    page = _html(buyer, order.get_absolute_url())
    assert re.search(r'lang="es">Cien años de soledad<', page) and not re.search(r'lang="en">Dune<', page)
    page = _html(buyer, order.get_absolute_url(), **SPANISH)
    assert re.search(r'lang="en">Dune<', page) and not re.search(r'lang="es">Cien', page)

    sale = order.shipments.get()
    seller = client_for(alice)
    for path in (reverse("shipping:sale_detail", args=[sale.pk]), reverse("shipping:sale_list")):
        assert re.search(r'lang="es">Cien años de soledad<', _html(seller, path)), path
        assert not re.search(r'lang="es">Cien', _html(seller, path, **SPANISH)), path


def test_lang_attr_names_only_known_other_languages():
    with translation.override("en"):
        assert lang_attr("es") == ' lang="es"'
        assert lang_attr("en") == ""
        assert lang_attr("other") == ""
        assert lang_attr("") == "" and lang_attr(None) == ""
        assert lang_attr('"><script>') == ""
    with translation.override("es"):
        assert lang_attr("es") == "" and lang_attr("fr") == ' lang="fr"'


@pytest.mark.parametrize(
    ("headers", "sign_in", "sign_up", "others"),
    [
        ({}, "Sign in", "Sign up", ("Sign In", "Log in", "Log In", "Sign Up", "Signup")),
        (SPANISH, "Iniciar sesión", "Registrarse", ("Crear cuenta", "Registro<", "Sign")),
    ],
    ids=["en", "es"],
)
def test_one_wording_for_signing_in_and_up(client, headers, sign_in, sign_up, others):
    for path in ("/", reverse("account_login"), reverse("account_signup")):
        body = _html(client, path, **headers).split("<body", 1)[1]
        assert sign_in in body and sign_up in body, path
        for other in others:
            assert other not in body, f"{path} says {other!r}"


def test_one_wording_for_signing_out(client_for, charlie):
    client = client_for(charlie)
    for headers, wording, other in (({}, "Sign out", "Log out"), (SPANISH, "Cerrar sesión", "Sign out")):
        for path in ("/", reverse("account_logout")):
            body = _html(client, path, **headers)
            assert wording in body and other not in body, path


def test_english_overrides_reword_strings_allauth_still_has():
    catalog = Path(allauth.__file__).parent / "locale" / "es" / "LC_MESSAGES" / "django.mo"
    msgids = {entry.msgid for entry in polib.mofile(str(catalog))}
    overrides = polib.pofile(str(ENGLISH_OVERRIDES))
    assert overrides.untranslated_entries() == [] and overrides.fuzzy_entries() == []
    assert [entry.msgid for entry in overrides if entry.msgid not in msgids] == []


def test_pages_in_english_and_spanish_name_their_language(client):
    assert '<html lang="en">' in _html(Client(), "/")
    assert '<html lang="es">' in _html(client, "/", **SPANISH)


def test_tables_that_stack_on_a_phone_label_every_cell(client_for, alice, shipped):
    """Below 768 px a .table-stack row is a card whose cells show their column's name (data-label); only the
    cover and the actions cell go without one."""
    shipment = shipped.shipments.get()
    for path in (
        reverse("sell:inventory"),
        reverse("shipping:sale_list"),
        reverse("shipping:sale_detail", args=[shipment.pk]),
    ):
        html = _html(client_for(alice), path)
        tables = re.findall(r'<table class="[^"]*\btable-stack\b[^"]*">(.*?)</table>', html, re.S)
        assert tables, path
        for table in tables:
            body = table.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
            cells = re.findall(r"<td\b[^>]*>", body)
            assert cells, path
            unlabelled = [
                cell
                for cell in cells
                if "data-label=" not in cell and "table-stack-actions" not in cell and "table-stack-media" not in cell
            ]
            assert unlabelled == [], path


def test_select_options_marks_the_chosen_value_and_escapes_the_labels():
    html = select_options([("CO", "Colombia"), ("US", "United States"), ("XX", "<b>&</b>")], "US")
    assert html == (
        '<option value="CO">Colombia</option><option value="US" selected>United States</option>'
        '<option value="XX">&lt;b&gt;&amp;&lt;/b&gt;</option>'
    )
    assert "selected" not in select_options([("CO", "Colombia")], None)


def test_select_options_are_kept_per_list_language_and_selection():
    from django.utils import translation
    from django_countries import countries as all_countries

    countries = [(code, all_countries.countries[code]) for code in ("CO", "ES")]  # lazily translated names
    from core.templatetags.site_tags import _options_html

    first = select_options(countries, "CO")
    hits = _options_html.cache_info().hits
    assert select_options(countries, "CO") == first and _options_html.cache_info().hits == hits + 1
    assert 'value="ES" selected' in select_options(countries, "ES")  # another selection, another entry
    with translation.override("es"):
        assert ">España</option>" in select_options(countries, "CO")  # labels read in the page's language
    assert ">Spain</option>" in select_options(countries, "CO")
