"""Which sellers' listings buyers may not see: the HiddenSeller table, kept in step with the users and shops.

A seller is hidden while deactivated (``User.is_active`` false) or while their shop is away on vacation
(``Shop.away_until`` set). ``refresh_hidden_sellers`` writes what the users and shops say now for some ids, in the
caller's transaction; ``check_hidden_sellers`` does it for everyone (a periodic task, every five minutes: as long as
a cached catalog page lives), so a change made around the services and saves (a raw update in a shell) is followed
within minutes; it says how many rows it corrected.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from accounts.models import HiddenSeller, User

_HIDDEN = Q(is_active=False) | Q(shop__away_until__isnull=False)


def refresh_hidden_sellers(user_ids: Iterable[int]) -> None:
    """Make the table say, for these users, what their account and shop say now (two or three queries)."""
    ids = set(user_ids)
    if not ids:
        return
    hidden = set(User.objects.filter(_HIDDEN, pk__in=ids).values_list("pk", flat=True))
    _write(hidden, shown=ids - hidden)


def check_hidden_sellers() -> int:
    """Compare the whole table with the users and shops and correct it; returns how many rows changed."""
    hidden = set(User.objects.filter(_HIDDEN).values_list("pk", flat=True))
    listed = set(HiddenSeller.objects.values_list("user_id", flat=True))
    _write(hidden - listed, shown=listed - hidden)
    return len(hidden ^ listed)


def _write(hidden: set[int], shown: set[int]) -> None:
    if shown:
        HiddenSeller.objects.filter(user_id__in=shown).delete()
    if hidden:
        HiddenSeller.objects.bulk_create([HiddenSeller(user_id=pk) for pk in sorted(hidden)], ignore_conflicts=True)
