"""Whether a person sells is remembered in their session, so that the navigation's "Sales" link costs no query."""

import pytest
from django.urls import reverse

from accounts.models import Shop
from accounts.session import SESSION_SHOP_KEY
from accounts.tests.test_views_shop import shop_data

pytestmark = pytest.mark.django_db

BROWSE = reverse("catalog:browse")
SALES = f'href="{reverse("shipping:sale_list")}"'


def _shop_lookups(queries: list[str]) -> list[str]:
    """Queries asking about the viewer's shop (the catalog's own queries leave out shops away on vacation)."""
    return [sql for sql in queries if "accounts_shop" in sql and "catalog_listing" not in sql]


def _pages_queries(client, django_assert_max_num_queries, budget):
    client.get(BROWSE)  # the cart badge is counted once and remembered
    with django_assert_max_num_queries(budget) as captured:
        html = client.get(BROWSE).content.decode()
    return html, [query["sql"] for query in captured.captured_queries]


def test_signing_in_remembers_that_a_seller_sells(client_for, alice):
    client = client_for(alice)
    assert client.session[SESSION_SHOP_KEY] == {"user": alice.pk, "shop": True}


def test_signing_in_remembers_that_a_buyer_does_not_sell(client_for, charlie):
    client = client_for(charlie)
    assert client.session[SESSION_SHOP_KEY] == {"user": charlie.pk, "shop": False}


def test_a_sellers_page_shows_sales_without_asking_the_database(client_for, alice, django_assert_max_num_queries):
    html, queries = _pages_queries(client_for(alice), django_assert_max_num_queries, 4)
    assert SALES in html
    assert not _shop_lookups(queries), queries


def test_a_buyers_page_has_no_sales_link_and_no_shop_query(client_for, charlie, django_assert_max_num_queries):
    html, queries = _pages_queries(client_for(charlie), django_assert_max_num_queries, 4)
    assert SALES not in html
    assert not _shop_lookups(queries), queries


def test_opening_a_shop_shows_sales_at_once(client_for, charlie):
    client = client_for(charlie)
    assert SALES not in client.get(BROWSE).content.decode()
    assert client.post("/sell/shop/", shop_data()).status_code == 302
    assert Shop.objects.filter(owner=charlie).exists()
    assert SALES in client.get(BROWSE).content.decode()


def test_a_flag_written_for_someone_else_is_not_believed(client_for, alice, charlie):
    client = client_for(charlie)
    session = client.session
    session[SESSION_SHOP_KEY] = {"user": alice.pk, "shop": True}
    session.save()
    assert SALES not in client.get(BROWSE).content.decode()


def test_a_session_from_before_the_flag_asks_the_database(client_for, alice):
    client = client_for(alice)
    session = client.session
    del session[SESSION_SHOP_KEY]
    session.save()
    assert SALES in client.get(BROWSE).content.decode()
