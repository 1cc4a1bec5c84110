"""A shared cache of rendered catalog pages, and each process's cache of cards: busy catalog pages skip the database.

Three layers, the cheapest first:

1. **Whole pages** for visitors without a session cookie or a messages cookie: they are anonymous, have no cart and
   no pending message, so every such visitor gets the same HTML except the CSRF token, which is left as a hole and
   filled in per request.
2. **Page content** (everything inside ``<main>``: headings, filters, results, pagination) for everyone else. It is
   rendered without the request (only its URL), so it cannot hold a name, a cart or a CSRF token; the layout around
   it (navigation bar, messages, footer form) is rendered for each request.
3. **Listing and book cards and the filter form**, keyed by everything they show (content-addressed): such an entry
   can never be stale, so they survive every catalog change and make uncached pages cheap to assemble. Cards are kept
   in each process (the "fragments" cache) and in the shared one: a page the shared cache lacks costs Redis one read
   and one write, and one more read only for cards this process has not shown before (cards._cards).

Layers 1 and 2 belong to one *catalog version*: a random token kept in the cache. ``catalog_changed()`` replaces
it once the caller's transaction commits, and an entry stored under another token is never served; with Redis,
each process is told of the new token by a message (versions._VersionWatcher), so a hit needs no round trip. Every
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

The modules, one job each: ``keys`` (what every key holds, which layers are on), ``versions`` (the version token,
its watcher and ``catalog_changed``), ``pages`` (layers 1 and 2 and the rendering claim), ``cards`` (layer 3),
``markers`` (where deep pages start), ``totals`` (a query's count) and ``rankings`` (a search's best books), both
kept per catalog version for every page of one query (``kept``). A page the cache lacks reads what it needs with
the page and stores what it rendered in one more round trip, two in all (core.cache_batch). Import from
``catalog.cache``; the modules are for reading.
"""

from catalog.cache.cards import (
    FRAGMENT_SECONDS,
    book_cards,
    cached_fragment,
    cached_parts,
    catalog_version_token,
    listing_cards,
    part_keys,
)
from catalog.cache.keys import TEMPLATES_DIGEST, fragments_enabled, pages_enabled
from catalog.cache.markers import MARKER_SECONDS, page_markers, remember_page_marker
from catalog.cache.pages import (
    REFRESH_SECONDS,
    RENDER_POLL_SECONDS,
    RENDER_WAIT_SECONDS,
    CachedPage,
    PublicRequest,
    render_content,
)
from catalog.cache.versions import VERSION_KEY, CatalogVersion, catalog_changed

__all__ = [
    "FRAGMENT_SECONDS",
    "MARKER_SECONDS",
    "REFRESH_SECONDS",
    "RENDER_POLL_SECONDS",
    "RENDER_WAIT_SECONDS",
    "TEMPLATES_DIGEST",
    "VERSION_KEY",
    "CachedPage",
    "CatalogVersion",
    "PublicRequest",
    "book_cards",
    "cached_fragment",
    "cached_parts",
    "catalog_changed",
    "catalog_version_token",
    "fragments_enabled",
    "listing_cards",
    "page_markers",
    "pages_enabled",
    "part_keys",
    "remember_page_marker",
    "render_content",
]
