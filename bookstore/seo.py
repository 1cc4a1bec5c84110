"""robots.txt and the cached sitemap views (the sections are in catalog.sitemaps)."""

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_safe

from catalog.sitemaps import SITEMAPS

# What is not a page: form targets, fragments, files, one-time links and the admin. Pages themselves stay
# crawlable: the sign-in wall keeps private ones (cart, orders, seller pages) out of any index, while a page
# blocked here would be reported uncrawlable (Lighthouse's is-crawlable) and its links and canonical unseen.
DISALLOWED = (
    "/admin/",
    "/i18n/",
    "/books/suggest/",
    "/cart/add/",
    "/cart/lines/",
    "/cart/accept-prices/",
    "/checkout/summary/",
    "/sell/isbn/",
    "/sell/export/",
    "/sell/import/files/",
    "/sell/sales/export/",
    "/wants/unsubscribe/",
    "/accounts/confirm-email/",
    "/accounts/password/reset/key/",
)
SITEMAP_SECONDS = 3600


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED)]
    lines += ["", f"Sitemap: {settings.SITE_URL}{reverse('sitemap-index')}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_safe
@cache_page(SITEMAP_SECONDS)
def sitemap_index(request: HttpRequest) -> HttpResponse:
    return sitemap_views.index(request, SITEMAPS, sitemap_url_name="sitemap-section")


@require_safe
@cache_page(SITEMAP_SECONDS)
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    return sitemap_views.sitemap(request, SITEMAPS, section=section)
