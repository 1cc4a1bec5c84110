"""The shared cache of catalog pages (catalog/cache/): what it serves, when it forgets, and whom it never mixes up.

The page cache is off by default in tests (DEBUG is on when the settings load); the `page_cache` fixture turns it
on. Services announce their changes on commit, so these tests run them inside
`django_capture_on_commit_callbacks(execute=True)`.
"""

import re
import threading
import time
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connections
from django.middleware.csrf import CSRF_SESSION_KEY, _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext

from catalog.book_stats import refresh_book_stats
from catalog.cache import pages, versions
from catalog.forms.browse import canonical_query
from catalog.models import Listing
from catalog.services import listings as listing_services
from catalog.services import moderation
from catalog.tests.queries import is_count
from conftest import ListingFactory

BROWSE = "/books/"

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


def csrf_token_in(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


# --- Serving from the cache -------------------------------------------------------------------------


def test_a_cookieless_visitor_gets_the_whole_page_from_the_cache_without_a_query(
    page_cache, client, alice_listing, django_assert_num_queries
):
    first = client.get(BROWSE)
    assert first.status_code == 200 and "The Name of the Rose" in body(first)
    with django_assert_num_queries(0):
        again = Client().get(BROWSE)
    assert again.status_code == 200
    assert "The Name of the Rose" in body(again)
    assert again["Vary"] and "Cookie" in again["Vary"]


def test_signed_in_visitors_share_the_content_but_get_their_own_navigation(
    page_cache, alice, bob, bob_listing, django_assert_max_num_queries
):
    as_alice, as_bob = Client(), Client()
    as_alice.force_login(alice)
    as_bob.force_login(bob)

    alice_page = body(as_alice.get(BROWSE))
    with django_assert_max_num_queries(4):  # session, user and the navigation's own; no catalog query
        bob_page = body(as_bob.get(BROWSE))

    assert "Dune" in alice_page and "Dune" in bob_page
    assert alice.display_name in alice_page and alice.display_name not in bob_page
    assert bob.display_name in bob_page and bob.display_name not in alice_page
    assert csrf_token_in(alice_page) != csrf_token_in(bob_page)


def test_the_cached_whole_page_holds_no_visitor_and_each_gets_a_working_csrf_token(page_cache, alice, bob_listing):
    as_alice = Client()
    as_alice.force_login(alice)
    as_alice.get(BROWSE)  # alice's visit must not leak into what anonymous visitors get
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)

    first_page, second_page = body(first.get(BROWSE)), body(second.get(BROWSE))

    for page in (first_page, second_page):
        assert alice.display_name not in page and "Sign in" in page
    first_token, second_token = csrf_token_in(first_page), csrf_token_in(second_page)
    assert first_token != second_token
    # Each token belongs to its own visitor's CSRF cookie: the language form posts.
    assert _unmask_cipher_token(first_token) == first.cookies["csrftoken"].value
    assert _unmask_cipher_token(second_token) == second.cookies["csrftoken"].value
    assert CSRF_SESSION_KEY not in first.session
    response = second.post("/i18n/setlang/", {"language": "es", "next": BROWSE, "csrfmiddlewaretoken": second_token})
    assert response.status_code == 302


def test_a_visitor_with_a_session_is_not_given_the_cookieless_page(page_cache, client, charlie, alice_listing):
    Client().get(BROWSE)  # caches the whole page
    client.force_login(charlie)
    page = body(client.get(BROWSE))
    assert charlie.display_name in page and "Sign in" not in page


def test_pages_are_kept_per_language(page_cache, client, alice_listing):
    english = body(client.get(BROWSE, HTTP_ACCEPT_LANGUAGE="en"))
    spanish = body(Client().get(BROWSE, HTTP_ACCEPT_LANGUAGE="es"))
    assert '<html lang="en">' in english
    assert '<html lang="es">' in spanish


def test_a_page_with_bad_parameters_is_not_cached(page_cache, client, rf, alice_listing):
    assert client.get(BROWSE, {"price_min": "abc"}).status_code == 400
    key = pages.CachedPage(rf.get(BROWSE, {"price_min": "abc"}), "browse").key
    assert cache.get(key) is None


def test_a_page_with_bad_parameters_leaves_no_one_waiting_for_it(page_cache, client, rf, alice_listing):
    assert client.get(BROWSE, {"price_min": "abc"}).status_code == 400
    page = pages.CachedPage(rf.get(BROWSE, {"price_min": "abc"}), "browse")
    assert cache.get(page._rendering_key) is None
    assert client.get(BROWSE).status_code == 200
    assert cache.get(pages.CachedPage(rf.get(BROWSE), "browse")._rendering_key) is None


