"""Read/write split: catalog pages read from the "replica" database when one is configured.

REPLICA_DATABASE_URL adds a "replica" alias (bookstore/conf/database.py). Reads of catalog models then go to it,
but only while a request allows it (ReadReplicaMiddleware decides, per request, and keeps the decision in a
context variable). Everything else reads and writes the primary:

- writes, always; and once a request has written, its later reads too (it must see what it just wrote);
- reads inside a transaction on the primary (services lock and check stock there: checkout never trusts a copy);
- unsafe methods (POST, ...) and the pages where a user manages their own data (cart, checkout, orders, the
  seller's inventory, accounts, admin);
- for REPLICA_PIN_SECONDS after a user's write: a cookie pins their reads to the primary, so they see their
  change even when the replica lags behind;
- management commands and anything else outside a request.
"""

import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PIN_COOKIE = "bookstore_primary"
REPLICA_APPS = frozenset({"catalog"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Where users look at what they just changed, or take stock: always the primary.
PRIMARY_PATHS = ("/cart/", "/checkout/", "/orders/", "/sell/", "/accounts/", "/admin/")


@dataclass
class ReadPolicy:
    """One request's choice: may catalog reads use the replica, and did the request write."""

    use_replica: bool
    wrote: bool = False


_policy: ContextVar[ReadPolicy | None] = ContextVar("bookstore_read_policy", default=None)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class PrimaryReplicaRouter:
    """Catalog reads to the replica when the current request allows it; everything else to the primary."""

    def db_for_read(self, model, **hints) -> str:
        policy = _policy.get()
        if (
            policy is not None
            and policy.use_replica
            and model._meta.app_label in REPLICA_APPS
            and replica_configured()
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        policy = _policy.get()
        if policy is not None:
            policy.wrote = True
            policy.use_replica = False
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # The replica is a copy of the primary: rows from either may be related.
        pool = {DEFAULT_DB_ALIAS, REPLICA}
        if obj1._state.db in pool and obj2._state.db in pool:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        # The replica gets its schema from the primary by replication.
        return False if db == REPLICA else None


def _pinned_by_cookie(request: HttpRequest) -> bool:
    try:
        return int(request.COOKIES.get(PIN_COOKIE, "0")) > time.time()
    except ValueError:
        return False


def _may_read_replica(request: HttpRequest) -> bool:
    return (
        request.method in SAFE_METHODS
        and not request.path.startswith(PRIMARY_PATHS)
        and not _pinned_by_cookie(request)
    )


class ReadReplicaMiddleware:
    """Decide per request whether catalog reads may use the replica; pin a user who wrote to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        policy = ReadPolicy(use_replica=_may_read_replica(request))
        token = _policy.set(policy)
        try:
            response = self.get_response(request)
        finally:
            _policy.reset(token)
        if policy.wrote or request.method not in SAFE_METHODS:
            seconds = settings.REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                str(int(time.time()) + seconds),
                max_age=seconds,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
