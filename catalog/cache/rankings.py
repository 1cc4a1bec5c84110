"""The best books of a catalog search, kept per catalog version: every page, sort, view and copy filter of one
search shares one ranking.

Ranking the books that match a broad word reads every match of the full-text index: "stranger" matches 45,000 of
the 200,000 books at 1,000,000 listings, and ranking them takes 150 ms, where joining the best thousand to their
listings and sorting them takes 7 ms. A visitor who pages through a search, sorts it, switches to the copy view or
narrows it by condition or price asks the same ranking again each time. The ranking is read with the page
(CachedPage's prefetch, no round trip of its own) and stored with it (core.cache_batch), beside the catalog version
it was ranked in: after any change buyers could see, the next page ranks again.
"""

from __future__ import annotations

from django.conf import settings
from django.http import QueryDict

from catalog.cache.kept import Kept, kept
from catalog.cache.keys import _key, pages_enabled
from catalog.cache.versions import CatalogVersion

# The parameters that choose the books a search ranks: its words and the filters on the book. The page, the sort,
# the view and the filters on the copies (condition, price) apply to the listings of the ranked books.
RANKING_PARAMETERS = ("q", "category", "language", "binding")

Rows = list[tuple[int, float]]


def ranking_key(name: str, query: QueryDict) -> str | None:
    """The key of the ranking of ``name``'s search in ``query`` (canonical parameters), to read with the page; None
    when the query searches no words or the page cache is off."""
    if not pages_enabled() or not query.get("q"):
        return None
    scope = QueryDict(mutable=True)
    for parameter in RANKING_PARAMETERS:
        if parameter in query:
            scope.setlist(parameter, query.getlist(parameter))
    return _key("ranking", name, scope.urlencode())


def kept_ranking(key: str | None, version: CatalogVersion | str | None) -> Kept | None:
    """Where a page rendered in ``version`` (or its token) keeps its search's ranking; None without a key or a
    version."""
    # As long as a fresh page: a ranking is up to some 20 kB (a thousand ids and scores) and each catalog version
    # leaves its own behind, so it goes sooner than a total (kept ten times as long); a visitor pages, sorts and
    # narrows a search within minutes.
    return kept(key, version, settings.CATALOG_CACHE_SECONDS)
