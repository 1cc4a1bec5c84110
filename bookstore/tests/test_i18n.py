"""Spanish next to English: pages, the language switcher, money, condition grades, and the catalog files.

The last tests guard the translation workflow: the Spanish catalog must cover every string in the source (with no
fuzzy guesses), keep each placeholder, and the compiled .mo must match the .po, so a new string cannot reach users
untranslated without the suite saying so.
"""

import re
import shutil
from decimal import Decimal
from pathlib import Path

import allauth
import django
import polib
import pytest
from babel.numbers import format_currency
from django.conf import settings
from django.core.management import call_command
from django.template import Context, Template
from django.utils import translation

from catalog.models import Listing
from conftest import ListingFactory

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
LOCALE_DIR = settings.BASE_DIR / "locale"
PO_PATH = LOCALE_DIR / "es" / "LC_MESSAGES" / "django.po"
# Hand-kept "tú" wording for strings of django-allauth and Django themselves.
OVERRIDES_PO_PATH = LOCALE_DIR / "overrides" / "es" / "LC_MESSAGES" / "django.po"
CATALOGS = [PO_PATH, OVERRIDES_PO_PATH]
# Babel separates amount and symbol with a no-break space.
NBSP = "\N{NO-BREAK SPACE}"

CONDITIONS_ES = {
    Listing.Condition.AS_NEW: "Como nuevo",
    Listing.Condition.FINE: "Excelente",
    Listing.Condition.VERY_GOOD: "Muy bueno",
    Listing.Condition.GOOD: "Bueno",
    Listing.Condition.FAIR: "Aceptable",
    Listing.Condition.POOR: "Deteriorado",
}


@pytest.fixture(autouse=True)
def _usd(settings):
    settings.CURRENCY = "USD"


def page(client, path: str, **headers) -> str:
    response = client.get(path, **headers)
    assert response.status_code == 200, path
    return response.content.decode()


# --- Pages ---------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_page_follows_accept_language(client, alice_listing):
    body = page(client, "/", **SPANISH)
    assert '<html lang="es">' in body
    for text in ("Encuentra tu próximo libro de segunda mano", "Libros más recientes", "Iniciar sesión", "Idioma"):
        assert text in body
    assert "Find your next second-hand book" not in body

    english = page(client, "/", **ENGLISH)
    assert '<html lang="en">' in english
    assert "Find your next second-hand book" in english
    assert "Encuentra tu próximo libro" not in english


@pytest.mark.django_db
def test_catalog_in_spanish(client, alice_listing):
    body = page(client, "/books/", **SPANISH)
    assert '<html lang="es">' in body
    for text in ("Todos los libros", "Filtros", "Aplicar filtros", "Cualquier idioma", "Muy bueno", "Más relevantes"):
        assert text in body
    assert "All books" not in body


@pytest.mark.django_db
def test_listing_page_in_spanish_with_plurals(client, alice_listing):
    body = page(client, alice_listing.get_absolute_url(), **SPANISH)
    assert '<html lang="es">' in body
    for text in ("de Umberto Eco", "3 en existencia", "Sobre el libro", "Tapa blanda", "Vendido por"):
        assert text in body
    assert "in stock" not in body

    alice_listing.quantity = 1
    alice_listing.save()
    body = page(client, alice_listing.get_absolute_url(), **SPANISH)
    assert "Solo queda 1" in body


@pytest.mark.django_db
def test_login_page_in_spanish_says_tu(client):
    body = page(client, "/accounts/login/", **SPANISH)
    assert '<html lang="es">' in body
    for text in ("Iniciar sesión", "Contraseña", "¿Olvidaste tu contraseña?", "Saltar al contenido"):
        assert text in body
    # allauth's own Spanish says "usted"; the overrides catalog must win over it.
    assert "¿Ha olvidado su contraseña?" not in body
    assert "Sign In" not in body


