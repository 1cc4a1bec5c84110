"""How many results a catalog query has, kept per catalog version: every page and spelling of one search or filter
combination shares one count.

A visitor paging through a filter asks for a URL nobody asked before at each page, and each page used to count
its results again (at 100,000 listings the costliest query of a filter page: up to 1,001 books read from some
4,000 index entries). The total is read with the page (CachedPage's prefetch, no round trip of its own) and stored
with it (core.cache_batch), beside the catalog version it was counted in: after any change buyers could see,
the next page counts again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.http import QueryDict

from catalog.cache.kept import Kept, kept, value_of
from catalog.cache.keys import _key, pages_enabled
from catalog.cache.versions import CatalogVersion

# As long as a page of the same version may be kept (catalog.cache.pages.STALE_FACTOR).
TOTAL_STALE_FACTOR = 10

Counted = TypeVar("Counted")


def total_key(name: str, query: QueryDict) -> str | None:
    """The key of the total of ``name``'s results for ``query`` (canonical parameters; the page number plays no
    part), to read with the page; None when the page cache is off."""
    if not pages_enabled():
        return None
    scope = query.copy()
    scope.pop("page", None)
    return _key("tally", name, scope.urlencode())


def kept_total(key: str | None, version: CatalogVersion | None) -> Kept | None:
    """Where a page rendered in ``version`` keeps its total; None without a key or a version (it counts)."""
    return kept(key, version, settings.CATALOG_CACHE_SECONDS * TOTAL_STALE_FACTOR)


def total_of(total: Kept | None, count: Callable[[], Counted]) -> Counted:
    """The total kept in ``total``, or ``count()``."""
    return value_of(total, count)
