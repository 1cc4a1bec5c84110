"""The site's URLs plus the two baseline pages, for the benchmark's gunicorn only (bench.settings)."""

from django.urls import path

from bench import views
from bookstore.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path("bench/bare", views.bare, name="bench_bare"),
    path("bench/raw-page", views.raw_page, name="bench_raw_page"),
    *site_urlpatterns,
]
