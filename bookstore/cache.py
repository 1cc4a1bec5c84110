"""TEMPORARY alias, to delete when the catalog split merges: the cache backend lives in core.cache.

Only ``catalog/cache.py`` still imports ``UNAVAILABLE`` from here.
"""

from core.cache import UNAVAILABLE

__all__ = ["UNAVAILABLE"]
