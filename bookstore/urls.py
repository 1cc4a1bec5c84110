"""The URL map. Public paths are documented in the README; tests rely on them."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.views.decorators.http import require_safe

from accounts.views import set_language
from bookstore import health, seo
from catalog.views.home import home

# Admin sign-in goes through allauth's login view, so it shares its rate limits.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "BookStore back office"
admin.site.site_title = "BookStore admin"


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the static file (its hashed name)."""
    return redirect(static_url("favicon.ico"))


urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("robots.txt", seo.robots_txt, name="robots"),
    path("sitemap.xml", seo.sitemap_index, name="sitemap-index"),
    path("sitemap-<slug:section>.xml", seo.sitemap_section, name="sitemap-section"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # The catalog and the home page first: most requests are theirs, and Django tries the patterns in order (the
    # catalog's paths, books/ and shops/<slug>/, overlap none of the apps' below).
    path("", include("catalog.urls")),
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("", include("api.site_urls")),
    path("api/v1/", include("api.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("sell/shipping/", include("shipping.urls")),
    path("sell/", include("catalog.sell_urls")),
    path("messages/", include("messaging.urls")),
    path("", include("orders.urls")),
    path("", include("orders.sales_urls")),
    path("claims/", include("claims.urls")),
    path("wants/", include("wants.urls")),
    path("", include("feedback.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
