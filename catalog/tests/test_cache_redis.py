"""With Redis (as in production), each process learns of a new catalog version by a pushed message.

Needs a Redis server: REDIS_TEST_URL, or redis://127.0.0.1:6379/15; skipped when none answers.
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import Client

from catalog.cache import pages, versions
from catalog.services import moderation
from conftest import REDIS_TEST_PREFIX, REDIS_TEST_URL, needs_redis

pytestmark = [
    pytest.mark.django_db,
    needs_redis,
]


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            # The site's backend: its clear() deletes this prefix's keys only, not other test processes' ones.
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": REDIS_TEST_URL,
            "KEY_PREFIX": REDIS_TEST_PREFIX,
        },
    }
    settings.CATALOG_CACHE_SECONDS = 60
    settings.DEBUG = False
    from django.core.cache import cache

    cache.clear()
    pages._recent_pages.entries.clear()
    versions._watcher._reset()
    versions._watcher.retry_at = 0
    yield cache
    cache.clear()
    versions._watcher._reset()
    versions._watcher.retry_at = 0


def test_a_change_announced_by_another_process_is_seen_before_the_next_page(redis_cache):
    first = versions._watcher.current()
    assert first is not None and versions._watcher.current() == first
    environment = {
        **{name: value for name, value in os.environ.items() if name != "DATABASE_URL"},
        "DJANGO_SETTINGS_MODULE": "bookstore.settings",
        "CACHE_URL": REDIS_TEST_URL,
        "PYTHONPATH": str(django_settings.BASE_DIR),
    }
    # The other process uses the same key prefix, as every web process of one site does.
    script = (
        "import django; from django.conf import settings; django.setup();"
        f"settings.CACHES['default']['KEY_PREFIX'] = '{REDIS_TEST_PREFIX}';"
        "from catalog.cache.versions import _bump_version; _bump_version()"  # what catalog_changed() runs on commit
    )
    command = [sys.executable, "-c", script]
    subprocess.run(command, check=True, env=environment, cwd=django_settings.BASE_DIR)  # noqa: S603 - our own code
    second = versions._watcher.current()
    assert second is not None and second != first


def test_the_process_that_changes_the_catalog_forgets_its_version_at_once(redis_cache):
    """Its own message may still be on the way when its next request drains the subscription."""
    first = versions._watcher.current()
    assert first is not None and versions._watcher.version == first
    versions._bump_version()
    assert versions._watcher.version is None
    assert versions._watcher.current() not in (None, first)


def test_hidden_listing_leaves_the_cached_page_with_redis(
    redis_cache, staff, alice_listing, django_capture_on_commit_callbacks, django_assert_num_queries
):
    Client().get("/books/")
    with django_assert_num_queries(0):
        assert "The Name of the Rose" in Client().get("/books/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        moderation.hide_listing(alice_listing, staff, "Counterfeit copy")
    assert "The Name of the Rose" not in Client().get("/books/").content.decode()


def test_without_a_subscription_the_version_is_read_from_the_cache(redis_cache, monkeypatch):
    def refuse(url):
        raise ConnectionError("no pub/sub")

    monkeypatch.setattr(versions._watcher, "_connect", refuse)
    assert versions._watcher.current() is None  # the page code then reads the version from the cache
    response = Client().get("/books/")
    assert response.status_code == 200
