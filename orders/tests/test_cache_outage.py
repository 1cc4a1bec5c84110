"""With the cache server down, buyers still sign in, fill a cart and pay: every rate limit (allauth's and the
shop's) lets them through and says so in the log, instead of answering 500.

The cache is configured as production configures it (bookstore/conf/caches.py with a Redis CACHE_URL: the site's
backend, a strict alias for the shop's limits, sessions read from the cache), pointing at a port nothing
listens on: a real refused connection, as when Redis is stopped.
"""

import logging

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from conftest import PASSWORD, REDIS_TEST_PREFIX, free_port
from core import ratelimits
from orders.models import CartLine
from orders.states import OrderStatus
from orders.tests.conftest import APPROVE, DECLINE
from orders.tests.test_rate_limits import attempt

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down(settings, caplog):
    location = f"redis://127.0.0.1:{free_port()}/0"
    options = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}
    default = {"BACKEND": "core.cache.RedisCache", "LOCATION": location, "KEY_PREFIX": REDIS_TEST_PREFIX}
    settings.CACHES = {
        **settings.CACHES,
        "default": {**default, "OPTIONS": options},
        "ratelimits": {**default, "OPTIONS": {**options, "fail_soft": False}},
    }
    settings.RATELIMIT_USE_CACHE = "ratelimits"
    settings.SESSION_ENGINE = "bookstore.sessions"
    caplog.set_level(logging.WARNING)
    ratelimits._unenforced.clear()  # each test sees the first warning of its own outage
    return caplog


def warnings_from(caplog, logger: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == logger and r.levelno == logging.WARNING]


def test_signing_in_works_and_allauths_limits_fail_open(client, charlie, redis_down):
    login = reverse("account_login")
    for _n in range(7):  # past the failed-login limit: it is not enforced without its cache
        response = client.post(login, {"login": charlie.email, "password": "not-the-password"})
        assert response.status_code == 400  # refused, not 429
        assert "The email address and/or password you specified are not correct." in response.content.decode()
    response = client.post(login, {"login": charlie.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(charlie.pk)
    assert client.get(reverse("orders:order_list")).status_code == 200  # still signed in on the next page
    assert any("is unavailable" in m for m in warnings_from(redis_down, "core.cache"))


def test_adding_to_the_cart_and_paying_work_and_the_limits_say_they_are_off(
    client, charlie, placed_order, alice_listing, redis_down
):
    client.post(reverse("account_login"), {"login": charlie.email, "password": PASSWORD})
    response = client.post(reverse("orders:cart_add", args=[alice_listing.pk]), {"quantity": 1})
    assert response.status_code == 302
    assert CartLine.objects.filter(cart__user=charlie, listing=alice_listing).exists()

    for _n in range(6):  # one more than the per-order limit allows
        assert attempt(client, placed_order, DECLINE).status_code == 200
    assert attempt(client, placed_order, APPROVE).status_code == 302
    placed_order.refresh_from_db()
    assert placed_order.status == OrderStatus.PAID

    logged = warnings_from(redis_down, "core.ratelimits")
    assert any(m.startswith("Rate limit cart_add not enforced") for m in logged)
    assert any(m.startswith("Rate limit pay_declines_per_order not enforced") for m in logged)
    assert any(m.startswith("Rate limit pay_declines_per_user not enforced") for m in logged)
