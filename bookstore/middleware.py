"""A clean 503 page while the database cannot be reached, instead of a 500.

During a database restart or fail-over every query raises OperationalError or InterfaceError. Without this
the visitor gets the generic error page with status 500 and monitoring counts application bugs; with it they
get "We'll be right back" with status 503 and Retry-After, which load balancers and clients understand as
temporary. Django's persistent connections (CONN_HEALTH_CHECKS) reconnect by themselves once the database is
back, so the app recovers without a restart.

Install it right after WhiteNoise, before the session middleware: failures in a view are caught by
``process_exception``; failures in an inner middleware (loading or saving a session, allauth's session
bookkeeping) have already become a 500 response by the time they reach ``__call__``, so they are recognised
through Django's ``got_request_exception`` signal, which fires with the exception still being handled.
"""

import logging
import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
_FLAG = "_bookstore_database_unavailable"


def database_unavailable_response() -> HttpResponse:
    """The 503 page. Rendered without context processors: nothing here may touch the database."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _remember_database_failure(sender, request=None, **kwargs) -> None:
    if request is not None and isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        setattr(request, _FLAG, True)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(_remember_database_failure, dispatch_uid="bookstore.database_unavailable")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code >= 500 and getattr(request, _FLAG, False):
            return database_unavailable_response()
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_UNAVAILABLE):
            logger.warning("Database unavailable for %s %s: %s", request.method, request.path, exception)
            return database_unavailable_response()
        return None
