"""Generated requests against the running site: every operation of /api/v1/openapi.json, anonymous and with a token
of each scope. None may answer 5xx, and every answer must match what the OpenAPI description says (status code,
content type, headers, body).

Served by pytest-django's live server (a real HTTP server in a thread, on the test database).
"""

from decimal import Decimal

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.api import api
from api.services import create_token
from conftest import ListingFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Examples per operation and caller: enough to reach every parameter's edges, few enough for CI.
EXAMPLES = 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def shelf(live_server, settings, alice, bob, charlie, carriers):
    # Thousands of calls from one address in a few seconds: the limits have their own tests.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_token": "", "api_user": "", "api_ip": ""}
    for price in ("3.50", "12.00", "40.00"):
        ListingFactory(seller=alice, price=Decimal(price))
        ListingFactory(seller=bob, price=Decimal(price), condition="good")
    return live_server


# The description the site serves at /api/v1/openapi.json (test_openapi_is_served checks that it is this one).
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())


@pytest.fixture
def bearers(charlie, alice):
    """A token with only one scope for each scope (alice sells; charlie reads and buys)."""
    return {
        scope: {"Authorization": f"Bearer {create_token(alice if scope == 'sell' else charlie, scope, [scope])[1]}"}
        for scope in ("read", "buy", "sell")
    }


GENERATION = hypothesis_settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)


@schema.parametrize()
@GENERATION
def test_every_operation_answers_as_described(case, shelf, bearers):
    """Each generated request is sent four times: anonymous, then with a token of each scope."""
    for headers in ({}, bearers["read"], bearers["buy"], bearers["sell"]):
        case.call_and_validate(base_url=shelf.url, headers=headers, checks=CHECKS, timeout=30)


def test_openapi_is_served(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()["paths"]) == set(api.get_openapi_schema()["paths"])
