"""The catalog version: a random token in the cache that every cached page and page content belongs to.

``catalog_changed()`` replaces it once the caller's transaction commits, and an entry stored under another token is
never served. With Redis, each process keeps a copy that Redis keeps current by pub/sub (_VersionWatcher), so a hit
needs no round trip for it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction

from core.cache import UNAVAILABLE

logger = logging.getLogger(__name__)

VERSION_KEY = "catalog:version"


@dataclass(frozen=True)
class CatalogVersion:
    token: str
    changed_at: float  # time.time() of the change


def _new_version() -> CatalogVersion:
    # Random rather than a counter: a version key lost from the cache can never come back as an old value.
    return CatalogVersion(token=secrets.token_hex(8), changed_at=time.time())


def _bump_version() -> None:
    try:
        cache.set(VERSION_KEY, _new_version(), None)
    except Exception:  # the change is committed; pages then age out with their time to live
        logger.exception("Could not renew the catalog version; cached pages stay until they expire.")
        return
    _watcher.announce()


def catalog_changed() -> None:
    """Make every cached catalog page stale as soon as the current transaction commits.

    Call it from any service whose change buyers could see in the catalog. Outside a transaction it acts at
    once; if the transaction rolls back nothing happens. Never raises because of the cache.
    """
    transaction.on_commit(_bump_version)


def _version_from(found: dict) -> CatalogVersion:
    version = found.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _new_version(), None)
        version = cache.get(VERSION_KEY) or _new_version()
    return version


def _redis_url() -> str | None:
    """The Redis server behind the default cache, when it is Django's Redis backend (its first, primary, server)."""
    if not isinstance(caches["default"], RedisCache):  # the backend in use, without importing its path again
        return None
    location = settings.CACHES["default"]["LOCATION"]
    servers = location if isinstance(location, list | tuple) else location.replace(";", ",").split(",")
    return servers[0]


def _redis_client(url: str):
    """A plain client for the watcher's subscription and announcements, with the cache's own socket timeouts: a
    Redis that stopped answering must cost a request no more than it costs the cache."""
    import redis

    options = settings.CACHES["default"].get("OPTIONS", {})
    timeouts = {name: options[name] for name in ("socket_connect_timeout", "socket_timeout") if name in options}
    return redis.Redis.from_url(url, **timeouts)


class _VersionWatcher:
    """This process's copy of the catalog version, which Redis pushes to it instead of being asked every request.

    A change writes the new version to the cache and then publishes on VERSION_CHANNEL. Each process subscribes
    once, then reads the version, and before every use drains what waits on its subscription: a poll of one
    socket, no round trip. The process that made the change forgets its copy at once; the others drain its
    message on their next request once Redis has delivered it (well under a millisecond between hosts of one
    network), so pages of the old version stop as soon as the change is known. As a safety net against a
    subscription that broke without an error, the version is read again when it was last confirmed more than
    MAX_AGE seconds ago; after an error the process asks the cache on every request until it has subscribed
    again. Without Redis (local memory cache in development and tests) current() is None and callers read the
    version from the cache each time.
    """

    CHANNEL = "catalog:version-changed"
    MAX_AGE = 1.0
    RETRY_AFTER = 5.0

    def __init__(self):
        self.lock = threading.Lock()
        self.client = None
        self.pubsub = None
        self.pid = 0
        self.version: CatalogVersion | None = None
        self.confirmed_at = 0.0
        self.retry_at = 0.0
        self.publisher = None
        self.publisher_pid = 0

    def _connect(self, url: str) -> None:
        self.client = _redis_client(url)
        self.pubsub = self.client.pubsub()
        self.pubsub.subscribe(self.CHANNEL)
        # Wait until Redis confirms the subscription: a change made before it would not reach this process.
        deadline = time.monotonic() + 2
        while True:
            message = self.pubsub.get_message(timeout=max(0.0, deadline - time.monotonic()))
            if message is not None and message["type"] == "subscribe":
                break
            if time.monotonic() >= deadline:
                raise TimeoutError("Redis did not confirm the subscription to catalog version changes.")
        self.pid = os.getpid()
        self.version = None

    def _reset(self) -> None:
        with contextlib.suppress(Exception):
            self.pubsub.close()
        self.client = self.pubsub = self.version = None
        self.retry_at = time.monotonic() + self.RETRY_AFTER

    def current(self) -> CatalogVersion | None:
        """The current version, or None when this process has no subscription (then read it from the cache)."""
        url = _redis_url()
        if url is None:
            return None
        with self.lock:
            now = time.monotonic()
            try:
                if self.pubsub is None or self.pid != os.getpid():
                    if now < self.retry_at:
                        return None
                    self._connect(url)
                while (message := self.pubsub.get_message(timeout=0)) is not None:
                    if message["type"] == "message":
                        self.version = None
                if self.version is None or now - self.confirmed_at > self.MAX_AGE:
                    self.version = _version_from({VERSION_KEY: cache.get(VERSION_KEY)})
                    self.confirmed_at = now
                return self.version
            except UNAVAILABLE as exc:  # Redis is down: core.cache says so too, no traceback needed
                logger.warning("No catalog version subscription (%s); reading the version from the cache.", exc)
                self._reset()
                return None
            except Exception:
                logger.exception("Lost the catalog version subscription; reading the version from the cache.")
                self._reset()
                return None

    def announce(self) -> None:
        """Tell every process that the version changed (after it was written to the cache).

        This process forgets its copy at once: its own message could still be on the way when its next request
        drains the subscription, and the visitor who made the change must see it on the next page.
        """
        url = _redis_url()
        if url is None:
            return
        with self.lock:
            self.version = None
        try:
            if self.publisher is None or self.publisher_pid != os.getpid():
                self.publisher, self.publisher_pid = _redis_client(url), os.getpid()
            self.publisher.publish(self.CHANNEL, "1")
        except Exception:
            # Processes then learn of the change when their copy is MAX_AGE old.
            logger.exception("Could not announce a catalog version change.")


_watcher = _VersionWatcher()
