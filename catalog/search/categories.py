"""The catalog's categories as the filter and the front page show them, shared through the cache."""

import contextlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

from catalog.models import Category
from core import cache_batch as batch

logger = logging.getLogger(__name__)

# One list per language: a shelf's name is translated (catalog/translation.py), and a Spanish visitor must never
# get the English list a visitor before them cached, nor the other way round.
CATEGORY_CACHE_KEY = "catalog:categories:v2:{language}"
# Staff rarely edit shelves; a few minutes of staleness spares every page a query.
CATEGORY_CACHE_SECONDS = 300


@dataclass(frozen=True)
class CategoryEntry:
    id: int
    slug: str
    name: str


def _category_cache_key(language: str | None) -> str:
    return CATEGORY_CACHE_KEY.format(language=language or settings.LANGUAGE_CODE)


def categories_cache_key() -> str:
    """The key of the active language's list, for a page to read with itself (core.cache_batch)."""
    return _category_cache_key(get_language())


def cached_categories() -> list[CategoryEntry]:
    """All categories in shelf order, named in the active language, from the shared cache (one query when cold).

    A page being rendered has read the list with itself (CachedPage's prefetch): then no round trip.
    """
    key = _category_cache_key(get_language())
    was_read, entries = batch.lookup(key)
    if not was_read:
        try:
            entries = cache.get(key)
        except Exception:  # the catalog keeps working while the cache server is down
            logger.exception("The cache is unavailable; reading the categories from the database.")
            entries = None
    if entries is None:
        # Category's manager reads "name" in the active language, falling back to English (modeltranslation).
        entries = [
            CategoryEntry(id=pk, slug=slug, name=name)
            for pk, slug, name in Category.objects.order_by("position", "name").values_list("id", "slug", "name")
        ]
        if batch.set_later(key, entries, CATEGORY_CACHE_SECONDS):
            batch.remember(key, entries)  # the second reader of this request (the form) finds it
        else:
            with contextlib.suppress(Exception):
                cache.set(key, entries, CATEGORY_CACHE_SECONDS)
    return entries


def forget_cached_categories() -> None:
    """Drop the cached category lists of every language, e.g. after staff edit categories."""
    cache.delete_many([_category_cache_key(code) for code, _name in settings.LANGUAGES])
