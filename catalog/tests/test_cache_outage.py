"""Catalog pages while Redis is down: rendered at once for each visitor, neither an error nor a wait.

The page cache's rendering claim (one visitor renders a missing page while the others wait up to
RENDER_WAIT_SECONDS for its copy) is a cache ``add``; with no Redis the site's backend grants it, so nobody waits
for a copy that could never be stored.
"""

import time

import pytest

from catalog.cache import pages, versions
from conftest import REDIS_TEST_PREFIX, ListingFactory, free_port

# Committed rows: MariaDB's FULLTEXT index does not see rows of a transaction still open (the ?q=rose page).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def redis_down(settings, page_cache):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "KEY_PREFIX": REDIS_TEST_PREFIX,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        },
    }
    versions._watcher._reset()
    versions._watcher.retry_at = 0
    yield
    versions._watcher._reset()
    versions._watcher.retry_at = 0


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/books/",
        "/books/?q=rose",
        "/books/?view=copies&utm_source=1",
    ],
)
def test_each_visitor_gets_the_page_at_once(redis_down, client, client_for, charlie, alice_listing, path):
    for visitor in (client, client_for(charlie), client):
        started = time.monotonic()
        response = visitor.get(path)
        elapsed = time.monotonic() - started
        assert response.status_code == 200
        assert "The Name of the Rose" in response.content.decode()
        assert elapsed < pages.RENDER_WAIT_SECONDS / 2, f"{elapsed:.1f} s: waited for a copy never stored"


def test_a_listing_page_renders_its_parts_and_shipping_while_redis_is_down(
    redis_down, client, client_for, charlie, alice_listing, bob
):
    ListingFactory(seller=bob, book=alice_listing.book)
    for visitor in (client, client_for(charlie)):
        body = visitor.get(alice_listing.get_absolute_url()).content.decode()
        assert "The Name of the Rose" in body and "Other copies of this book" in body
        assert "data-shipping" in body  # the carriers and the shop's terms, from the database
