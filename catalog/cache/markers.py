"""Markers for deep catalog pages: the sort key that ends each segment of a query's results (see catalog.search)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable

from django.core.cache import cache

from catalog.cache.keys import fragments_enabled
from core import cache_batch as batch

logger = logging.getLogger(__name__)

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
    if not fragments_enabled() or batch.set_later(_marker_key(scope, segment), values, MARKER_SECONDS):
        return
    try:
        cache.set(_marker_key(scope, segment), values, MARKER_SECONDS)
    except Exception:
        logger.exception("Could not store a page marker.")
