from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog")

    def ready(self):
        from catalog import (
            folding,  # noqa: F401 - registers the unaccent_icontains lookup and SQLite's fold function
            receivers,  # noqa: F401 - connects the receivers
        )
