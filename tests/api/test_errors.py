"""Every error of the API is a problem (RFC 9457): one shape, the right status, never an HTML page or a 500."""

import pytest
from django.test import Client

from catalog.models import Listing

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def assert_problem(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["type"] == "about:blank"
    assert body["status"] == status
    assert body["title"] and isinstance(body["detail"], str)
    if code:
        assert body["code"] == code
    return body


def test_an_unknown_address_is_a_404_problem(client):
    assert_problem(client.get("/api/v1/no/such/thing"), 404, "not_found")
    assert_problem(client.post("/api/v1/"), 405, "method_not_allowed")


def test_the_root_says_where_the_description_is(client, db):
    assert client.get("/api/v1/").json() == {"openapi": "/api/v1/openapi.json", "docs": "/api/v1/docs/"}


def test_a_method_the_address_does_not_take_is_a_405_problem_with_allow(client):
    response = client.delete("/api/v1/carriers")
    assert_problem(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"


def test_bad_parameters_are_a_400_naming_each_field(client):
    body = assert_problem(client.get("/api/v1/catalog/books", {"limit": "many", "sort": "x"}), 400, "invalid")
    assert set(body["errors"]) == {"limit", "sort"}
    assert all(isinstance(messages, list) and messages for messages in body["errors"].values())


def test_a_body_that_does_not_validate_is_a_422_naming_each_field(api, charlie):
    response = api(charlie, "buy").post("/api/v1/cart/lines", {"listing_id": "one", "quantity": 0})
    body = assert_problem(response, 422, "invalid")
    assert {"listing_id", "quantity"} <= set(body["errors"])


def test_no_token_is_a_401_with_the_scheme_to_use(client):
    response = client.get("/api/v1/cart")
    assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_token_without_the_scope_is_a_403(api, charlie, alice_listing):
    response = api(charlie, "read").post("/api/v1/cart/lines", {"listing_id": alice_listing.pk, "quantity": 1})
    body = assert_problem(response, 403, "missing_scope")
    assert "buy" in body["detail"]


def test_the_sites_session_must_send_the_csrf_token_for_a_change(charlie, alice_listing):
    client = Client(enforce_csrf_checks=True)
    client.force_login(charlie)
    assert client.get("/api/v1/cart").status_code == 200  # reading needs no CSRF token
    response = client.post(
        "/api/v1/cart/lines", {"listing_id": alice_listing.pk, "quantity": 1}, content_type="application/json"
    )
    assert_problem(response, 403, "csrf")


def test_a_sold_out_copy_is_a_409_conflict(api, charlie, alice_listing):
    Listing.objects.filter(pk=alice_listing.pk).update(quantity=0)
    response = api(charlie, "buy").post("/api/v1/cart/lines", {"listing_id": alice_listing.pk, "quantity": 1})
    body = assert_problem(response, 409)
    assert body["code"] in {"sold_out", "not_available"}


def test_a_missing_listing_is_a_404_problem(client, db):
    assert_problem(client.get("/api/v1/listings/987654"), 404, "not_found")


def test_problems_speak_the_callers_language(client, db):
    body = assert_problem(client.get("/api/v1/catalog/books", {"limit": "0"}, headers={"Accept-Language": "es"}), 400)
    assert body["detail"] == "La solicitud tiene campos no válidos."


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/catalog/books?cursor=%00",
        "/api/v1/catalog/listings?q=%00",
        "/api/v1/catalog/books?price_min=1e400",
        "/api/v1/catalog/listings?price_max=-0.001",
        "/api/v1/listings/9223372036854775808",
        "/api/v1/books/-1",
        "/api/v1/shops/%F0%9F%93%9A",
        "/api/v1/catalog/books?cursor=eyJrIjpbbnVsbF0sInQiOiJib29rcy1uZXdlc3QifQ",
        "/api/v1/catalog/books?cursor=eyJrIjpbIm5vdCBhIGRhdGUiLCAxXSwgInQiOiAiYm9va3MtbmV3ZXN0In0",
    ],
)
def test_strange_input_is_a_4xx_not_a_500(client, db, path):
    response = client.get(path)
    assert 400 <= response.status_code < 500, response.content
    assert response["Content-Type"] == PROBLEM


def test_an_unreadable_body_is_a_400(api, alice, alice_listing):
    client = api(alice, "sell")
    response = client.post(f"/api/v1/sell/listings/{alice_listing.pk}/photos", content_type="multipart/form-data")
    assert_problem(response, 400, "unreadable")
