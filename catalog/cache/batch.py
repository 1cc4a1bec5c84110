"""One request's cache traffic in two round trips: what a page may need, read with the page; everything it stores,
written together once it is rendered.

A page the cache lacks (catalog.cache.pages.CachedPage) opens a batch with the values read alongside the page (the
category list, for instance). Until the page is answered, readers of those keys take them from the batch, and writes
of the catalog cache (the page, the category list, deep-page markers, the release of the rendering claim)
wait in it; the page's answer sends them in one round trip (``flush``). Each request starts without a batch.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

from django.core.cache import cache
from django.core.signals import request_started

logger = logging.getLogger(__name__)

_MISSING = object()


class Batch:
    def __init__(self, read: dict, known: list[str]):
        self.read = read
        self.known = set(known)  # keys read, found or not
        self.writes: dict[str, tuple[object, float | None]] = {}
        self.deletes: list[str] = []


_current: ContextVar[Batch | None] = ContextVar("catalog_cache_batch", default=None)


def begin(read: dict, known: list[str]) -> None:
    _current.set(Batch(read, known))


def end() -> None:
    _current.set(None)


def lookup(key: str):
    """(True, value or None) for a key read with the page; (False, None) when it was not."""
    batch = _current.get()
    if batch is None or key not in batch.known:
        return False, None
    value = batch.read.get(key, _MISSING)
    return True, (None if value is _MISSING else value)


def remember(key: str, value: object) -> None:
    """Let the batch answer later reads of ``key`` with ``value`` (computed by this request)."""
    batch = _current.get()
    if batch is not None:
        batch.read[key] = value
        batch.known.add(key)


def set_later(key: str, value: object, timeout: float | None) -> bool:
    """Keep the write for the batch's flush; False when no batch is open (then write it now)."""
    batch = _current.get()
    if batch is None:
        return False
    batch.writes[key] = (value, timeout)
    batch.deletes = [other for other in batch.deletes if other != key]
    return True


def delete_later(key: str) -> bool:
    batch = _current.get()
    if batch is None:
        return False
    batch.writes.pop(key, None)
    batch.deletes.append(key)
    return True


def flush() -> None:
    """Send the batch's writes in one round trip and close it. Never raises because of the cache."""
    batch = _current.get()
    _current.set(None)
    if batch is None or not (batch.writes or batch.deletes):
        return
    entries = [(key, value, timeout) for key, (value, timeout) in batch.writes.items()]
    try:
        write_many = getattr(cache, "write_many", None)
        if write_many is not None:  # the site's Redis backend: one pipeline
            write_many(entries, batch.deletes)
            return
        for key, value, timeout in entries:
            cache.set(key, value, timeout)
        if batch.deletes:
            cache.delete_many(batch.deletes)
    except Exception:  # the page was answered; only the reuse of what it rendered is lost
        logger.exception("Could not store the catalog page's entries in the cache.")


def _forget(**kwargs) -> None:
    # A request that failed before its page was answered leaves its batch to the thread's next request.
    _current.set(None)


request_started.connect(_forget, dispatch_uid="catalog.cache.batch")
