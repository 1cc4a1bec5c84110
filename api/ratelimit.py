"""The API's rate limits: per token (``api_token``) for a token's calls, per signed-in user (``api_user``) for the
site's own session, per client address (``api_ip``, as the trusted proxies report it) for anonymous calls.

Counted by core.ratelimits in the shared cache, so every web container sees the same counts; while the cache is
down nothing is enforced (core.ratelimits logs it). Over the limit a call answers 429 with ``Retry-After``.
"""

from __future__ import annotations

import threading

from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from core.ratelimits import usage


class ApiThrottle(BaseThrottle):
    """One throttle for the whole API; it runs after authentication, so it knows the token."""

    def __init__(self):
        # ninja asks wait() without the request: remember this thread's last refusal.
        self._local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        token = getattr(request, "api_token", None)
        user = getattr(request, "auth", None)
        if token is not None:
            found = usage(request, "api_token", lambda group, req: f"token:{token.pk}", increment=True)
        elif user is not None and getattr(user, "is_authenticated", False):
            found = usage(request, "api_user", lambda group, req: f"user:{user.pk}", increment=True)
        else:
            found = usage(request, "api_ip", "ip", increment=True)
        self._local.wait = found.seconds_left if found is not None else None
        return found is None or found.count <= found.limit

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)
