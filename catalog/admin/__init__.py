"""Staff back office for the catalog: shelves, books, listings, photos and the report queue.

Listings change status only through the moderation actions (catalog.services.moderation),
so a hidden listing always has its reason and the status to return to. Other rows are
edited here directly, so these pages tell the catalog's page cache themselves
(CatalogRowAdmin); the services announce their own changes.

Titles, authors and report texts are searched with catalog.folding's unaccent_icontains,
so "marquez" finds "Márquez" on SQLite as on MariaDB (where it is plain icontains).
Shelf names are edited in every language side by side (catalog/translation.py).

Modules: ``common`` (the action bar with a reason, CatalogRowAdmin and small helpers), ``books`` (shelves and
books), ``listings`` (listings and photos), ``reports`` (reports and appeals) and ``imports`` (sellers' listings
files, read-only). Importing this package registers every model, as Django's admin autodiscovery expects.
"""

from catalog.admin import books, imports, listings, reports

__all__ = ["books", "imports", "listings", "reports"]
