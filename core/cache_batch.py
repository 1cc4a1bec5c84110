"""One request's cache traffic in two round trips: what a page may need, read with the page; everything it stores,
written together once it is rendered.

A page the cache lacks (catalog.cache.pages.CachedPage) opens a batch with the values read alongside the page (the
category list, for instance). Until the page is answered, readers of those keys take them from the batch, and writes
of the catalog cache (the page, the category list, deep-page markers, the release of the rendering claim)
wait in it; the page's answer sends them in one round trip (``flush``). A page outside the page cache (a listing's
page) opens one with ``reading``. Each request starts without a batch.

Any app reads and writes through it with ``get_many`` and ``set_many``, which go to the cache itself when no batch
is open (or the batch did not read a key): the shipping quotes of a listing page come with its parts this way.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
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


_current: ContextVar[Batch | None] = ContextVar("cache_batch", default=None)


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


def get_many(keys: list[str]) -> dict:
    """The values of ``keys`` the cache holds: those the batch read from it, the others read now (one round trip,
    none when the batch read them all)."""
    found, unread = {}, []
    for key in keys:
        was_read, value = lookup(key)
        if not was_read:
            unread.append(key)
        elif value is not None:
            found[key] = value
    if unread:
        found.update(cache.get_many(unread))
    return found


def set_many(data: dict, timeout: float | None) -> None:
    """Store ``data``: with the batch's flush when one is open, else now (one round trip)."""
    if not all(set_later(key, value, timeout) for key, value in data.items()):
        cache.set_many(data, timeout)


@contextmanager
def reading(keys: list[str]) -> Iterator[None]:
    """A batch for the block: ``keys`` read first in one round trip, what the block stores written after it in
    one more. For a page outside the page cache that knows what it will read."""
    try:
        begin(cache.get_many(keys) if keys else {}, keys)
    except Exception:  # the block's readers ask the cache themselves, and handle its failure as they do
        logger.exception("The cache is unavailable; the page reads its parts one by one.")
        begin({}, [])
    try:
        yield
    finally:
        flush()


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
        logger.exception("Could not store the page's entries in the cache.")


def _forget(**kwargs) -> None:
    # A request that failed before its page was answered leaves its batch to the thread's next request.
    _current.set(None)


request_started.connect(_forget, dispatch_uid="core.cache_batch")
