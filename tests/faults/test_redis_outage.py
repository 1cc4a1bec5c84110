"""Redis stops in the middle of shopping and comes back: no error page at any step, nothing lost.

gunicorn runs the project as production does (DEBUG off, MariaDB, a Redis of its own for the cache, the page
cache, sessions and rate limits). With Redis up, a reader browses and a buyer signs in. Redis is killed. Then,
step by step, with Redis down: home, catalog, a listing and a search; another buyer signs in (allauth's rate
limit reads the cache), with failed attempts past its limit first; the first buyer, still signed in, adds to the
cart, checks out, has a card declined and pays. No answer is a 5xx; the order ends paid; the log says the rate
limits were not enforced. Redis is started again: pages answer, the cache fills again, both buyers are still
signed in, and the time the site took to use Redis again is recorded.
"""

import re
import time

import pytest
import redis
import requests

from tests.faults import harness

pytestmark = pytest.mark.slow

DATABASE = "bs_fault_redis"
APPROVE, DECLINE = "4242 4242 4242 4242", "4000 0000 0000 0002"


class Steps:
    """Every answer of the run, by step, so that a 5xx anywhere fails the test with its step named."""

    def __init__(self):
        self.answers: list[tuple[str, int]] = []

    def __call__(self, step: str, response: requests.Response, *expected: int) -> requests.Response:
        self.answers.append((step, response.status_code))
        assert response.status_code < 500, f"{step}: {response.status_code}\n{response.text[:800]}"
        if expected:
            assert response.status_code in expected, f"{step}: {response.status_code}\n{response.text[:800]}"
        return response


def test_shopping_rides_out_a_redis_outage(private_mariadb, redis_server, workdir, app_servers, record_recovery):
    db = private_mariadb
    db.query("mysql", f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    cache_server = redis_server()
    env = {**harness.app_environment(workdir, db.url(DATABASE)), "CACHE_URL": cache_server.url}
    seeded = harness.migrate_and_seed(env, "redis", sellers=1, listings=3, buyers=2, stock=50)
    app = harness.Gunicorn(workdir, env, workers=2, threads=2)
    app_servers.append(app)
    app.start()
    cache = redis.Redis.from_url(cache_server.url)
    step = Steps()
    listing = seeded["listings"][0]
    pages = ["/", "/books/", f"/books/{listing}/", "/books/?q=redis"]

    # Redis up: pages are cached, the first buyer signs in (the session is kept in Redis too).
    reader, buyer = harness.Visitor(app.base), harness.Visitor(app.base)
    for path in pages:
        step(f"GET {path} (Redis up)", reader.get(path), 200)
    buyer.sign_in(seeded["buyers"][0], seeded["password"])
    step("signed-in catalog (Redis up)", buyer.get("/books/"), 200)
    assert cache.dbsize() > 0, "the site does not use its Redis: the test would prove nothing"

    cache_server.stop()
    for path in pages:
        step(f"GET {path} (Redis down)", reader.get(path), 200)
        step(f"signed-in GET {path} (Redis down)", buyer.get(path), 200)

    # Signing in: allauth's failed-login limit cannot count, and lets the right password in rather than a 500.
    second = harness.Visitor(app.base)
    step("login page (Redis down)", second.get("/accounts/login/"), 200)
    for attempt in range(6):
        step(f"failed sign-in {attempt + 1}", second.post("/accounts/login/", {
            "login": seeded["buyers"][1], "password": "wrong password"}), 200)  # fmt: skip
    step("sign-in (Redis down)", second.post("/accounts/login/", {
        "login": seeded["buyers"][1], "password": seeded["password"]}), 302)  # fmt: skip
    step("the second buyer's orders", second.get("/orders/"), 200)

    # Buying: the cart, the checkout, a declined card and the payment.
    step("add to cart (Redis down)", buyer.add_to_cart(listing), 302)
    step("cart (Redis down)", buyer.get("/cart/"), 200)
    page, form = buyer.checkout_form()
    step("checkout page (Redis down)", page, 200)
    assert form is not None, page.text[:800]
    placed = step("place order (Redis down)", buyer.place_order(form), 302)
    found = re.match(r"/orders/([\w-]+)/", placed.headers["Location"])  # on to the order's payment page
    assert found, placed.headers["Location"]
    number = found.group(1)
    order_path = f"/orders/{number}/"
    declined = step("declined card (Redis down)", buyer.pay(order_path, DECLINE), 200)
    assert "Your payment was declined" in declined.text
    step("payment (Redis down)", buyer.pay(order_path, APPROVE), 302)
    assert db.query(DATABASE, "SELECT status FROM orders_order WHERE number = %s", (number,)) == [("paid",)]
    step("order page (Redis down)", buyer.get(order_path), 200)

    # Redis back (empty, as after a restart without persistence): how long until the site uses it again, for the
    # catalog's pages and for the signed-in buyer's session (each gunicorn worker finds out on its own).
    cache_server.start()
    back = time.monotonic()
    deadline = back + 20

    def sessions_in_redis() -> bool:
        return any(key.startswith(b":1:django.contrib.sessions") for key in cache.scan_iter(count=1000))

    while not (cache.dbsize() > 0 and sessions_in_redis()):
        assert time.monotonic() < deadline, "the site did not use Redis again within 20 s"
        step("GET /books/ (Redis back)", reader.get("/books/?recovery"), 200)
        step("signed-in GET /orders/ (Redis back)", buyer.get("/orders/"), 200)
        time.sleep(0.05)
    record_recovery(
        "Redis restart", time.monotonic() - back, "anonymous /books/ and signed-in /orders/ polled until both use it"
    )

    for path in pages:
        step(f"GET {path} (Redis back)", reader.get(path), 200)
    assert number in step("the first buyer's orders (Redis back)", buyer.get("/orders/"), 200).text
    step("the second buyer's orders (Redis back)", second.get("/orders/"), 200)  # still signed in
    assert harness.order_invariants(db, DATABASE, dict.fromkeys(seeded["listings"], seeded["stock"])) == []

    log = app.log.read_text()
    assert "is unavailable" in log  # core.cache: the outage was noticed and said once per process
    assert "Rate limit pay_declines_per_order not enforced" in log
    assert "Internal Server Error" not in log
    print(f"{len(step.answers)} requests, none answered 5xx")
