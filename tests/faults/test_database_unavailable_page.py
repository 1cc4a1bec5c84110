"""The "We'll be right back" page: what a request gets when the database cannot be reached.

The full story (a real database stopped under load) is test_database_restart.py; these pin down both ways a
database error can reach the middleware (raised by a view, or by an inner middleware such as the session
store saving after the view) and show that without the middleware the visitor would get a 500.
"""

import pytest
from django.db import OperationalError
from django.test import Client

MIDDLEWARE = "bookstore.middleware.DatabaseUnavailableMiddleware"


class SessionSaveFails:
    """Fails after the view, the way SessionMiddleware does when it saves to a database that just went away."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path == "/books/":
            raise OperationalError(2006, "MySQL server has gone away")
        return response


@pytest.fixture
def with_middleware(settings):
    def configure(installed: bool, inner_failure: bool = False):
        stack = [name for name in settings.MIDDLEWARE if name != MIDDLEWARE]
        if installed:
            stack.insert(stack.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1, MIDDLEWARE)
        if inner_failure:
            stack.insert(
                stack.index("django.contrib.sessions.middleware.SessionMiddleware") + 1, f"{__name__}.SessionSaveFails"
            )
        settings.MIDDLEWARE = stack
        settings.ROOT_URLCONF = "tests.faults.urls"
        return Client(raise_request_exception=False)

    return configure


@pytest.mark.parametrize(
    "path", ["/fault/database-gone/", "/fault/connection-closed/", "/fault/database-gone-while-rendering/"]
)
def test_a_database_error_in_a_view_answers_503(with_middleware, path):
    response = with_middleware(installed=True).get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "be right back" in html and "Traceback" not in html
    assert response["X-Content-Type-Options"] == "nosniff"  # still passes through the security middleware


@pytest.mark.django_db
def test_a_database_error_in_an_inner_middleware_answers_503(with_middleware):
    response = with_middleware(installed=True, inner_failure=True).get("/books/")
    assert response.status_code == 503
    assert "be right back" in response.content.decode()


@pytest.mark.django_db
def test_other_errors_stay_500s_and_good_pages_are_untouched(with_middleware):
    client = with_middleware(installed=True)
    assert client.get("/fault/bug/").status_code == 500
    assert client.get("/books/").status_code == 200
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("inner_failure", [False, True])
@pytest.mark.django_db
def test_without_the_middleware_the_visitor_gets_a_500(with_middleware, inner_failure):
    client = with_middleware(installed=False, inner_failure=inner_failure)
    response = client.get("/books/" if inner_failure else "/fault/database-gone/")
    assert response.status_code == 500
