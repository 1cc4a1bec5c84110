"""The navigation's count of new matches: cached per user, one query on a miss."""

import contextlib

from django.core.cache import cache
from django.db import transaction

from core.badges import Badge, read_badge
from wants.models import Match

BADGE_CACHE_SECONDS = 3600


def _key(user_id: int) -> str:
    return f"wants:new-matches:{user_id}"


def _count_new(user) -> int:
    return Match.objects.filter(user_id=user.pk, seen_at__isnull=True).count()


# The navigation's count of new matches (core.badges): read with the other badges of a page.
NEW_MATCHES_BADGE = Badge(key=_key, count=_count_new, seconds=BADGE_CACHE_SECONDS)


def new_match_count(user) -> int:
    """Matches ``user`` has not seen on /wants/ yet."""
    return read_badge(user, NEW_MATCHES_BADGE)


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
