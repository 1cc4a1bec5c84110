"""core.cache.RedisCache while Redis is down: reads miss, writes are skipped, nothing raises, little time is
lost, a warning is logged, and what was written meanwhile cannot come back stale once Redis answers again.

Real servers only: a port nothing listens on (connection refused, as when Redis is stopped) and redis-server
processes of the tests' own.
"""

import logging
import time

import pytest
import redis

from conftest import REDIS_TEST_PREFIX, free_port
from core import cache as site_cache
from core.cache import RedisCache

OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}


@pytest.fixture
def dead_url():
    """A Redis URL of its own for each test (outages are remembered per server), where nothing listens."""
    return f"redis://127.0.0.1:{free_port()}/0"


def test_reads_miss_and_writes_are_skipped_while_redis_is_down(dead_url, caplog):
    cache = RedisCache(dead_url, {"KEY_PREFIX": REDIS_TEST_PREFIX, "OPTIONS": OPTIONS})
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        started = time.monotonic()
        assert cache.get("page") is None
        assert cache.get("page", "default") == "default"
        assert cache.get_many(["a", "b"]) == {}
        assert cache.set("page", "<html>", 30) is None
        assert cache.set_many({"a": 1, "b": 2}, 30) == ["a", "b"]
        assert cache.delete("page") is False
        assert cache.delete_many(["a", "b"]) is None
        assert cache.has_key("page") is False
        assert cache.touch("page", 30) is False
        assert cache.get_or_set("fragment", lambda: "rendered", 30) == "rendered"
        with pytest.raises(ValueError):  # as for a key that is not there
            cache.incr("counter")
        cache.clear()
        # A claim or lock is granted: with no shared server there is nobody to yield to (see core/cache.py).
        assert cache.add("rendering", True, 30) is True
        elapsed = time.monotonic() - started
    assert elapsed < 1.0, f"{elapsed:.2f} s for 14 calls to a stopped Redis"
    warnings = [r for r in caplog.records if r.name == "core.cache"]
    assert len(warnings) == 1, "one warning per outage, not one per call"
    assert "is unavailable" in warnings[0].getMessage() and dead_url.split("//")[1] in warnings[0].getMessage()


def test_an_alias_without_fail_soft_reports_the_outage(dead_url):
    strict = RedisCache(dead_url, {"OPTIONS": {**OPTIONS, "fail_soft": False}})
    with pytest.raises(redis.ConnectionError):
        strict.add("counter", 0, 30)
    with pytest.raises(redis.ConnectionError):  # also while the outage is remembered, without a new attempt
        strict.get("counter")


def test_a_redis_that_stops_answering_costs_one_timeout_then_nothing(redis_server):
    server = redis_server()
    cache = RedisCache(server.url, {"KEY_PREFIX": REDIS_TEST_PREFIX, "OPTIONS": {"socket_timeout": 0.2}})
    cache.set("page", "cached", 30)
    server.process.send_signal(19)  # SIGSTOP: connections open, no answer, as with a hung host or a lost network
    try:
        started = time.monotonic()
        assert cache.get("page") is None  # the one call that waits for its socket timeout
        first = time.monotonic() - started
        started = time.monotonic()
        for _n in range(50):
            assert cache.get("page") is None
        rest = time.monotonic() - started
    finally:
        server.process.send_signal(18)  # SIGCONT
    assert 0.15 < first < 2.0
    assert rest < 0.1, f"{rest:.2f} s for 50 calls while the outage is known"
    time.sleep(site_cache.OUTAGE_RETRY_SECONDS + 0.1)
    assert cache.get("page") == "cached"  # Redis is used again


def test_a_write_skipped_during_the_outage_cannot_come_back_stale(redis_server):
    """A persistent Redis keeps the old value through a restart: it is deleted before anything is read again."""
    server = redis_server(persistent=True)
    cache = RedisCache(server.url, {"KEY_PREFIX": REDIS_TEST_PREFIX, "OPTIONS": OPTIONS})
    cache.set("session:alice", {"signed_in": True}, 300)
    cache.set("session:bob", {"signed_in": True}, 300)
    server.stop()

    cache.delete("session:alice")  # alice signs out while Redis is down: the database forgot her session
    assert cache.get("session:alice") is None

    server.start()  # the same port and data directory: both sessions are back on the server
    probe = redis.Redis.from_url(server.url)
    assert probe.exists(cache.make_key("session:alice")) == 1
    time.sleep(site_cache.OUTAGE_RETRY_SECONDS + 0.1)
    assert cache.get("session:alice") is None  # not the signed-in session from before the outage
    assert cache.get("session:bob") == {"signed_in": True}  # what nobody touched meanwhile is kept
    assert probe.exists(cache.make_key("session:alice")) == 0


def test_clear_deletes_only_its_own_prefix(redis_server):
    server = redis_server()
    mine = RedisCache(server.url, {"KEY_PREFIX": "mine"})
    other = RedisCache(server.url, {"KEY_PREFIX": "other"})
    mine.set("a", 1, 30)
    other.set("a", 2, 30)
    redis.Redis.from_url(server.url).set("broker-queue", "job")  # e.g. a job broker on the same database
    mine.clear()
    assert mine.get("a") is None
    assert other.get("a") == 2
    assert redis.Redis.from_url(server.url).get("broker-queue") == b"job"
