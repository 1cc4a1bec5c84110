"""Who is calling: a personal access token (``Authorization: Bearer bks_...``) or the site's own session.

``request.auth`` is the User either way. A token carries scopes (read, buy, sell); a session has them all, but
an unsafe method must then carry the CSRF token, as any form of the site does.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import Throttled
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from api.errors import ApiError
from api.models import ApiToken
from api.services import find_token, mark_used
from core.ratelimits import is_limited


class TokenAuth(HttpBearer):
    """A personal access token; a wrong or revoked one is a 401."""

    def authenticate(self, request: HttpRequest, token: str):
        found = find_token(token.strip())
        if found is None:
            # Guessing tokens counts against the caller's address like an anonymous call (the throttle runs only
            # after a successful authentication).
            over = is_limited(request, "api_ip", "ip")
            if over is not None:
                raise Throttled(wait=over.seconds_left)
            return None
        mark_used(found)
        request.api_token = found
        return found.user


class SiteSessionAuth(APIKeyCookie):
    """The signed-in visitor of the site. CSRF is checked only for a signed-in visitor, so an anonymous call
    answers 401, not a CSRF refusal."""

    param_name = "sessionid"

    def __init__(self):
        from django.conf import settings

        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise ApiError(403, "Forbidden", _("CSRF check failed: send the X-CSRFToken header."), code="csrf")
        return user


token_auth = TokenAuth()
session_auth = SiteSessionAuth()
# What every authenticated endpoint accepts.
AUTH = [token_auth, session_auth]


def request_token(request: HttpRequest) -> ApiToken | None:
    """The token this request was authenticated with (None for a session or an anonymous call)."""
    return getattr(request, "api_token", None)


def require_scope(request: HttpRequest, scope: str) -> None:
    """Refuse (403) a token that lacks ``scope``; a session has every scope."""
    token = request_token(request)
    if token is not None and not token.has_scope(scope):
        raise ApiError(403, "Forbidden", _("This token lacks the “%(scope)s” scope.") % {"scope": scope},
                       code="missing_scope")  # fmt: skip