@pytest.mark.django_db
def test_signup_page_in_spanish_says_tu(client):
    body = page(client, "/accounts/signup/", **SPANISH)
    assert "¿Ya tienes una cuenta?" in body
    assert "Tu contraseña no puede tener solo números." in body
    assert "Su contraseña" not in body


@pytest.mark.django_db
def test_seller_inventory_in_spanish(client_for, alice, alice_listing):
    client = client_for(alice)
    body = page(client, "/sell/", **SPANISH)
    assert '<html lang="es">' in body
    for text in ("Mi inventario", "Publicar un libro", "Publicaciones activas", "Activa", "Pausar", "Conservación"):
        assert text in body
    assert "My inventory" not in body


@pytest.mark.django_db
def test_language_cookie_wins_over_the_browser(client, alice_listing):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    body = page(client, "/books/", **ENGLISH)
    assert '<html lang="es">' in body
    assert "Todos los libros" in body


# --- The language switcher -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_switcher_sets_spanish_and_returns_to_next(client, alice_listing):
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/books/?q=rose"}, **ENGLISH)
    assert response.status_code == 302
    assert response["Location"] == "/books/?q=rose"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"

    body = page(client, "/books/?q=rose", **ENGLISH)
    assert '<html lang="es">' in body
    assert "Libros que coinciden con “rose”" in body

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/books/"})
    assert response["Location"] == "/books/"
    assert '<html lang="en">' in page(client, "/books/", **SPANISH)


@pytest.mark.django_db
def test_switcher_offers_both_languages_with_the_current_one_selected(client):
    body = page(client, "/", **SPANISH)
    assert 'action="/i18n/setlang/"' in body
    assert '<option value="es" selected>Español</option>' in body
    assert '<option value="en">English</option>' in body


@pytest.mark.django_db
def test_switcher_never_redirects_off_site(client):
    response = client.post("/i18n/setlang/", {"language": "es", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_switcher_ignores_unknown_languages(client):
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert '<html lang="en">' in page(client, "/", **ENGLISH)


# --- Money and condition grades -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_money_follows_the_language(client, alice_listing):
    spanish = page(client, alice_listing.get_absolute_url(), **SPANISH)
    assert f"12,50{NBSP}US$" in spanish
    assert "$12.50" not in spanish

    english = page(client, alice_listing.get_absolute_url(), **ENGLISH)
    assert "$12.50" in english
    assert "12,50" not in english


def test_money_filter_groups_thousands_per_language():
    template = Template("{% load site_tags %}{{ amount|money }}")
    context = Context({"amount": Decimal("1234.5")})
    with translation.override("es"):
        assert template.render(context) == f"1.234,50{NBSP}US$"
    with translation.override("en"):
        assert template.render(context) == "$1,234.50"


@pytest.mark.parametrize("language", ["en", "es", "es-co", "pt-br"])
@pytest.mark.parametrize("amount", ["0", "0.5", "12.50", "1234.567", "1000000", "-3.20"])
def test_money_filter_writes_what_babel_format_currency_writes(language, amount, settings):
    # The filter keeps each language's Babel pattern instead of looking it up per call: same text, half the time.
    template = Template("{% load site_tags %}{{ amount|money }}")
    with translation.override(language):
        expected = format_currency(Decimal(amount), settings.CURRENCY, locale=translation.to_locale(language))
        assert template.render(Context({"amount": Decimal(amount)})) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("grade", "spanish"), CONDITIONS_ES.items())
def test_condition_badges_are_translated(client, alice, grade, spanish):
    listing = ListingFactory(seller=alice, condition=grade)
    with translation.override("en"):
        english = str(Listing.Condition(grade).label)

    detail = page(client, listing.get_absolute_url(), **SPANISH)
    assert re.search(rf'class="badge badge-condition[^"]*">.*?</span>{re.escape(spanish)}</span>', detail)
    assert f"</span>{english}</span>" not in detail

    catalog = page(client, "/books/?view=copies", **SPANISH)
    assert f"</span>{spanish}</span>" in catalog
    books = page(client, "/books/", **SPANISH)  # the books view: the range of conditions of each book
    assert f"data-conditions>{spanish}</span>" in books


# --- The catalog files ---------------------------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


def test_po_has_no_untranslated_or_fuzzy_entries():
    po = polib.pofile(str(PO_PATH))
    assert po.metadata["Language"] == "es"
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert len(po.translated_entries()) > 500


def test_overrides_translate_strings_their_packages_still_have():
    upstream = set()
    for package, catalog in (
        (allauth, "locale"),
        (django, "conf/locale"),
        (django, "contrib/auth/locale"),
    ):
        path = Path(package.__file__).parent / catalog / "es" / "LC_MESSAGES" / "django.mo"
        upstream |= {(e.msgctxt, e.msgid) for e in polib.mofile(str(path))}
    overrides = polib.pofile(str(OVERRIDES_PO_PATH))
    assert overrides.untranslated_entries() == []
    assert overrides.fuzzy_entries() == []
    # After an upgrade that rewords a string, its override silently stops applying: drop or update it.
    assert [e.msgid for e in overrides if (e.msgctxt, e.msgid) not in upstream] == []
    # An override of a string the project catalogue also has would never be seen.
    project = {e.msgid for e in polib.pofile(str(PO_PATH))}
    assert [e.msgid for e in overrides if e.msgid in project] == []


@pytest.mark.parametrize("po_path", CATALOGS, ids=["project", "overrides"])
def test_translations_keep_every_placeholder(po_path):
    po = polib.pofile(str(po_path))
    broken = []
    for entry in po.translated_entries():
        if entry.msgid_plural:
            # Form 0 serves n == 1 only, so it may say "one" instead of showing the number.
            singular = entry.msgstr_plural[0]
            if not set(PLACEHOLDER.findall(singular)) <= set(PLACEHOLDER.findall(entry.msgid_plural)):
                broken.append(entry.msgid)
            pairs = [(entry.msgid_plural, entry.msgstr_plural[1])]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, translated in pairs:
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translated)):
                broken.append(source)
            if source.count("\n") != translated.count("\n"):
                broken.append(source)
    assert broken == []


