"""The site's URLs plus two that fail the way a vanished database does, for the 503 page's own tests."""

from django.db import InterfaceError, OperationalError
from django.template import engines
from django.template.response import TemplateResponse
from django.urls import path

from bookstore.urls import urlpatterns as site_urlpatterns


def database_gone(request):
    raise OperationalError(2013, "Lost connection to server during query")


def connection_closed(request):
    raise InterfaceError(0, "connection already closed")


class _QueryThatLosesTheConnection:
    """Evaluated only while the template renders, as a lazy queryset is."""

    def __iter__(self):
        raise OperationalError(2013, "Lost connection to server during query")


def database_gone_while_rendering(request):
    # A TemplateResponse renders after the view has returned, when Django's handler renders it.
    template = engines["django"].from_string("{% for row in rows %}{{ row }}{% endfor %}")
    return TemplateResponse(request, template, {"rows": _QueryThatLosesTheConnection()})


def bug(request):
    raise ValueError("a plain bug, not the database")


urlpatterns = [
    path("fault/bug/", bug),
    path("fault/database-gone/", database_gone),
    path("fault/connection-closed/", connection_closed),
    path("fault/database-gone-while-rendering/", database_gone_while_rendering),
    *site_urlpatterns,
]
