"""Changes made in other apps that buyers see in the catalog. Connected in CatalogConfig.ready()."""

from django.dispatch import receiver

from accounts.changes import seller_visibility_changed, sellers_shown_or_hidden
from catalog.book_stats import refresh_seller_books
from catalog.cache import catalog_changed


@receiver(seller_visibility_changed, dispatch_uid="catalog.forget_pages_on_seller_change")
def forget_pages_on_seller_change(sender, **kwargs):
    """A seller deactivated or back, or a shop renamed: cached pages show their listings and shop names."""
    catalog_changed()


@receiver(sellers_shown_or_hidden, dispatch_uid="catalog.book_stats_on_seller_change")
def book_stats_on_seller_change(sender, seller_ids, **kwargs):
    """Sellers' copies left or came back to the catalog: their books' figures follow, in the same transaction."""
    refresh_seller_books(seller_ids)
