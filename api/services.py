"""Making, finding and revoking personal access tokens."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from api.models import PREFIX_LENGTH, TOKEN_PREFIX, ApiToken, hash_token

# last_used_at is written at most this often per token: a busy integration must not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_TOKENS_PER_USER = 50


class TokenError(Exception):
    def __init__(self, message, *, code: str):
        self.code = code
        self.message = message
        super().__init__(str(message))


def create_token(user: User, name: str, scopes: Iterable[str]) -> tuple[ApiToken, str]:
    """Make a token for ``user``; return it and its secret, which is never stored and cannot be shown again.

    Raises TokenError (``no_scope``, ``too_many``) and refuses an empty name.
    """
    name = name.strip()
    normalised = ApiToken.normalise_scopes(scopes)
    if not name:
        raise TokenError(_("Give the token a name."), code="no_name")
    if not normalised:
        raise TokenError(_("Choose at least one scope."), code="no_scope")
    with transaction.atomic():
        if ApiToken.objects.active().filter(user=user).count() >= MAX_TOKENS_PER_USER:
            raise TokenError(_("You have too many tokens: revoke one first."), code="too_many")
        raw = ApiToken.new_secret()
        token = ApiToken.objects.create(
            user=user, name=name[:100], prefix=raw[:PREFIX_LENGTH], key_hash=hash_token(raw), scopes=normalised
        )
    return token, raw


def revoke_token(token: ApiToken) -> bool:
    """Revoke ``token`` from now on; False when it already was."""
    return bool(ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()))


def find_token(raw: str) -> ApiToken | None:
    """The active token whose secret is ``raw``, with its user, or None (also for a deactivated user)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = ApiToken.objects.active().select_related("user").filter(key_hash=hash_token(raw)).first()
    if token is None or not token.user.is_active:
        return None
    return token


def mark_used(token: ApiToken) -> None:
    """Record that ``token`` was used now, unless that was already recorded less than a minute ago."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
