"""core.cache.RedisCache: Django's Redis cache, sharing one client per server between calls and threads."""

import threading

from bookstore.tests.test_settings import run_with_env
from conftest import REDIS_TEST_PREFIX, REDIS_TEST_URL, needs_redis
from core.cache import RedisCache


@needs_redis
def test_it_stores_and_reads_through_one_client():
    cache = RedisCache(REDIS_TEST_URL, {"KEY_PREFIX": f"{REDIS_TEST_PREFIX}-backend"})
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client() is client
    cache.set("greeting", {"hello": "world"}, 30)
    assert cache.get("greeting") == {"hello": "world"}
    assert cache.get_many(["greeting", "absent"]) == {"greeting": {"hello": "world"}}
    cache.delete("greeting")
    assert cache.get("greeting") is None


@needs_redis
def test_threads_share_the_client_safely():
    cache = RedisCache(REDIS_TEST_URL, {"KEY_PREFIX": f"{REDIS_TEST_PREFIX}-backend-threads"})
    errors = []

    def work(n):
        try:
            for i in range(50):
                cache.set(f"{n}:{i}", i, 30)
                assert cache.get(f"{n}:{i}") == i
        except Exception as exc:  # noqa: BLE001 - any failure in a thread is reported by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    cache.clear()


def test_a_redis_cache_url_selects_it():
    probe = (
        "import django; from django.conf import settings; django.setup(); print(settings.CACHES['default']['BACKEND'])"
    )
    result = run_with_env({"CACHE_URL": "redis://127.0.0.1:6379/1"}, code=probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "core.cache.RedisCache"