# --- Rendering a missing page once -----------------------------------------------------------------------


def test_visitors_asking_for_a_page_being_rendered_wait_for_that_copy(page_cache, client, rf, alice_listing):
    """The second visitor of a page nobody has cached runs no query of its own: it gets the first one's copy."""
    rendering_key = pages.CachedPage(rf.get(BROWSE), "browse")._rendering_key
    assert cache.add(rendering_key, True, 10)  # a visitor has started rendering /books/
    waiter: dict = {}

    def second_visitor():
        with CaptureQueriesContext(connections["default"]) as queries:
            waiter["response"] = Client().get(BROWSE)
        waiter["queries"] = len(queries)
        connections.close_all()

    thread = threading.Thread(target=second_visitor)
    started = time.monotonic()
    thread.start()
    time.sleep(0.3)
    assert thread.is_alive(), "the second visitor did not wait"
    cache.delete(rendering_key)
    first = client.get(BROWSE)  # renders the page and keeps it
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert waiter["response"].status_code == 200
    assert "The Name of the Rose" in body(waiter["response"])
    assert waiter["queries"] == 0
    assert csrf_token_in(body(waiter["response"])) != csrf_token_in(body(first))
    assert time.monotonic() - started < pages.RENDER_WAIT_SECONDS


def test_a_visitor_renders_the_page_itself_when_no_copy_comes(page_cache, client, rf, alice_listing, monkeypatch):
    monkeypatch.setattr(pages, "RENDER_WAIT_SECONDS", 0.2)
    rendering_key = pages.CachedPage(rf.get(BROWSE), "browse")._rendering_key
    assert cache.add(rendering_key, True, 10)  # its renderer never finishes (it crashed)
    response = client.get(BROWSE)
    assert response.status_code == 200 and "The Name of the Rose" in body(response)


# --- Forgetting: every change buyers can see ---------------------------------------------------------


def _cached_twice(client, path=BROWSE) -> str:
    client.get(path)
    return body(client.get(path))


def test_hiding_a_listing_takes_it_off_the_cached_catalog_at_once(
    page_cache, client, staff, alice_listing, bob_listing, django_capture_on_commit_callbacks
):
    assert "The Name of the Rose" in _cached_twice(client)
    with django_capture_on_commit_callbacks(execute=True):
        moderation.hide_listing(alice_listing, staff, "Counterfeit copy")

    page = body(client.get(BROWSE))
    assert "The Name of the Rose" not in page
    assert "Dune" in page


def test_a_hidden_listing_stays_cached_if_the_transaction_rolls_back(page_cache, client, staff, alice_listing):
    """No commit, no announcement: the version only moves for changes that happened."""
    _cached_twice(client)
    version = versions._version_from({})
    moderation.hide_listing(alice_listing, staff, "Counterfeit copy")  # on_commit never runs in this test
    assert versions._version_from({}) == version


def test_a_price_change_shows_at_once(page_cache, client, alice, alice_listing, django_capture_on_commit_callbacks):
    assert "$12.50" in _cached_twice(client)
    data = {"condition": alice_listing.condition, "condition_notes": "", "price": Decimal("7.25"), "quantity": 3}
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.update_listing(alice_listing, data)

    page = body(client.get(BROWSE))
    assert "$7.25" in page and "$12.50" not in page


@pytest.mark.parametrize("action", ["pause", "delete"])
def test_a_listing_paused_or_deleted_by_its_seller_leaves_the_cached_catalog(
    page_cache, client, alice_listing, django_capture_on_commit_callbacks, action
):
    assert "The Name of the Rose" in _cached_twice(client)
    with django_capture_on_commit_callbacks(execute=True):
        if action == "pause":
            listing_services.pause_listing(alice_listing)
        else:
            listing_services.delete_listing(alice_listing)
    assert "The Name of the Rose" not in body(client.get(BROWSE))


def test_a_published_listing_appears_at_once(page_cache, client, alice, django_capture_on_commit_callbacks):
    draft = ListingFactory(seller=alice, status=Listing.Status.DRAFT, book__title="Brand New Arrival")
    assert "Brand New Arrival" not in _cached_twice(client)
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.publish_listing(draft)
    assert "Brand New Arrival" in body(client.get(BROWSE))


