"""What every catalog cache entry's key holds, and whether each layer of the cache is on."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.utils.translation import get_language


def _templates_digest() -> str:
    """A digest of every project template and of the settings that change rendered money and links.

    Part of every key, so a deployment that changes a template or these settings never serves HTML rendered
    by the old one.
    """
    digest = hashlib.sha1(usedforsecurity=False)
    for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        digest.update(path.as_posix().encode())
        digest.update(path.read_bytes())
    digest.update(f"{settings.CURRENCY}|{settings.MEDIA_URL}|{settings.STATIC_URL}".encode())
    return digest.hexdigest()[:12]


TEMPLATES_DIGEST = _templates_digest()


def pages_enabled() -> bool:
    """Whether whole pages and page content are cached (layers 1 and 2)."""
    return settings.CATALOG_CACHE_SECONDS > 0


def fragments_enabled() -> bool:
    """Whether cards, forms and deep-page markers are cached: they need no invalidation, so always but in DEBUG
    (where a template being edited would keep showing its cached cards)."""
    return not settings.DEBUG


def _key(kind: str, *parts: object) -> str:
    raw = "|".join(str(part) for part in (TEMPLATES_DIGEST, get_language(), *parts))
    return f"catalog:{kind}:{hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()}"
