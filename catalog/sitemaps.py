"""Sitemaps of what buyers may see: active listings and open shops (django.contrib.sitemaps).

Each section is split in pages of ``limit`` URLs that the index lists, so a million listings make a hundred
small pages; bookstore.urls caches every page. URLs are absolute on SITE_URL. A book page's section can be
added beside these (items: books with a visible listing) and listed in SITEMAPS.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max

from accounts.models import Shop
from catalog.models import Listing


class _SiteSitemap(Sitemap):
    """A sitemap whose URLs are on SITE_URL, whatever host the request came through."""

    @property
    def protocol(self):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class ListingSitemap(_SiteSitemap):
    limit = 10_000
    changefreq = "daily"

    def items(self):
        # Ordered by primary key so every page is a stable slice; only what the URL and lastmod need.
        return Listing.objects.visible().order_by("pk").only("pk", "updated_at")

    def lastmod(self, listing):
        return listing.updated_at

    def get_latest_lastmod(self):
        # One aggregate, not the default's walk over every listing.
        return Listing.objects.visible().aggregate(latest=Max("updated_at"))["latest"]


class ShopSitemap(_SiteSitemap):
    limit = 10_000
    changefreq = "weekly"

    def items(self):
        return Shop.objects.filter(owner__is_active=True).order_by("pk").only("pk", "slug")

    def get_latest_lastmod(self):
        return None


SITEMAPS = {"listings": ListingSitemap, "shops": ShopSitemap}
