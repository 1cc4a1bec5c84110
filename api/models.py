"""Personal access tokens for the JSON API.

A token is shown once, when it is made; only its SHA-256 is kept (the secret is 256 random bits, so a fast hash is
enough: nobody can guess their way to a preimage). The first characters are kept in clear as ``prefix`` so a person
can tell their tokens apart in a list.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "bks_"  # noqa: S105  # nosec B105 - the visible start of every token, not a secret
PREFIX_LENGTH = 12  # "bks_" and the first 8 characters of the secret


class Scope(models.TextChoices):
    READ = "read", _("Read")
    BUY = "buy", _("Buy")
    SELL = "sell", _("Sell")


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    # A space-separated subset of Scope's values, in Scope's order.
    scopes = models.CharField(_("scopes"), max_length=32)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    def has_scope(self, scope: str) -> bool:
        return scope in self.scope_list

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @staticmethod
    def new_secret() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)

    @staticmethod
    def normalise_scopes(scopes) -> str:
        wanted = set(scopes)
        return " ".join(value for value in Scope.values if value in wanted)
