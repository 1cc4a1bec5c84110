"""Sitemaps of what buyers may see: active listings and open shops (django.contrib.sitemaps).

Each section is split in pages of ``limit`` URLs that the index lists, so a million listings make a hundred
small pages; bookstore.urls caches every page. URLs are absolute on SITE_URL.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef
from django.urls import reverse

from accounts.models import Shop
from catalog.models import Book, Listing


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


class BookSitemap(_SiteSitemap):
    """Books with at least one copy buyers can see: their page lists all copies."""

    limit = 10_000
    changefreq = "daily"

    def items(self):
        on_sale = Listing.objects.visible().filter(book=OuterRef("pk"))
        return Book.objects.filter(Exists(on_sale)).order_by("pk").only("pk")

    def location(self, book):
        return reverse("catalog:book", args=[book.pk])

    def get_latest_lastmod(self):
        return None


class ShopSitemap(_SiteSitemap):
    limit = 10_000
    changefreq = "weekly"

    def items(self):
        return Shop.objects.filter(owner__is_active=True).order_by("pk").only("pk", "slug")

    def get_latest_lastmod(self):
        return None


SITEMAPS = {"listings": ListingSitemap, "books": BookSitemap, "shops": ShopSitemap}
