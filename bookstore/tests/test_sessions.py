"""bookstore.sessions: sessions read from the shared cache, written through to the database, and still served from
the database while the cache server cannot be reached."""

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.urls import reverse

from bookstore.sessions import SessionStore
from conftest import REDIS_TEST_PREFIX, REDIS_TEST_URL, needs_redis

pytestmark = pytest.mark.django_db

# Nothing listens on port 1 of the loopback: a real connection refused, as when Redis is down.
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def _use_cache(settings, location, backend="core.cache.RedisCache"):
    settings.CACHES = {
        **settings.CACHES,
        "sessions": {
            "BACKEND": backend,
            "LOCATION": location,
            "KEY_PREFIX": f"{REDIS_TEST_PREFIX}-sessions",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
    settings.SESSION_CACHE_ALIAS = "sessions"
    settings.SESSION_ENGINE = "bookstore.sessions"


@needs_redis
def test_a_session_is_read_from_the_cache_and_kept_in_the_database(settings, django_assert_num_queries):
    _use_cache(settings, REDIS_TEST_URL)
    store = SessionStore()
    store["basket"] = 3
    store.save()
    assert Session.objects.filter(session_key=store.session_key).exists()
    with django_assert_num_queries(0):
        assert SessionStore(store.session_key)["basket"] == 3
    caches["sessions"].clear()  # a flushed or restarted cache signs nobody out (this prefix's keys only)
    with django_assert_num_queries(1):
        assert SessionStore(store.session_key)["basket"] == 3
    with django_assert_num_queries(0):
        assert SessionStore(store.session_key)["basket"] == 3  # put back into the cache by that read
    store.delete()
    assert SessionStore(store.session_key).get("basket") is None


def test_with_the_cache_down_a_session_is_read_from_the_database(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    from django.contrib.sessions.backends.db import SessionStore as DatabaseStore

    saved = DatabaseStore()
    saved["basket"] = 5
    saved.save()
    # Django's own backend, which raises: the session store itself must cope (the site's backend would not raise).
    _use_cache(settings, UNREACHABLE_REDIS, backend="django.core.cache.backends.redis.RedisCache")
    assert SessionStore(saved.session_key)["basket"] == 5
    assert SessionStore("no-such-session-key-000000000000").get("basket") is None


def test_with_the_cache_down_a_signed_in_visitor_still_browses(settings, client_for, alice):
    client = client_for(alice)  # signed in with database sessions
    # Django's own backend, which raises: the session store itself must cope (the site's backend would not raise).
    _use_cache(settings, UNREACHABLE_REDIS, backend="django.core.cache.backends.redis.RedisCache")
    response = client.get(reverse("catalog:browse"))
    assert response.status_code == 200
    assert f'href="{reverse("shipping:sale_list")}"' in response.content.decode()  # still alice's session
