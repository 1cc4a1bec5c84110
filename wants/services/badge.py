"""The navigation's count of new matches: cached per user, one query on a miss."""

import contextlib

from django.core.cache import cache
from django.db import transaction

from wants.models import Match

BADGE_CACHE_SECONDS = 3600


def _key(user_id: int) -> str:
    return f"wants:new-matches:{user_id}"


def new_match_count(user) -> int:
    """Matches ``user`` has not seen on /wants/ yet."""
    try:
        cached = cache.get(_key(user.pk))
    except Exception:  # noqa: BLE001 - an unreachable cache costs a query, never the page
        cached = None
    if cached is not None:
        return cached
    count = Match.objects.filter(user_id=user.pk, seen_at__isnull=True).count()
    with contextlib.suppress(Exception):
        cache.set(_key(user.pk), count, BADGE_CACHE_SECONDS)
    return count


def forget_counts(user_ids) -> None:
    """Drop the cached counts now and once the caller's transaction commits."""
    keys = [_key(pk) for pk in set(user_ids)]
    if not keys:
        return

    def forget() -> None:
        with contextlib.suppress(Exception):
            cache.delete_many(keys)

    forget()
    transaction.on_commit(forget)
