"""The shop's abuse limits: declined payments, adding to the cart, reporting listings.

Counted by django-ratelimit in the shared cache (settings.RATE_LIMITS; allauth keeps its own for signing in and
up), keyed on the user and on the client address as the trusted proxies report it (``client_ip``, the same rule
allauth applies). A limited request answers 429 with the page templates/429.html and ``Retry-After``; nothing
the visitor had (cart, order) changes.

While the cache server is down the limits are not enforced: a buyer must still be able to pay during a Redis
restart. That is decided here, not left to chance: the counters live in a cache alias that reports the outage
(core/cache.py, ``fail_soft`` off), and ``usage`` logs a warning and lets the request through.

django-ratelimit's app is not installed: its system checks know only other Redis backends than ours, and
refuse the local-memory cache a developer runs with (one process, so its counts are right there).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage

from core.cache import UNAVAILABLE

logger = logging.getLogger(__name__)


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT = N the Nth entry from the right of
    X-Forwarded-For (the one our own outermost proxy wrote). Entries a client adds itself are never used.

    allauth's adapter applies exactly this rule to its own limits; every limit of the site goes through it.
    """
    return get_adapter().get_client_ip(request)


@dataclass(frozen=True)
class Usage:
    """Where one counter stands: ``count`` hits of ``limit`` in a window that ends in ``seconds_left``."""

    count: int
    limit: int
    seconds_left: int

    @property
    def exhausted(self) -> bool:
        return self.count >= self.limit


# Who a limit counts: "user", "ip", "user_or_ip", or a function(group, request) returning a string.
Key = str | Callable[[str, HttpRequest], str]


def usage(request: HttpRequest, name: str, key: Key, *, increment: bool) -> Usage | None:
    """Count a hit on limit ``name`` (settings.RATE_LIMITS) for ``key`` when ``increment``, and say where it stands.

    None when the limit is off (an empty rate) or the cache cannot be reached: then nothing is enforced, and a
    warning says so.
    """
    rate = settings.RATE_LIMITS.get(name) or None
    if rate is None:
        return None
    try:
        found = get_usage(request, group=f"bookstore.{name}", key=key, rate=rate, increment=increment)
    except UNAVAILABLE as exc:
        _not_enforced(name, str(exc))
        return None
    if found is None:  # RATELIMIT_FAIL_OPEN: the counter could be neither read nor written
        _not_enforced(name, "its counter could not be read or written")
        return None
    return Usage(count=found["count"], limit=found["limit"], seconds_left=max(1, found["time_left"]))


# During an outage every request would say the same: once per limit every WARN_EVERY_SECONDS, with a count.
WARN_EVERY_SECONDS = 30.0
_unenforced: dict[str, list] = {}  # limit name -> [time of the last warning, requests let through since]
_unenforced_lock = threading.Lock()


def _not_enforced(name: str, why: str) -> None:
    now = time.monotonic()
    with _unenforced_lock:
        last = _unenforced.setdefault(name, [-WARN_EVERY_SECONDS, 0])
        last[1] += 1
        if now - last[0] < WARN_EVERY_SECONDS:
            return
        passed, last[:] = last[1], [now, 0]
    logger.warning("Rate limit %s not enforced: the cache is unavailable (%s); %d request(s) let through.", name,
                   why, passed)  # fmt: skip


def is_limited(request: HttpRequest, name: str, key: Key) -> Usage | None:
    """Count this request against ``name`` and return its usage if it goes over the limit, else None."""
    found = usage(request, name, key, increment=True)
    return found if found is not None and found.count > found.limit else None


def too_many_requests(request: HttpRequest, message: str, usage: Usage, *, back_url: str = "") -> HttpResponse:
    """The 429 page: what was refused and when to try again, a way back, and ``Retry-After`` for clients."""
    minutes = max(1, -(-usage.seconds_left // 60))
    context = {"message": message, "minutes": minutes, "back_url": back_url}
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(usage.seconds_left)
    return response
