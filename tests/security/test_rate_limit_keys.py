"""The shop's limits count a client by the address our own proxies report, never one the client writes itself.

Anonymous visitors adding to the cart are counted per client address (``core.ratelimits.client_ip``, the
rule allauth applies to its sign-in limits with the same TRUSTED_PROXY_COUNT).
"""

import pytest
from django.urls import reverse

from conftest import ListingFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("steady_ratelimit_clock")]


@pytest.fixture
def add(settings, client):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "cart_add": "3/m"}
    url = reverse("orders:cart_add", args=[ListingFactory(quantity=50).pk])

    def post(**headers):
        return client.post(url, {"quantity": 1}, headers=headers).status_code

    return post


def test_without_a_proxy_a_spoofed_x_forwarded_for_changes_nothing(add):
    for n in range(3):
        assert add(x_forwarded_for=f"203.0.113.{n}") == 302
    assert add(x_forwarded_for="198.51.100.99") == 429
    assert add() == 429


def test_behind_one_proxy_the_address_it_appends_is_the_key(add, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for n in range(3):
        # The client makes up an address each time; NGINX appends the one it really saw.
        assert add(x_forwarded_for=f"203.0.113.{n}, 192.0.2.10") == 302
    assert add(x_forwarded_for="198.51.100.99, 192.0.2.10") == 429
    # Another client behind the same proxy, from the same socket address, has a count of its own.
    assert add(x_forwarded_for="192.0.2.77") == 302


def test_client_ip_is_the_rule_allauth_uses(rf, settings):
    from allauth.account.adapter import get_adapter

    from core.ratelimits import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9, 192.0.2.10")
    assert client_ip(request) == get_adapter().get_client_ip(request) == "10.0.0.5"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == get_adapter().get_client_ip(request) == "192.0.2.10"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "203.0.113.9"


def test_allauths_own_limits_answer_with_the_sites_429_page(client, charlie):
    """Password resets are limited by allauth (5 a minute per email): the sixth gets the site's page, translated."""
    for _n in range(5):
        assert client.post("/accounts/password/reset/", {"email": charlie.email}).status_code == 302
    response = client.post("/accounts/password/reset/", {"email": charlie.email}, headers={"accept-language": "es"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Espera un momento" in html and "Has enviado demasiadas solicitudes en poco tiempo." in html
    assert "<nav" in html  # the site's layout, not allauth's bare fallback page
