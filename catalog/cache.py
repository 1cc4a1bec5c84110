"""A shared cache of rendered catalog pages and listing cards, so busy catalog pages skip the database.

Three layers, the cheapest first:

1. **Whole pages** for visitors without a session cookie or a messages cookie: they are anonymous, have no cart and
   no pending message, so every such visitor gets the same HTML except the CSRF token, which is left as a hole and
   filled in per request.
2. **Page content** (everything inside ``<main>``: headings, filters, results, pagination) for everyone else. It is
   rendered without the request (only its URL), so it cannot hold a name, a cart or a CSRF token; the layout around
   it (navigation bar, messages, footer form) is rendered for each request.
3. **Listing cards and the filter form**, keyed by everything they show (content-addressed): such an entry can
   never be stale, so they survive every catalog change and make uncached pages cheap to assemble.

Layers 1 and 2 belong to one *catalog version*: a random token kept in the cache. ``catalog_changed()`` replaces
it once the caller's transaction commits, and an entry stored under another token is never served; with Redis,
each process is told of the new token by a message (_VersionWatcher), so a hit needs no round trip. Every
service that changes what buyers see calls it (publish, edit, pause, resume, delete, photos, moderation, a
listing selling out or coming back in stock), and so do the catalog admin's saves and deletes; sellers
deactivated or reactivated and shops opened, renamed or deleted reach it through accounts'
``seller_visibility_changed`` signal (catalog/receivers.py; accounts may not import the catalog). A change made
around all of these (a raw update in a shell) shows when the page's time to live ends (``CATALOG_CACHE_SECONDS``):
a page past that age is rendered again by one visitor while the others still get it.
A page the cache has no copy of is likewise rendered once: visitors asking for the same URL meanwhile wait for
that copy (RENDER_WAIT_SECONDS at most) instead of running the same queries at the same time.

The cache must be shared by every web process (Redis in production). Layers 1 and 2 are off when
``CATALOG_CACHE_SECONDS`` is 0, the default while DEBUG is on; layer 3 and the deep-page markers of
catalog.search are off while DEBUG is on.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import random
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from bookstore.cache import UNAVAILABLE
from catalog.models import Listing

logger = logging.getLogger(__name__)

VERSION_KEY = "catalog:version"
SHELL_TEMPLATE = "catalog/page.html"
# Cards and filter forms are never stale (see the module docstring); the limit only lets unused ones go.
FRAGMENT_SECONDS = 6 * 3600
# A page of the current version older than CATALOG_CACHE_SECONDS is rendered again by one visitor, while the
# others still get it (for up to REFRESH_SECONDS): a slow page (a broad search over a million listings takes
# seconds) is never rendered by every visitor at once. It is kept this many times CATALOG_CACHE_SECONDS.
STALE_FACTOR = 10
REFRESH_SECONDS = 30
# Each page stays fresh CATALOG_CACHE_SECONDS times a factor drawn from this range: pages cached at the same moment
# (after a deployment or a catalog change) then come up for rendering again at different moments, not together.
FRESHNESS_SPREAD = (0.75, 1.25)


def _freshness_spread() -> float:
    return random.uniform(*FRESHNESS_SPREAD)  # noqa: S311  # nosec B311 - spreads expiry times, not a secret


# A page the cache has no copy of (new, or of an older catalog version) is rendered by the first visitor who asks;
# others asking for the same URL meanwhile wait for that copy, checking every RENDER_POLL_SECONDS for up to
# RENDER_WAIT_SECONDS, then render it themselves. Without this, eight visitors of a broad search over a million
# listings, or everyone right after a catalog change, would all run the same slow queries at once.
RENDER_WAIT_SECONDS = 5.0
RENDER_POLL_SECONDS = 0.02


def _templates_digest() -> str:
    """A digest of every project template and of the settings that change rendered money and links.

    Part of every key, so a deployment that changes a template or these settings never serves HTML rendered
    by the old one.
    """
    digest = hashlib.sha1(usedforsecurity=False)
    for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        digest.update(path.as_posix().encode())
        digest.update(path.read_bytes())
    digest.update(f"{settings.CURRENCY}|{settings.MEDIA_URL}|{settings.STATIC_URL}".encode())
    return digest.hexdigest()[:12]


TEMPLATES_DIGEST = _templates_digest()


def pages_enabled() -> bool:
    """Whether whole pages and page content are cached (layers 1 and 2)."""
    return settings.CATALOG_CACHE_SECONDS > 0


def fragments_enabled() -> bool:
    """Whether cards, forms and deep-page markers are cached: they need no invalidation, so always but in DEBUG
    (where a template being edited would keep showing its cached cards)."""
    return not settings.DEBUG


def _key(kind: str, *parts: object) -> str:
    raw = "|".join(str(part) for part in (TEMPLATES_DIGEST, get_language(), *parts))
    return f"catalog:{kind}:{hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()}"


# --- The catalog version --------------------------------------------------------


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
            except UNAVAILABLE as exc:  # Redis is down: bookstore.cache says so too, no traceback needed
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


def _may_store(version: CatalogVersion) -> bool:
    # A read replica may not have the change yet for a while after it: storing what it returns then could keep
    # a stale page under the new version.
    if "replica" in settings.DATABASES:
        return time.time() - version.changed_at >= settings.REPLICA_PIN_SECONDS
    return True


# --- Pages ------------------------------------------------------------------------


class _RecentPages:
    """This process's copy of the pages it served last, so a hit fetches only the version from the shared cache.

    An entry is used only when its version is the current one, so it is never staler than the shared cache.
    """

    def __init__(self, size: int):
        self.size = size
        self.entries: dict[str, dict] = {}
        self.lock = threading.Lock()

    def get(self, key: str) -> dict | None:
        return self.entries.get(key)

    def put(self, key: str, entry: dict) -> None:
        if self.entries.get(key) is entry:
            return
        with self.lock:
            self.entries.pop(key, None)
            self.entries[key] = entry
            while len(self.entries) > self.size:
                del self.entries[next(iter(self.entries))]


# A few hundred pages of ~40 KB: some megabytes per process.
_recent_pages = _RecentPages(size=200)


class PublicRequest:
    """What content templates may know of the request: its path and query string, nothing about the visitor."""

    def __init__(self, request: HttpRequest):
        self.path = request.path
        self.GET: QueryDict = request.GET

    def get_full_path(self) -> str:
        query = self.GET.urlencode()
        return f"{self.path}?{query}" if query else self.path


def render_content(template_name: str, context: dict, request: HttpRequest) -> SafeString:
    """Render a page's shareable content: the context plus ``request`` as a PublicRequest, no context processors."""
    return mark_safe(render_to_string(template_name, {**context, "request": PublicRequest(request)}))  # nosec B308 B703


