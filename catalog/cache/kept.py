"""A value computed for one catalog version and kept for the other pages of the same query (catalog.cache.totals,
catalog.cache.rankings).

It is stored beside the version's token: after any change buyers could see, the next page computes it again. A page
reads it with the page itself (CachedPage's prefetch) and stores it with its other writes (core.cache_batch); a
caller without a page batch (the API) reads and stores it at once. Without the cache it is computed each time.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from catalog.cache.versions import CatalogVersion
from core import cache_batch as batch

logger = logging.getLogger(__name__)

Value = TypeVar("Value")


@dataclass(frozen=True)
class Kept:
    """The value under ``key`` as computed in catalog version ``token``, kept ``seconds`` at most."""

    key: str
    token: str
    seconds: float

    def get_or_compute(self, compute: Callable[[], Value]) -> Value:
        """The value kept in this version, else ``compute()``, then kept."""
        try:
            found = batch.get_many([self.key]).get(self.key)
        except Exception:  # without the cache the value is computed for this request
            logger.warning("The cache is unavailable; computing %s for this request.", self.key, exc_info=True)
            found = None
        if isinstance(found, tuple) and len(found) == 2 and found[0] == self.token:
            return found[1]
        value = compute()
        with contextlib.suppress(Exception):  # the page is answered; only the reuse of the value is lost
            batch.set_many({self.key: (self.token, value)}, self.seconds)
        return value


def kept(key: str | None, version: CatalogVersion | str | None, seconds: float) -> Kept | None:
    """Where a page rendered in ``version`` (or its token) keeps a value; None without a key or a version."""
    if not key or version is None:
        return None
    return Kept(key, version if isinstance(version, str) else version.token, seconds)


def value_of(kept_value: Kept | None, compute: Callable[[], Value]) -> Value:
    """The kept value, or ``compute()`` when nothing keeps it."""
    return compute() if kept_value is None else kept_value.get_or_compute(compute)