def test_the_home_page_is_cached_and_forgets_too(
    page_cache, client, staff, alice_listing, django_capture_on_commit_callbacks, django_assert_num_queries
):
    client.get("/")
    with django_assert_num_queries(0):
        assert "The Name of the Rose" in body(Client().get("/"))
    with django_capture_on_commit_callbacks(execute=True):
        moderation.hide_listing(alice_listing, staff, "Spam")
    assert "The Name of the Rose" not in body(Client().get("/"))


def test_a_lost_version_never_brings_back_an_old_page(page_cache, client, alice_listing):
    """Versions are random tokens, not counters: losing the key (eviction, restart) cannot match old pages."""
    _cached_twice(client)
    Listing.objects.filter(pk=alice_listing.pk).update(status=Listing.Status.PAUSED)  # behind the services' back
    refresh_book_stats([alice_listing.book_id])  # (the books view's figures follow every writer of listings)
    cache.delete(versions.VERSION_KEY)
    assert "The Name of the Rose" not in body(client.get(BROWSE))


def _past_freshness() -> float:
    """Seconds after which any page cached now has gone stale (its time to live is spread, see FRESHNESS_SPREAD)."""
    from django.conf import settings

    return settings.CATALOG_CACHE_SECONDS * pages.FRESHNESS_SPREAD[1] + 1


def test_pages_cached_together_go_stale_at_different_moments(page_cache, client, rf, alice_listing):
    paths = [f"{BROWSE}?page={n}" for n in range(1, 9)] + [f"{BROWSE}?sort=price_asc&page={n}" for n in range(1, 9)]
    requested = {}
    for path in paths:
        requested[path] = time.time()  # each page's own start: rendering 16 pages may take seconds on a busy machine
        client.get(path)
    ages = []
    for path in paths:
        query = path.split("?", 1)[1]
        request = rf.get(BROWSE + "?" + query)
        entry = cache.get(pages.CachedPage(request, "browse", query=canonical_query(request.GET)).key)
        ages.append(entry["fresh_until"] - requested[path])
    low, high = pages.FRESHNESS_SPREAD
    assert all(60 * low - 1 <= age <= 60 * high + 1 for age in ages), ages
    assert max(ages) - min(ages) > 5, ages  # 16 draws from a 30-second range


def test_changes_made_around_the_services_show_once_the_page_is_older_than_its_time_to_live(
    page_cache, client, rf, alice_listing, monkeypatch
):
    assert "The Name of the Rose" in _cached_twice(client)
    Listing.objects.filter(pk=alice_listing.pk).update(status=Listing.Status.PAUSED)  # e.g. from the admin
    refresh_book_stats([alice_listing.book_id])  # the figures follow in its transaction; the pages do not know
    assert "The Name of the Rose" in body(client.get(BROWSE))  # still within CATALOG_CACHE_SECONDS

    later = time.time() + _past_freshness()
    monkeypatch.setattr(pages.time, "time", lambda: later)
    assert "The Name of the Rose" not in body(client.get(BROWSE))
    # The visitor who rendered it again stored the page and let go of its claim.
    assert cache.get(pages.CachedPage(rf.get(BROWSE), "browse")._rendering_key) is None


def test_an_old_page_is_rendered_again_by_one_visitor_while_the_others_still_get_it(
    page_cache, client, rf, alice_listing, monkeypatch, django_assert_num_queries
):
    _cached_twice(client)
    later = time.time() + _past_freshness()
    monkeypatch.setattr(pages.time, "time", lambda: later)
    rendering_key = pages.CachedPage(rf.get(BROWSE), "browse")._rendering_key
    cache.add(rendering_key, True, 30)  # another visitor is rendering it right now
    with django_assert_num_queries(0):
        assert "The Name of the Rose" in body(client.get(BROWSE))


# --- Fragments: cards and forms are addressed by what they show --------------------------------------


def test_cards_show_changes_made_around_the_services(page_cache, client, alice, alice_listing):
    """A shop saved around accounts.services announces nothing; its cards still change, on pages not cached whole."""
    shop_page = f"/shops/{alice.shop.slug}/"
    assert "Alice&#x27;s Attic" in _cached_twice(client, shop_page)
    alice.shop.name = "Alice's Antiquarian"
    alice.shop.save()
    page = body(client.get(shop_page))
    assert "Alice&#x27;s Antiquarian" in page


