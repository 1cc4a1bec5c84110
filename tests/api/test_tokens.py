"""Personal access tokens: made and revoked on the profile, shown once, stored hashed, scoped, rate limited."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import ApiToken
from api.services import create_token, find_token, mark_used

pytestmark = pytest.mark.django_db

TOKENS = "/accounts/tokens/"
ME = "/api/v1/cart"  # an endpoint that needs a caller; any scope may read it


def test_the_token_page_needs_a_signed_in_person(client):
    response = client.get(TOKENS)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_making_a_token_shows_it_once_and_keeps_only_its_hash(client_for, charlie, django_assert_max_num_queries):
    client = client_for(charlie)
    response = client.post(TOKENS, {"name": "  Price   checker ", "scopes": ["read", "buy"]})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=charlie)
    secret = response.context["secret"]
    assert secret.startswith("bks_") and len(secret) > 40
    assert secret in response.content.decode()
    assert (token.name, token.scopes, token.prefix) == ("Price checker", "read buy", secret[:12])
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    with django_assert_max_num_queries(6):
        again = client.get(TOKENS)
    assert secret not in again.content.decode()
    assert token.prefix in again.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "scopes": ["read"]}, "name"),
        ({"name": "x", "scopes": []}, "scopes"),
        ({"name": "x", "scopes": ["admin"]}, "scopes"),
        ({"name": "x" * 101, "scopes": ["read"]}, "name"),
    ],
)
def test_a_bad_token_form_is_a_400_with_the_field_error(client_for, charlie, data, field):
    response = client_for(charlie).post(TOKENS, data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_the_page_in_spanish(client_for, charlie):
    client = client_for(charlie)
    response = client.get(TOKENS, headers={"Accept-Language": "es"})
    assert "Tokens de la API" in response.content.decode()


def test_revoking_a_token_stops_it_at_once(client_for, api, charlie, token_for):
    secret = token_for(charlie, "read")
    auth = {"Authorization": f"Bearer {secret}"}
    client = client_for(charlie)
    assert client.get(ME, headers=auth).status_code == 200
    token = ApiToken.objects.get(user=charlie)
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    client.logout()
    refused = client.get(ME, headers=auth)
    assert refused.status_code == 401
    assert refused["Content-Type"] == "application/problem+json"
    assert refused["WWW-Authenticate"].startswith("Bearer")


def test_someone_elses_token_cannot_be_revoked(client_for, charlie, bob):
    token, _secret = create_token(bob, "bob's", ["read"])
    response = client_for(charlie).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoke_answers_only_post(client_for, charlie):
    token, _secret = create_token(charlie, "mine", ["read"])
    assert client_for(charlie).get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 405


def test_staff_revoke_tokens_in_the_admin(client_for, staff, charlie):
    token, _secret = create_token(charlie, "charlie's", ["read"])
    client = client_for(staff)
    assert client.get("/admin/api/apitoken/").status_code == 200
    response = client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True)
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.parametrize(
    "header", ["Bearer bks_wrong", "Bearer ", "Token abc", "Bearer " + "x" * 500, "Basic Y2hhcmxpZTpwdw=="]
)
def test_a_wrong_token_is_a_401(client, db, header):
    response = client.get(ME, headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["status"] == 401


def test_a_deactivated_person_s_token_no_longer_works(api, charlie):
    client = api(charlie, "read")
    charlie.is_active = False
    charlie.save()
    assert client.get(ME).status_code == 401


def test_a_token_without_the_scope_is_a_403(api, charlie, alice_listing):
    response = api(charlie, "read").post("/api/v1/cart/lines", {"listing_id": alice_listing.pk, "quantity": 1})
    assert response.status_code == 403
    assert response.json()["code"] == "missing_scope"


def test_last_used_is_written_at_most_once_a_minute(api, charlie, django_assert_max_num_queries):
    client = api(charlie, "read")
    client.get(ME)
    token = ApiToken.objects.get(user=charlie)
    first = token.last_used_at
    assert first is not None
    client.get(ME)
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get(ME)
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(minutes=1)


def test_find_token_and_mark_used(charlie):
    token, secret = create_token(charlie, "t", ["sell", "read", "read"])
    assert token.scopes == "read sell"
    assert find_token(secret) == token
    assert find_token(secret + "x") is None
    assert find_token("nope") is None
    mark_used(token)
    assert token.last_used_at is not None and timezone.now() - token.last_used_at < timedelta(seconds=5)


# --- Rate limits -------------------------------------------------------------------


@pytest.fixture
def low_limits(settings, steady_ratelimit_clock):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_token": "3/m", "api_ip": "2/m", "api_user": "2/m"}


def test_a_token_over_its_limit_gets_429_with_retry_after(api, charlie, low_limits):
    client = api(charlie, "read")
    assert [client.get(ME).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(ME)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert 1 <= int(response["Retry-After"]) <= 60
    # Another token of the same person counts apart.
    assert api(charlie, "read").get(ME).status_code == 200


def test_anonymous_calls_are_limited_per_client_address(client, db, low_limits):
    assert [client.get("/api/v1/carriers").status_code for _ in range(2)] == [200, 200]
    assert client.get("/api/v1/carriers").status_code == 429
    other = client.get("/api/v1/carriers", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_the_site_session_is_limited_per_person(client_for, charlie, low_limits):
    client = client_for(charlie)
    assert [client.get(ME).status_code for _ in range(2)] == [200, 200]
    assert client.get(ME).status_code == 429


def test_guessing_tokens_is_limited_per_client_address(client, db, low_limits):
    wrong = {"Authorization": "Bearer bks_guess"}
    assert [client.get(ME, headers=wrong).status_code for _ in range(2)] == [401, 401]
    response = client.get(ME, headers=wrong)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
