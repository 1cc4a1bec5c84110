"""Whole pages and page content (layers 1 and 2 of the catalog cache), and who renders a page the cache lacks.

A page belongs to the catalog version it was rendered under (catalog.cache.versions) and is served only while that
version is current. A page past its freshness is rendered again by one visitor while the others still get it; a
page the cache has no copy of is rendered by the first visitor to ask, and the others asking for the same URL
meanwhile wait for that copy (the rendering claim) instead of running the same queries at the same time.
"""

from __future__ import annotations

import contextlib
import logging
import random
import secrets
import threading
import time
from collections.abc import Iterable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString, mark_safe

from catalog.cache.keys import _key, pages_enabled
from catalog.cache.versions import VERSION_KEY, CatalogVersion, _version_from, _watcher
from catalog.seo import absolute_url
from core import cache_batch as batch

logger = logging.getLogger(__name__)

SHELL_TEMPLATE = "catalog/page.html"
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


def _may_store(version: CatalogVersion) -> bool:
    # A read replica may not have the change yet for a while after it: storing what it returns then could keep
    # a stale page under the new version.
    if "replica" in settings.DATABASES:
        return time.time() - version.changed_at >= settings.REPLICA_PIN_SECONDS
    return True


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
    """One catalog URL (path and query string, in the active language) in the page cache.

    ``query``: the page's parameters in their canonical spelling (see catalog.forms.browse.canonical_query). The
    request is then answered as if it had asked for them: its GET and query string are replaced before anything is
    rendered (the layout's links use them too), the page is cached under them, and a page of 200 carries a
    canonical link to that clean URL. Without it the exact query string is the key.

    Usage in a view::

        page = CachedPage(request, "browse", query=canonical_query(request.GET))
        if (response := page.cached_response()) is not None:
            return response
        ... build the context, render_content(...) ...
        return page.respond(title, content, status=...)  # share=False for a page that must not be kept
    """

    def __init__(
        self, request: HttpRequest, name: str, *, query: QueryDict | None = None, prefetch: Iterable[str] = ()
    ):
        self.request = request
        self.whole = _without_visitor_state(request)
        if query is not None:
            request.GET = query
            request.META["QUERY_STRING"] = query.urlencode()
        self.canonical = query is not None
        url = f"{request.path}?{request.META.get('QUERY_STRING', '')}"
        self.key = _key("page" if self.whole else "content", name, url)
        # Other keys the page will read if it is rendered (e.g. the category list): read with the page itself.
        self.prefetch = list(prefetch)
        self.version: CatalogVersion | None = None
        self.rendering = False  # this request holds the rendering key of its URL

    @property
    def _tag_key(self) -> str:
        """The catalog version the stored page belongs to, beside it: the cache server compares it with the current
        one and takes the rendering claim in the same round trip as the read (core.cache.get_many_or_claim)."""
        return f"{self.key}:version"

    def cached_response(self) -> HttpResponse | None:
        """The response from the cache, or None when this URL is not cached under the current version.

        With Redis, a page this process served lately costs no round trip, any other one round trip: the page, its
        version tag and the keys to prefetch are read, and the rendering claim is taken when the page is not of the
        current version. A page then rendered sends what it stores in one more (core.cache_batch).
        """
        batch.end()
        if not pages_enabled():
            return None
        now = time.time()
        claimed = None
        try:
            version = _watcher.current()
            if version is None:
                keys = [VERSION_KEY, self.key, *self.prefetch]
                found = cache.get_many(keys)
                version = _version_from(found)
                entry = found.get(self.key)
                batch.begin(found, keys)
            else:
                entry = _recent_pages.get(self.key)
                if entry is None or entry["version"] != version.token or entry["fresh_until"] <= now:
                    entry, claimed = self._read(version)
            self.version = version
            if entry is None or entry["version"] != version.token:
                if claimed:  # taken with the read: this visitor renders the page
                    self.rendering = True
                    return None
                entry = self._await_other_rendering(version)
                if entry is None:
                    return None
            if entry["fresh_until"] <= now and self._claim_rendering(REFRESH_SECONDS):
                return None  # this visitor renders it again; until then the others still get this copy
        except Exception:  # without the cache the page is simply rendered
            logger.exception("The catalog cache is unavailable; rendering the page.")
            return None
        batch.end()  # served from the cache: nothing of this request waits to be stored
        _recent_pages.put(self.key, entry)
        if self.whole:
            return self._whole_page_response(entry)
        return self.render_uncached(entry["title"], entry["content"], entry["status"])

    def _read(self, version: CatalogVersion) -> tuple[dict | None, bool | None]:
        """The stored page and whether the rendering claim was taken with it (None: not tried)."""
        keys = [self.key, self._tag_key, *self.prefetch]
        read_or_claim = getattr(cache, "get_many_or_claim", None)
        if read_or_claim is not None:
            claim_seconds = RENDER_WAIT_SECONDS + 1
            found, claimed = read_or_claim(keys, self._rendering_key, claim_seconds, self._tag_key, version.token)
        else:
            found, claimed = cache.get_many(keys), None
        batch.begin(found, keys)
        return found.get(self.key), claimed

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
            if not batch.delete_later(self._rendering_key):
                with contextlib.suppress(Exception):
                    cache.delete(self._rendering_key)

    def respond(self, title: str, content: SafeString, status: int = 200, *, share: bool = True) -> HttpResponse:
        """Answer with content inside the site layout, and keep what may be shared for the next visitors.

        share=False answers without keeping the page (e.g. a 400 for parameters that did not validate).
        """
        try:
            return self._respond(title, content, status, share)
        finally:
            batch.flush()  # what the page stored (itself, its cards...) and the claim's release, in one round trip

    def _respond(self, title: str, content: SafeString, status: int, share: bool) -> HttpResponse:
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
        seconds = settings.CATALOG_CACHE_SECONDS * STALE_FACTOR
        if batch.set_later(self.key, entry, seconds) and batch.set_later(self._tag_key, entry["version"], seconds):
            _recent_pages.put(self.key, entry)
            return
        try:
            cache.set_many({self.key: entry, self._tag_key: entry["version"]}, seconds)
        except Exception:  # the page was rendered; only its reuse is lost
            logger.exception("Could not store a catalog page in the cache.")
        else:
            _recent_pages.put(self.key, entry)

    def render_uncached(self, title: str, content: str, status: int, **extra) -> HttpResponse:
        """Content (HTML, e.g. from render_content) inside the site layout, rendered for this request."""
        context = {"title": mark_safe(title.strip()), "content": mark_safe(content), **extra}  # nosec B308 B703
        if self.canonical and status == 200:
            context["canonical_url"] = absolute_url(self.request.get_full_path())
        return render(self.request, SHELL_TEMPLATE, context, status=status)

    def _whole_page_response(self, entry: dict) -> HttpResponse:
        response = HttpResponse(get_token(self.request).encode().join(entry["parts"]), status=entry["status"])
        # As the rendered page would: it differs by cookie (session, CSRF) and language.
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        return response
