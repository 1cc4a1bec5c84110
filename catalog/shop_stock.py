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
import threading
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


# The shops waiting for their transaction to commit, per thread (one database connection each). Every call registers
# its own on-commit callback, so no change can lose its renewal to a savepoint rolled back; the first callback to run
# renews every shop waiting, in one round trip, and the others find nothing left. A shop named in a transaction that
# rolled back is renewed with the thread's next commit: one needless count, never a stale figure.
_waiting = threading.local()


def shop_stock_changed(seller_ids: Iterable[int | None]) -> None:
    """Make the stored figures of these sellers' shops stale once the current transaction commits (at once outside
    one). Never raises because of the cache."""
    ids = {seller_id for seller_id in seller_ids if seller_id is not None}
    if ids:
        if not hasattr(_waiting, "ids"):
            _waiting.ids = set()
        _waiting.ids |= ids
        transaction.on_commit(_new_versions)


def _new_versions() -> None:
    ids, _waiting.ids = getattr(_waiting, "ids", set()), set()
    if not ids:
        return
    try:
        cache.set_many({_version_key(seller_id): secrets.token_hex(8) for seller_id in ids}, None)
    except Exception:  # the change is committed; the figures then count again within FIGURES_SECONDS
        logger.exception("Could not renew the stock figures of shops %s.", sorted(ids))


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
