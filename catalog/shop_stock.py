"""Each shop's stock figures (listings per status, copies, active listings with none left) kept in the cache between
changes, so the inventory page of a shop with 20,000 listings does not count them all on every visit.

Every write of listings names its sellers to ``shop_stock_changed``: ``Listing.save()`` and ``delete()``, and the
listing queryset's ``update()``, ``bulk_create()``, ``bulk_update()`` and ``delete()`` (catalog.models), whatever
service, admin action or job calls them. Once the transaction commits, each of those shops gets a new *version*, a
random token in the cache.

A reader takes the version and the stored figures in one round trip and uses the figures only when they were stored
under that version. Otherwise it counts (one query, ``count``) and stores the result under the version it read
*before* counting: a change committed meanwhile has replaced that version already, so the next visit counts again.
The database reads committed data (READ COMMITTED, Django's default on MySQL), so a count made after the version was
read includes every change that version stands for.

With the cache unreachable nothing is stored and every visit counts; a version that could not be replaced during an
outage is deleted once the cache answers again (core.cache), and a shop without a version gets a new one. This
module imports no model, so catalog.models can call it.
"""

from __future__ import annotations

import logging
import secrets
import weakref
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

# A bound on figures nobody changed: a write made around the queryset (raw SQL in a shell) shows within this time.
FIGURES_SECONDS = 3600

# The listing columns the figures depend on: a write of anything else (a price, a title) keeps them.
COUNTED_FIELDS = frozenset({"status", "quantity", "seller", "seller_id"})


def _version_key(seller_id: int) -> str:
    return f"shop-stock:version:{seller_id}"


def _figures_key(seller_id: int) -> str:
    return f"shop-stock:figures:{seller_id}"


def counted_fields_in(fields: Iterable[str] | None) -> bool:
    """Whether a write of ``fields`` (None: every field) may change a shop's figures."""
    return fields is None or not COUNTED_FIELDS.isdisjoint(fields)


class _Waiting:
    """The shops one transaction changed so far, renewed together when it commits (one round trip however many
    listings it wrote: a checkout of ten lines, an import batch)."""

    def __init__(self):
        self.ids: set[int] = set()
        self.done = False

    def renew_versions(self) -> None:
        self.done = True
        _new_versions(self.ids)


# Per database connection, the _Waiting whose renew_versions was last registered with the open transaction. A
# transaction (or savepoint) that rolls back drops that callback, so a later change starts a new one: no rolled-back
# change renews anything, and none is left waiting for another transaction.
_waiting: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def shop_stock_changed(seller_ids: Iterable[int | None]) -> None:
    """Make the stored figures of these sellers' shops stale once the current transaction commits (at once outside
    one; never if it rolls back). Never raises because of the cache."""
    ids = {seller_id for seller_id in seller_ids if seller_id is not None}
    if not ids:
        return
    connection = transaction.get_connection()
    waiting = _waiting.get(connection)
    if waiting is None or waiting.done or not _registered(connection, waiting):
        waiting = _waiting[connection] = _Waiting()
        waiting.ids |= ids
        transaction.on_commit(waiting.renew_versions)
    else:
        waiting.ids |= ids


def _registered(connection, waiting: _Waiting) -> bool:
    """Whether ``waiting`` is registered at the current level: in the same savepoints (a change inside a savepoint
    joins only a callback that goes if that savepoint rolls back)."""
    current = set(connection.savepoint_ids)
    return any(
        callback == waiting.renew_versions and savepoints == current
        for savepoints, callback, _robust in connection.run_on_commit
    )


def _new_versions(seller_ids: set[int]) -> None:
    if not seller_ids:
        return
    try:
        cache.set_many({_version_key(seller_id): secrets.token_hex(8) for seller_id in seller_ids}, None)
    except Exception:  # the change is committed; the figures then count again within FIGURES_SECONDS
        logger.exception("Could not renew the stock figures of shops %s.", sorted(seller_ids))


def shop_stock_figures(seller_id: int, count: Callable[[], dict]) -> dict:
    """The shop's figures: stored ones when still current, else ``count()``, stored for the next visit."""
    version_key, figures_key = _version_key(seller_id), _figures_key(seller_id)
    found = cache.get_many([version_key, figures_key])
    version, stored = found.get(version_key), found.get(figures_key)
    if version is not None and stored is not None and stored[0] == version:
        return dict(stored[1])
    if version is None:
        # No version yet (a first visit, or one lost): start one; what is counted now is stored from the next visit.
        cache.add(version_key, secrets.token_hex(8), None)
        return count()
    figures = count()
    cache.set(figures_key, (version, figures), FIGURES_SECONDS)
    return dict(figures)