def _without_visitor_state(request: HttpRequest) -> bool:
    """No session and no message cookie: an anonymous visitor with no cart and no message waiting."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and CookieStorage.cookie_name not in cookies


class CachedPage:
    """One catalog URL (path and exact query string, in the active language) in the page cache.

    Usage in a view::

        page = CachedPage(request, "browse")
        if (response := page.cached_response()) is not None:
            return response
        ... build the context, render_content(...) ...
        return page.respond(title, content, status=...)  # share=False for a page that must not be kept
    """

    def __init__(self, request: HttpRequest, name: str):
        self.request = request
        self.whole = _without_visitor_state(request)
        url = f"{request.path}?{request.META.get('QUERY_STRING', '')}"
        self.key = _key("page" if self.whole else "content", name, url)
        self.version: CatalogVersion | None = None
        self.rendering = False  # this request holds the rendering key of its URL

    def cached_response(self) -> HttpResponse | None:
        """The response from the cache, or None when this URL is not cached under the current version."""
        if not pages_enabled():
            return None
        now = time.time()
        try:
            version = _watcher.current()
            if version is None:
                found = cache.get_many([VERSION_KEY, self.key])
                version = _version_from(found)
                entry = found.get(self.key)
            else:
                entry = _recent_pages.get(self.key)
                if entry is None or entry["version"] != version.token or entry["fresh_until"] <= now:
                    entry = cache.get(self.key)
            self.version = version
            if entry is None or entry["version"] != version.token:
                entry = self._await_other_rendering(version)
                if entry is None:
                    return None
            if entry["fresh_until"] <= now and self._claim_rendering(REFRESH_SECONDS):
                return None  # this visitor renders it again; until then the others still get this copy
        except Exception:  # without the cache the page is simply rendered
            logger.exception("The catalog cache is unavailable; rendering the page.")
            return None
        _recent_pages.put(self.key, entry)
        if self.whole:
            return self._whole_page_response(entry)
        return self.render_uncached(entry["title"], entry["content"], entry["status"])

    @property
    def _rendering_key(self) -> str:
        return f"{self.key}:rendering"

    def _claim_rendering(self, seconds: float) -> bool:
        """Whether this visitor is the one to render the page now: one at a time per URL, released once stored.

        The claim lapses after ``seconds`` if its holder never stores the page (a crash), so another can try.
        """
        claimed = cache.add(self._rendering_key, True, int(seconds))
        self.rendering = self.rendering or claimed
        return claimed

    def _await_other_rendering(self, version: CatalogVersion) -> dict | None:
        """None when this visitor is to render the page; else the copy another visitor rendered meanwhile.

        The first visitor takes the rendering key and renders; the others poll the cache for the copy of this
        version, and render it themselves if none comes in time (its renderer failed or answered 400).
        """
        if self._claim_rendering(RENDER_WAIT_SECONDS + 1):
            return None
        deadline = time.monotonic() + RENDER_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(RENDER_POLL_SECONDS)
            entry = cache.get(self.key)
            if entry is not None and entry["version"] == version.token:
                return entry
        return None

    def _done_rendering(self) -> None:
        if self.rendering:
            self.rendering = False
            with contextlib.suppress(Exception):
                cache.delete(self._rendering_key)

    def respond(self, title: str, content: SafeString, status: int = 200, *, share: bool = True) -> HttpResponse:
        """Answer with content inside the site layout, and keep what may be shared for the next visitors.

        share=False answers without keeping the page (e.g. a 400 for parameters that did not validate).
        """
        if not (share and pages_enabled() and self.version is not None and _may_store(self.version)):
            self._done_rendering()
            return self.render_uncached(title, content, status)
        if self.whole:
            hole = secrets.token_hex(16)
            html = self.render_uncached(title, content, status, csrf_token=hole).content
            entry = {"parts": html.split(hole.encode()), "status": status}
        else:
            entry = {"title": str(title), "content": str(content), "status": status}
        entry["version"] = self.version.token
        entry["fresh_until"] = time.time() + settings.CATALOG_CACHE_SECONDS * _freshness_spread()
        self._store(entry)
        self._done_rendering()
        return self._whole_page_response(entry) if self.whole else self.render_uncached(title, content, status)

    def _store(self, entry: dict) -> None:
        try:
            cache.set(self.key, entry, settings.CATALOG_CACHE_SECONDS * STALE_FACTOR)
        except Exception:  # the page was rendered; only its reuse is lost
            logger.exception("Could not store a catalog page in the cache.")
        else:
            _recent_pages.put(self.key, entry)

    def render_uncached(self, title: str, content: str, status: int, **extra) -> HttpResponse:
        """Content (HTML, e.g. from render_content) inside the site layout, rendered for this request."""
        context = {"title": mark_safe(title.strip()), "content": mark_safe(content), **extra}  # nosec B308 B703
        return render(self.request, SHELL_TEMPLATE, context, status=status)

    def _whole_page_response(self, entry: dict) -> HttpResponse:
        response = HttpResponse(get_token(self.request).encode().join(entry["parts"]), status=entry["status"])
        # As the rendered page would: it differs by cookie (session, CSRF) and language.
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        return response


# --- Fragments: listing cards and forms ---------------------------------------------


def _card_key(listing: Listing) -> str:
    book = listing.book
    shop = getattr(listing.seller, "shop", None)
    shown = (
        listing.pk,
        book.title,
        book.authors,
        listing.condition,
        listing.price,
        listing.cover.name,
        listing.quantity > 0,
        (shop.name, shop.city, shop.country.code) if shop else None,
    )
    return _key("card", repr(shown))


def listing_cards(listings: Iterable[Listing]) -> list[SafeString]:
    """The HTML card of each listing, in order (book, seller and shop loaded), from the cache where it has it."""
    listings = list(listings)
    if not fragments_enabled():
        return [_render_card(listing) for listing in listings]
    keys = [_card_key(listing) for listing in listings]
    try:
        found = cache.get_many(keys)
    except Exception:  # render them all
        logger.exception("The catalog cache is unavailable; rendering the cards.")
        found = {}
    missing = {}
    cards = []
    for key, listing in zip(keys, listings, strict=True):
        html = found.get(key)
        if html is None:
            html = missing[key] = _render_card(listing)
        cards.append(mark_safe(html))  # rendered by our template, autoescaped  # nosec B308 B703
    if missing:
        try:
            cache.set_many({key: str(html) for key, html in missing.items()}, FRAGMENT_SECONDS)
        except Exception:
            logger.exception("Could not store listing cards in the cache.")
    return cards


def _render_card(listing: Listing) -> SafeString:
    return mark_safe(render_to_string("includes/listing_card.html", {"listing": listing}))  # nosec B308 B703


def cached_fragment(name: str, shown: object, render_fragment: Callable[[], object]):
    """What render_fragment() returns (HTML, or a tuple of HTML pieces), rendered once and then shared.

    It must depend only on ``shown`` (and the language and templates): ``shown`` holds every value it displays,
    e.g. a bound form's data and the choices it offers.
    """
    if not fragments_enabled():
        return render_fragment()
    key = _key(name, repr(shown))
    try:
        value = cache.get(key)
    except Exception:
        logger.exception("The catalog cache is unavailable; rendering %s.", name)
        return render_fragment()
    if value is None:
        value = render_fragment()
        try:
            cache.set(key, value, FRAGMENT_SECONDS)
        except Exception:
            logger.exception("Could not store %s in the cache.", name)
    return value


# --- Markers for deep pages -------------------------------------------------------

# Markers hold sort keys, never what is shown; they may lag behind changes by this long (see catalog.search).
MARKER_SECONDS = 600


def _marker_key(scope: str, segment: int) -> str:
    return f"catalog:marker:{hashlib.sha1(scope.encode(), usedforsecurity=False).hexdigest()}:{segment}"


def page_markers(scope: str, segments: Iterable[int]) -> dict[int, tuple]:
    """The cached markers of ``scope`` (a query and its order) among ``segments``; {} when the cache is off."""
    if not fragments_enabled():
        return {}
    segments = list(segments)
    try:
        found = cache.get_many([_marker_key(scope, segment) for segment in segments])
    except Exception:
        logger.exception("The catalog cache is unavailable; paging with OFFSET.")
        return {}
    return {segment: found[key] for segment in segments if (key := _marker_key(scope, segment)) in found}


def remember_page_marker(scope: str, segment: int, values: tuple) -> None:
    """Keep the sort key that ends ``segment`` of ``scope`` for MARKER_SECONDS."""
    if not fragments_enabled():
        return
    try:
        cache.set(_marker_key(scope, segment), values, MARKER_SECONDS)
    except Exception:
        logger.exception("Could not store a page marker.")
