"""The site's URLs plus two that fail the way a vanished database does, for the 503 page's own tests."""

from django.db import InterfaceError, OperationalError
from django.urls import path

from bookstore.urls import urlpatterns as site_urlpatterns


def database_gone(request):
    raise OperationalError(2013, "Lost connection to server during query")


def connection_closed(request):
    raise InterfaceError(0, "connection already closed")


def bug(request):
    raise ValueError("a plain bug, not the database")


urlpatterns = [
    path("fault/bug/", bug),
    path("fault/database-gone/", database_gone),
    path("fault/connection-closed/", connection_closed),
    *site_urlpatterns,
]
