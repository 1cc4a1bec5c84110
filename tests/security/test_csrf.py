"""CSRF: every state-changing request needs the form's token; and a GET never changes anything.

Each case is sent three times by a client that enforces CSRF checks, as a signed-in owner would: without a
token and with a forged one (403, nothing changes), then with the real token (it does change something,
which shows the case is a real state-changing request and not a no-op that proves nothing).
"""

import pytest
from django.conf import settings
from django.test import Client

from catalog.models import Report
from conftest import PASSWORD, make_upload
from tests.security.conftest import ADMIN_ROUTES, ROUTES, Route, database_state

# Requests that change nothing even with a token in this scene (the order is already paid).
NO_CHANGE_EVEN_WITH_TOKEN = {"pay"}

EXTRA_ROUTES = [
    Route("add to cart", "POST", "charlie", lambda s: f"/cart/add/{s.bob_listing.pk}/", lambda s: {"quantity": "1"}),
    Route(
        "add to cart, anonymous",
        "POST",
        "anonymous",
        lambda s: f"/cart/add/{s.bob_listing.pk}/",
        lambda s: {"quantity": "1"},
    ),
    Route(
        "report a listing",
        "POST",
        "charlie",
        lambda s: f"/books/{s.active.pk}/report/",
        lambda s: {"reason": Report.Reason.values[0], "text": "Looks fake"},
    ),
    Route(
        "save an address at checkout",
        "POST",
        "charlie",
        lambda s: "/checkout/",
        lambda s: {
            "action": "address",
            "full_name": "Charlie Buyer",
            "line1": "Carrera 1",
            "city": "Bogotá",
            "postal_code": "110111",
            "country": "CO",
            "phone": "+57 300 000 0001",
        },
    ),
    Route(
        "open a shop",
        "POST",
        "dave",
        lambda s: "/sell/shop/",
        lambda s: {"name": "Dave's Books", "city": "Sevilla", "country": "ES"},
    ),
    Route("edit the profile", "POST", "charlie", lambda s: "/accounts/profile/", lambda s: {"first_name": "Mallory"}),
    Route(
        "publish a new listing",
        "POST",
        "alice",
        lambda s: "/sell/listings/new/",
        lambda s: {
            "title": "Planted",
            "authors": "Mallory",
            "language": "en",
            "binding": "paperback",
            "category": s.active.book.category_id,
            "condition": "good",
            "price": "5.00",
            "quantity": "1",
            "action": "publish",
            "photos": make_upload(),
        },
    ),
    *[route for route in ROUTES if route.method == "POST"],
    *[route for route in ADMIN_ROUTES if route.method == "POST"],
]


def client_for(scene, who: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    if who != "anonymous":
        client.force_login(getattr(scene, who))
    client.get("/")  # the page's forms set the CSRF cookie, as a browser would receive it
    return client


@pytest.mark.parametrize("route", EXTRA_ROUTES, ids=lambda r: r.name)
def test_state_changing_requests_need_the_csrf_token(scene, route):
    client = client_for(scene, route.owner)
    before = database_state()

    missing = client.post(route.url(scene), route.body(scene))
    assert missing.status_code == 403
    assert b"CSRF" in missing.content
    forged = client.post(route.url(scene), {**route.body(scene), "csrfmiddlewaretoken": "x" * 64})
    assert forged.status_code == 403
    assert database_state() == before

    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    genuine = client.post(route.url(scene), {**route.body(scene), "csrfmiddlewaretoken": token})
    assert genuine.status_code in (200, 302), genuine.status_code
    if route.name not in NO_CHANGE_EVEN_WITH_TOKEN:
        assert database_state() != before, f"{route.name}: the genuine request changed nothing"


def test_a_cross_site_login_is_refused(scene):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": scene.charlie.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_cross_site_signup_is_refused(scene):
    client = Client(enforce_csrf_checks=True)
    data = {"email": "planted@example.com", "password1": "a-long-passphrase-42", "password2": "a-long-passphrase-42"}
    assert client.post("/accounts/signup/", data).status_code == 403
    assert not type(scene.charlie).objects.filter(email="planted@example.com").exists()


def test_a_cross_site_logout_or_password_change_is_refused(scene):
    client = client_for(scene, "charlie")
    assert client.post("/accounts/logout/").status_code == 403
    change = {"oldpassword": PASSWORD, "password1": "hijacked-passphrase-9", "password2": "hijacked-passphrase-9"}
    assert client.post("/accounts/password/change/", change).status_code == 403
    assert client.get("/orders/").status_code == 200  # still signed in
    scene.charlie.refresh_from_db()
    assert scene.charlie.check_password(PASSWORD)


def test_a_cross_site_language_switch_is_refused(scene):
    client = client_for(scene, "anonymous")
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    assert response.status_code == 403
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


# --- GET never changes anything -------------------------------------------------


@pytest.mark.parametrize("route", [r for r in EXTRA_ROUTES if r.name != "open a shop"], ids=lambda r: r.name)
def test_get_on_a_state_changing_url_changes_nothing(scene, route):
    """POST-only URLs answer 405 to GET; form pages only show the form; query strings are never acted on."""
    client = client_for(scene, route.owner)
    before = database_state()
    body = {key: value for key, value in route.body(scene).items() if key != "photos"}
    response = client.get(route.url(scene), body)
    assert response.status_code in (200, 302, 405), response.status_code
    assert database_state() == before


def test_logout_by_get_only_asks_for_confirmation(scene):
    client = client_for(scene, "charlie")
    response = client.get("/accounts/logout/")
    assert response.status_code == 200
    assert client.get("/orders/").status_code == 200
