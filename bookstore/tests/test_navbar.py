"""The navigation bar is kept per process for each combination of what it shows (templates/includes/navbar.html).

Every assertion here is about the second and later pages, the ones served from that cache: each must show the
visitor's own name, cart, shop link, language and search, and carry a sign-out token that works.
"""

import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from accounts.tests.test_views_shop import shop_data
from core import badges

pytestmark = pytest.mark.django_db

BROWSE = reverse("catalog:browse")
SALES = f'href="{reverse("shipping:sale_list")}"'
BACK_OFFICE = f'href="{reverse("admin:index")}"'


def navbar(response) -> str:
    html = response.content.decode()
    return html[html.index('<nav class="navbar') : html.index("</nav>")]


def test_the_navbar_is_served_from_the_fragment_cache(client_for, alice, django_assert_max_num_queries):
    client = client_for(alice)
    first = navbar(client.get(BROWSE))
    assert len(caches["fragments"]._cache) >= 1
    second = navbar(client.get(BROWSE))
    strip = lambda html: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)  # noqa: E731
    assert strip(first) == strip(second)


def test_each_visitor_sees_their_own_name_and_links(client_for, alice, charlie, staff):
    alice_nav = navbar(client_for(alice).get(BROWSE))
    assert "Alice Seller" in alice_nav and SALES in alice_nav and BACK_OFFICE not in alice_nav
    charlie_nav = navbar(_signed_in(charlie).get(BROWSE))
    assert "Charlie Buyer" in charlie_nav and "Alice" not in charlie_nav and SALES not in charlie_nav
    staff_nav = navbar(_signed_in(staff).get(BROWSE))
    assert BACK_OFFICE in staff_nav
    anonymous = navbar(Client().get(BROWSE))
    assert reverse("account_login") in anonymous and "Charlie" not in anonymous and "Sign out" not in anonymous


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_cart_count_and_a_new_shop_show_on_the_next_page(client_for, charlie, alice_listing):
    client = client_for(charlie)
    assert 'data-cart-count="0"' in navbar(client.get(BROWSE))
    client.post(reverse("orders:cart_add", args=[alice_listing.pk]), {"quantity": 2})
    assert 'data-cart-count="2"' in navbar(client.get(BROWSE))
    assert SALES not in navbar(client.get(BROWSE))
    client.post("/sell/shop/", shop_data())
    assert SALES in navbar(client.get(BROWSE))


def test_a_new_name_shows_at_once(client_for, charlie):
    client = client_for(charlie)
    assert "Charlie Buyer" in navbar(client.get(BROWSE))
    client.post(reverse("accounts:profile"), {"first_name": "Carla", "last_name": "Reader"})
    assert "Carla Reader" in navbar(client.get(BROWSE))


def test_the_search_box_and_the_language_follow_the_page(client_for, charlie):
    client = client_for(charlie)
    assert 'value="dune"' in navbar(client.get(BROWSE, {"q": "dune"}))
    assert 'value="eco"' in navbar(client.get(BROWSE, {"q": "eco"}))
    assert 'value=""' in navbar(client.get(BROWSE))
    assert "Sign out" in navbar(client.get(BROWSE))
    assert "Cerrar sesión" in navbar(client.get(BROWSE, HTTP_ACCEPT_LANGUAGE="es"))


def test_the_sign_out_form_carries_this_visitors_token(charlie, alice):
    for user in (alice, charlie):  # alice fills the cache first; charlie's token must still be his own
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        client.get(BROWSE)
        html = client.get(BROWSE).content.decode()
        form = html[html.index(f'action="{reverse("account_logout")}"') :]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        response = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
        assert response.status_code == 302
        assert "_auth_user_id" not in client.session


def test_both_badges_are_read_from_the_shared_cache_in_one_round_trip(client_for, charlie, monkeypatch):
    reads = []

    class Watched:
        """The cache as it is, with a note of each read of the badges."""

        def __getattr__(self, name):
            return getattr(shared, name)

        def get(self, key, *args, **kwargs):
            reads.append([key])
            return shared.get(key, *args, **kwargs)

        def get_many(self, keys, *args, **kwargs):
            reads.append(list(keys))
            return shared.get_many(keys, *args, **kwargs)

    def badge_queries(queries) -> list[str]:
        tables = ("messaging_participant", "wants_match")
        return [query["sql"] for query in queries.captured_queries if any(table in query["sql"] for table in tables)]

    client = client_for(charlie)  # signing in counts both (messaging.signals, wants.receivers): forget them
    keys = [f"messaging:unread:{charlie.pk}", f"wants:new-matches:{charlie.pk}"]
    badges.cache.delete_many(keys)
    shared = badges.cache
    monkeypatch.setattr(badges, "cache", Watched())
    with CaptureQueriesContext(connection) as first:
        client.get(BROWSE)
    # Neither count kept yet: one read for both, then a query for each.
    assert reads == [keys]
    assert len(badge_queries(first)) == 2
    reads.clear()
    with CaptureQueriesContext(connection) as second:
        client.get(reverse("orders:cart"))
    assert reads == [keys]  # both kept by the first page: no query
    assert badge_queries(second) == []