@pytest.mark.parametrize("po_path", CATALOGS, ids=["project", "overrides"])
def test_compiled_mo_matches_the_po(po_path):
    po = polib.pofile(str(po_path))
    mo = polib.mofile(str(po_path.with_suffix(".mo")))

    def catalog(entries):
        return {
            (entry.msgctxt, entry.msgid): dict(entry.msgstr_plural) if entry.msgid_plural else entry.msgstr
            for entry in entries
            if entry.msgid
        }

    assert catalog(mo) == catalog(po.translated_entries()), "run: manage.py compilemessages --ignore=.venv"
    assert mo.metadata["Plural-Forms"] == po.metadata["Plural-Forms"]


@pytest.mark.skipif(
    not (shutil.which("xgettext") and shutil.which("msgmerge")), reason="needs GNU gettext (xgettext, msgmerge)"
)
def test_po_covers_every_string_in_the_source(tmp_path, monkeypatch, settings):
    """Run makemessages on a copy of the source so the real catalog is never touched."""
    source = tmp_path / "src"
    shutil.copytree(
        settings.BASE_DIR,
        source,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "media", "staticfiles", "vendor", "node_modules", "__pycache__", "*.sqlite3*", "*.mo"
        ),
    )
    settings.LOCALE_PATHS = [source / "locale"]
    monkeypatch.chdir(source)
    call_command("makemessages", locale=["es"], no_obsolete=True, verbosity=0)

    po = polib.pofile(str(source / "locale" / "es" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in po.untranslated_entries() + po.fuzzy_entries()]
    assert missing == [], (
        "New or changed strings lack Spanish: run `manage.py makemessages -l es --ignore=.venv --ignore=static/vendor "
        "--ignore=staticfiles --ignore=media --no-obsolete`, translate them, then `manage.py compilemessages`."
    )
