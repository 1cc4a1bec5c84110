"""The navigation's per-user counts (unread messages, new copies of wanted books), kept in the shared cache.

Each app says where its count is kept and how to count it again (a ``Badge``); ``read_badges`` reads every badge a
page shows in one round trip with the cache, counts only those it lacks (one query each) and keeps them in one
more. An unreachable cache costs the queries, never the page.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Badge:
    """A count shown beside a link of the navigation: kept under ``key(user_id)`` for ``seconds``, else
    ``count(user)``."""

    key: Callable[[int], str]
    count: Callable[[object], int]
    seconds: int


def read_badges(user, badges: dict[str, Badge]) -> dict[str, int]:
    """The value of each of ``badges`` (by name) for ``user``: one cache read, then a query and one cache write
    for those the cache lacks."""
    keys = {name: badge.key(user.pk) for name, badge in badges.items()}
    try:
        found = cache.get_many(list(keys.values()))
    except Exception:  # noqa: BLE001 - an unreachable cache costs a query, never the page
        found = {}
    values, counted = {}, {}
    for name, badge in badges.items():
        value = found.get(keys[name])
        if value is None:
            value = badge.count(user)
            counted.setdefault(badge.seconds, {})[keys[name]] = value
        values[name] = value
    for seconds, entries in counted.items():
        with contextlib.suppress(Exception):  # see above
            cache.set_many(entries, seconds)
    return values


def read_badge(user, badge: Badge) -> int:
    return read_badges(user, {"count": badge})["count"]
