"""Round trips to Redis per catalog page, counted by the Redis server itself (MONITOR), not by a mock.

A page the cache lacks costs at most two: one read (the page, its version tag and the category list, with the
rendering claim taken by the server in the same call) and one write (the page and what it rendered, with the claim
released); cards come from the process's own fragment cache, or, the first time this process shows them, from one
more read (instead of being rendered again). A page this process served lately costs none, and no
request pings Redis. Needs a Redis server: REDIS_TEST_URL, or redis://127.0.0.1:6379/15; skipped when none answers.
"""

import threading
import uuid

import pytest
import redis
from django.core.cache import caches

from bookstore.conf.caches import FRAGMENT_CACHE
from catalog.cache import pages, versions
from conftest import REDIS_TEST_PREFIX, REDIS_TEST_URL, ListingFactory, needs_redis

# Each process's own cache of cards, as in production (tests otherwise run with it off, as DEBUG does).
FRAGMENTS = {**FRAGMENT_CACHE, "LOCATION": "round-trips-fragments"}

# Committed rows: MariaDB's FULLTEXT index does not see rows of a transaction still open (the ?q=rose page).
pytestmark = [pytest.mark.django_db(transaction=True), needs_redis]


class RoundTrips:
    """The commands one connection sends, as MONITOR sees them; a MULTI ... EXEC block is one round trip."""

    def __init__(self, port: int):
        self.port = port
        self.commands: list[list[str]] = []
        self.end = f"{REDIS_TEST_PREFIX}:monitor-end:{uuid.uuid4().hex}"
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._listen, daemon=True)

    def _listen(self) -> None:
        monitor_client = redis.Redis.from_url(REDIS_TEST_URL, decode_responses=True)
        with monitor_client.monitor() as monitor:
            self.ready.set()
            for command in monitor.listen():
                words = command["command"].split(" ")
                if self.end in command["command"]:
                    return
                if command.get("client_port") == str(self.port) and command.get("client_type") != "lua":
                    self.commands.append(words)

    def __enter__(self):
        self.thread.start()
        assert self.ready.wait(5)
        return self

    def __exit__(self, *exc):
        redis.Redis.from_url(REDIS_TEST_URL).get(self.end)
        self.thread.join(5)

    @property
    def round_trips(self) -> list[str]:
        trips, in_transaction = [], False
        for words in self.commands:
            name = words[0].upper()
            if name == "MULTI":
                trips.append("pipeline")
                in_transaction = True
            elif name == "EXEC":
                in_transaction = False
            elif not in_transaction:
                trips.append(name)
        return trips


@pytest.fixture
def redis_pages(settings, page_cache):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "core.cache.RedisCache", "LOCATION": REDIS_TEST_URL, "KEY_PREFIX": REDIS_TEST_PREFIX},
    }
    from django.core.cache import cache

    cache.clear()
    versions._watcher._reset()
    versions._watcher.retry_at = 0
    yield cache
    cache.clear()
    versions._watcher._reset()
    versions._watcher.retry_at = 0


def _port(cache) -> int:
    """The local port of the cache's one connection (the test runs in one thread, so the pool holds one)."""
    cache.get("warm-up")
    pool = cache._cache.get_client(write=True).connection_pool
    connection = pool.get_connection()
    try:
        return connection._sock.getsockname()[1]
    finally:
        pool.release(connection)


def _fresh_visit(client, cache, path: str) -> list[str]:
    versions._watcher.current()  # its once-a-second confirmation of the version is not this request's
    pages._recent_pages.entries.clear()
    with RoundTrips(_port(cache)) as trips:
        response = client.get(path)
    assert response.status_code == 200
    return trips.round_trips


@pytest.mark.parametrize("path", ["/books/?q=rose", "/books/?language=en&sort=price_asc", "/"])
def test_a_page_the_cache_lacks_costs_one_read_and_one_write(redis_pages, client, alice_listing, settings, path):
    settings.CACHES = {**settings.CACHES, "fragments": FRAGMENTS}
    client.get("/books/?q=warm-up")  # loads the server-side script once, as the first page after a deployment does
    client.get("/books/")  # and this process shows the book's card and the listing's once
    client.get("/books/?view=copies")
    trips = _fresh_visit(client, redis_pages, path + ("&" if "?" in path else "?") + "utm_source=1")
    assert trips == ["EVALSHA", "pipeline"], trips


@pytest.mark.parametrize("path", ["/books/?view=copies&condition=very_good", "/books/?view=copies&q=rose"])
def test_the_copy_view_costs_one_read_and_one_write_too(redis_pages, client, alice_listing, settings, path):
    settings.CACHES = {**settings.CACHES, "fragments": FRAGMENTS}
    client.get("/books/?q=warm-up")
    client.get("/books/?view=copies")  # this process shows alice's card once
    assert _fresh_visit(client, redis_pages, path) == ["EVALSHA", "pipeline"]


def test_cards_another_process_rendered_are_read_in_one_more_round_trip(redis_pages, client, alice_listing, settings):
    settings.CACHES = {**settings.CACHES, "fragments": FRAGMENTS}
    client.get("/books/?q=warm-up")
    client.get("/books/?view=copies")  # renders alice's card and stores it in Redis with the page
    caches["fragments"].clear()  # as another process, which never rendered it
    assert _fresh_visit(client, redis_pages, "/books/?view=copies&condition=very_good") == [
        "EVALSHA",
        "MGET",
        "pipeline",
    ]


def test_a_page_cached_by_another_process_is_one_round_trip_and_then_none(redis_pages, client, alice_listing):
    client.get("/books/?language=en")
    assert _fresh_visit(client, redis_pages, "/books/?language=en") == ["EVALSHA"]
    versions._watcher.current()
    with RoundTrips(_port(redis_pages)) as trips:
        for _ in range(3):
            assert client.get("/books/?utm_campaign=x&language=EN").status_code == 200
    assert trips.round_trips == []  # this process's copy, under the version Redis pushed: no ping, no read


def test_a_listing_page_reads_its_parts_and_shipping_at_once_and_writes_what_it_lacked_at_once(
    redis_pages, client, alice_listing, bob, settings
):
    """A listing's page is outside the page cache: its photos, its other copies, the carriers and the shop's
    shipping terms are read in one round trip, and what it rendered or looked up is stored in one more."""
    settings.CACHES = {**settings.CACHES, "fragments": FRAGMENTS}
    ListingFactory(seller=bob, book=alice_listing.book)  # another copy: the page has something to render
    client.get("/books/?q=warm-up")
    path = alice_listing.get_absolute_url()
    assert _fresh_visit(client, redis_pages, path) == ["MGET", "pipeline"]
    again = _fresh_visit(client, redis_pages, path)
    assert again == ["MGET"]  # everything found: nothing to store
    body = client.get(path).content.decode()
    assert "Other copies of this book" in body and "Bob" in body
