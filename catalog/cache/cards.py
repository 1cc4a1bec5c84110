"""Listing cards and other fragments (layer 3 of the catalog cache), keyed by everything they show.

Such an entry can never be stale, so it survives every catalog change and makes uncached pages cheap to assemble.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.core.cache import cache, caches
from django.utils.safestring import SafeString, mark_safe

from catalog import card_html
from catalog.cache.keys import _key, fragments_enabled
from catalog.cache.versions import VERSION_KEY, _version_from, _watcher
from catalog.models import Listing
from core import cache_batch as batch

logger = logging.getLogger(__name__)

# Cards and filter forms are never stale (see the module docstring); the limit only lets unused ones go.
FRAGMENT_SECONDS = 6 * 3600


def _card_key(listing: Listing, eager: bool = False) -> str:
    book = listing.book
    shop = getattr(listing.seller, "shop", None)
    shown = (
        listing.pk,
        book.title,
        book.authors,
        listing.condition,
        listing.price,
        listing.cover.name,
        tuple(listing.cover_widths or ()),
        eager,
        listing.quantity > 0,
        (shop.name, shop.city, shop.country.code) if shop else None,
    )
    return _key("card", repr(shown))


def listing_cards(listings: Iterable[Listing]) -> list[SafeString]:
    """The HTML card of each listing, in order (book, seller and shop loaded), from the caches where they have it
    (see _cards).

    The first card's cover is the page's largest early image: it is loaded eagerly at high priority, the rest lazily.
    """
    listings = list(listings)
    if not fragments_enabled():
        return [_render_card(listing, index == 0) for index, listing in enumerate(listings)]
    keys = [_card_key(listing, index == 0) for index, listing in enumerate(listings)]
    return _cards(keys, listings, _render_card)


def book_cards(summaries: Iterable) -> list[SafeString]:
    """The HTML card of each book of a books page (catalog.search.books.BookSummary), in order, from the caches where
    they have it (see _cards).

    Keyed by everything a card shows (its book, figures, cover and whether it is the page's first), so never stale.
    """
    summaries = list(summaries)
    if not fragments_enabled():
        return [_render_book_card(summary, index == 0) for index, summary in enumerate(summaries)]
    shown = [
        (
            summary.book.pk,
            summary.book.title,
            summary.book.authors,
            summary.book.language,
            summary.copies,
            summary.lowest_price,
            summary.best_rank,
            summary.worst_rank,
            getattr(summary.cover, "name", summary.cover or ""),
            tuple(summary.cover_widths or ()),
            index == 0,
        )
        for index, summary in enumerate(summaries)
    ]
    keys = [_key("book-card", repr(values)) for values in shown]
    return _cards(keys, summaries, _render_book_card)


def _cards(keys: list[str], items: list, render) -> list[SafeString]:
    """The card of each item, in order, under its key: from this process's fragment cache, else from the shared
    cache, else ``render(item, first)``; what one process rendered is then kept in both.

    Two tiers, as measured at 100,000 listings: a card took 0.28 ms to render from a template (0.14 ms now, written
    by catalog.card_html) and 24 of them 0.27 ms to read from Redis in one round trip. A page the caches lack reads
    Redis once for its page and writes once (core.cache_batch); its cards cost no third round trip when this
    process has shown them before, and one that saves their rendering when only another process has (the long tail
    of a catalog larger than a process keeps).
    """
    local = caches["fragments"]
    found = _read_cards(local, keys)
    lacking = [key for key in keys if key not in found]
    if lacking:
        shared = _read_cards(cache, lacking)
        if shared:
            _keep_cards(local, shared)
        found.update(shared)
    cards, rendered = [], {}
    for index, (key, item) in enumerate(zip(keys, items, strict=True)):
        html = found.get(key)
        if html is None:
            html = rendered[key] = str(render(item, index == 0))
        cards.append(mark_safe(html))  # rendered by our templates, autoescaped  # nosec B308 B703
    if rendered:
        _keep_cards(local, rendered)
        # With the page's own write when it has one (one round trip for both), else now.
        _keep_cards(batch, rendered)
    return cards


def _read_cards(store, keys: list[str]) -> dict[str, str]:
    try:
        return store.get_many(keys)
    except Exception:
        logger.exception("The catalog cache is unavailable; rendering the cards.")
        return {}


def _keep_cards(store, cards: dict[str, str]) -> None:
    try:
        store.set_many(cards, FRAGMENT_SECONDS)
    except Exception:
        logger.exception("Could not keep the catalog's cards.")


def _render_book_card(summary, eager: bool) -> SafeString:
    return card_html.book_card(summary, eager)


def _render_card(listing: Listing, eager: bool = False) -> SafeString:
    return card_html.listing_card(listing, eager)


def cached_fragment(name: str, shown: object, render_fragment: Callable[[], object]):
    """What render_fragment() returns (HTML, or a tuple of HTML pieces), rendered once per process and then reused.

    It must depend only on ``shown`` (and the language and templates): ``shown`` holds every value it displays,
    e.g. a bound form's data and the choices it offers. Kept in the process (the "fragments" cache), not the shared
    one: such a fragment is asked for again mostly by the same URL, which the page cache answers, so a shared copy
    would cost each page a round trip for little.
    """
    if not fragments_enabled():
        return render_fragment()
    key = _key(name, repr(shown))
    local = caches["fragments"]
    try:
        value = local.get(key)
    except Exception:
        logger.exception("The catalog cache is unavailable; rendering %s.", name)
        return render_fragment()
    if value is None:
        value = render_fragment()
        try:
            local.set(key, value, FRAGMENT_SECONDS)
        except Exception:
            logger.exception("Could not store %s in the cache.", name)
    return value


def cached_parts(parts: dict[str, tuple[object, Callable[[], object]]]) -> dict[str, object]:
    """Several fragments of one page, each ``name: (shown, render)`` as for cached_fragment, in one round trip to
    read them and, for those missing, one to store them (none of either when the page's batch read them and
    stores them: core.cache_batch)."""
    if not fragments_enabled():
        return {name: render() for name, (_shown, render) in parts.items()}
    keys = part_keys(parts)
    try:
        found = batch.get_many(list(keys.values()))
    except Exception:
        logger.exception("The catalog cache is unavailable; rendering the page's parts.")
        found = {}
    values, missing = {}, {}
    for name, (_shown, render) in parts.items():
        value = found.get(keys[name])
        if value is None:
            value = missing[keys[name]] = render()
        values[name] = value
    if missing:
        try:
            batch.set_many(missing, FRAGMENT_SECONDS)
        except Exception:
            logger.exception("Could not store the page's parts in the cache.")
    return values


def part_keys(parts: dict[str, tuple[object, Callable[[], object]]]) -> dict[str, str]:
    """The cache key of each part of ``parts`` (as for cached_parts), for a page to read them with what else it
    needs (core.cache_batch.reading)."""
    return {name: _key(name, repr(shown)) for name, (shown, _render) in parts.items()}


def catalog_version_token() -> str | None:
    """The current catalog version's token (no round trip with Redis: the process keeps it), None without a cache."""
    version = _watcher.current()
    if version is None:
        try:
            version = _version_from({VERSION_KEY: cache.get(VERSION_KEY)})
        except Exception:  # noqa: BLE001 - without the cache the caller renders the part itself
            return None
    return version.token
