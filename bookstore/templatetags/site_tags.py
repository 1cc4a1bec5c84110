"""TEMPORARY alias, to delete when the catalog split merges: the site tags live in core.templatetags.site_tags.

Only ``catalog/admin.py`` still imports ``money`` from here. Without a ``register`` of its own this module is
no template library, so ``{% load site_tags %}`` finds core's alone.
"""

from core.templatetags.site_tags import money

__all__ = ["money"]