def test_a_sold_out_listing_says_so_on_its_card(page_cache, client, alice_listing, django_capture_on_commit_callbacks):
    copies = f"{BROWSE}?view=copies"
    assert "Sold out" not in _cached_twice(client, copies)
    Listing.objects.filter(pk=alice_listing.pk).update(quantity=0)
    with django_capture_on_commit_callbacks(execute=True):
        versions.catalog_changed()  # what checkout does when it takes the last copy (orders tests cover that)
    assert "Sold out" in body(client.get(copies))


def test_the_filter_form_keeps_what_each_visitor_typed(page_cache, client, alice_listing):
    assert 'value="rose"' in body(client.get(BROWSE, {"q": "rose"}))
    page = body(Client().get(BROWSE, {"q": "eco"}))
    assert 'value="eco"' in page and 'value="rose"' not in page


def test_the_filter_fields_are_rendered_once_per_value_shown(page_cache, client, alice_listing):
    """Each field of the sidebar is kept for the value it shows; a new search renders only its search box."""
    first = client.get(BROWSE, {"q": "rose", "language": "en", "condition": ["good", "fine"]})
    assert "catalog/_condition_field.html" in [template.name for template in first.templates]
    again = client.get(
        BROWSE, {"condition": ["fine", "good"], "q": "eco", "language": "en", "page": "2", "utm_source": "x"}
    )
    rendered = [template.name for template in again.templates]
    assert "catalog/_condition_field.html" not in rendered and rendered.count("includes/form_field.html") == 1
    page = body(again)
    assert 'value="eco"' in page and 'value="rose"' not in page
    assert _selected_language(page) == ["en"]
    assert len(re.findall(r'name="condition" value="(?:good|fine)"[^>]*checked', page)) == 2
    other = body(client.get(BROWSE, {"q": "eco", "language": "es"}))
    assert _selected_language(other) == ["es"] and "checked" not in other
    # An invalid value is shown back with its error, never from (or into) the kept fields.
    wrong = client.get(BROWSE, {"q": "eco", "language": "en", "price_min": "abc"})
    assert wrong.status_code == 400 and 'value="abc"' in body(wrong) and 'aria-invalid="true"' in body(wrong)
    assert 'value="abc"' not in body(client.get(BROWSE, {"q": "eco", "language": "en"}))


def _selected_language(page: str) -> list[str]:
    """The book languages the filter form's select marks as chosen."""
    select = re.search(r'<select name="language"[^>]*id="id_language".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="(\w*)" selected>', select)


@pytest.mark.parametrize("view", [{}, {"view": "copies"}])
def test_the_pages_of_one_filter_count_their_results_once_per_catalog_version(
    page_cache, settings, client, alice, view, django_capture_on_commit_callbacks
):
    settings.CATALOG_PAGE_SIZE = 2
    for _ in range(5):
        ListingFactory(seller=alice, condition="good")
    ListingFactory(seller=alice, condition="fair")

    def visit(params):
        with CaptureQueriesContext(connections["default"]) as queries:
            response = client.get(BROWSE, {**view, **params})
        counted = [query for query in queries.captured_queries if is_count(query["sql"])]
        count = re.search(r"data-result-count>([^<]+)<", body(response)).group(1).replace("\N{EN DASH}", "-")
        return count, len(counted)

    assert visit({"condition": "good"}) == ("1-2 of 5", 1)
    # Another page, another spelling and junk: a URL nobody asked for, and the total known.
    assert visit({"condition": "Good ", "page": "2", "utm_source": "x"}) == ("3-4 of 5", 0)
    assert visit({"condition": "fair"})[1] == 0  # one page only: the last page needs no count
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.publish_listing(ListingFactory(seller=alice, condition="good", status=Listing.Status.DRAFT))
    # A new version of the catalog: counted again.
    assert visit({"condition": "good", "page": "2"}) == ("3-4 of 6", 1)


# --- The cache off --------------------------------------------------------------------------------


def test_with_the_page_cache_off_every_visit_reads_the_database(settings, client, alice_listing):
    settings.CATALOG_CACHE_SECONDS = 0
    client.get(BROWSE)
    Listing.objects.filter(pk=alice_listing.pk).update(status=Listing.Status.PAUSED)
    refresh_book_stats([alice_listing.book_id])  # as every writer of listings does (catalog.book_stats)
    assert "The Name of the Rose" not in body(client.get(BROWSE))


def test_without_the_cache_server_pages_are_rendered(page_cache, client, alice_listing, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", broken)
    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "set", broken)
    monkeypatch.setattr(cache, "set_many", broken)
    response = client.get(BROWSE)
    assert response.status_code == 200 and "The Name of the Rose" in body(response)
