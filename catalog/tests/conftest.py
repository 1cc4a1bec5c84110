"""Fixtures shared by the catalog's tests."""

import pytest

from catalog.cache import pages


@pytest.fixture
def page_cache(settings):
    """The catalog's page cache on, as in production (it is off while DEBUG is on, as when the settings load)."""
    settings.CATALOG_CACHE_SECONDS = 60
    settings.DEBUG = False
    pages._recent_pages.entries.clear()
    yield
    pages._recent_pages.entries.clear()
