"""Changes made in other apps that buyers see in the catalog. Connected in CatalogConfig.ready()."""

from django.dispatch import receiver

from accounts.changes import seller_visibility_changed
from catalog.cache import catalog_changed


@receiver(seller_visibility_changed, dispatch_uid="catalog.forget_pages_on_seller_change")
def forget_pages_on_seller_change(sender, **kwargs):
    """A seller deactivated or back, or a shop renamed: cached pages show their listings and shop names."""
    catalog_changed()
