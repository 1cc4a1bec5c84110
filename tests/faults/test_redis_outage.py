"""Redis stops in the middle of shopping and comes back: no error page at any step, nothing lost, no email twice.

gunicorn runs the project as production does (DEBUG off, MariaDB, a Redis of its own for the cache, the page
cache, sessions and rate limits), with a real Celery worker and beat whose broker is the same Redis (another
database number) and a real SMTP server (aiosmtpd) that keeps every message. With Redis up, a reader browses and a
buyer signs in. Redis is killed. Then, step by step, with Redis down: home, catalog, a listing and a search;
another buyer signs in (allauth's rate limit reads the cache), with failed attempts past its limit first; the
first buyer, still signed in, adds two sellers' books to the cart, checks out, has a card declined and pays. No
answer is a 5xx; the order ends paid; the log says the rate limits were not enforced; not one email has gone out,
every one waits in the outbox. Redis is started again: pages answer, the cache fills again, both buyers are still
signed in, and the order's five emails (placed, declined, paid, and a new sale for each seller) arrive exactly
once, nothing more over a few relay periods. Both recovery times are recorded: the site using Redis again, and
the last email delivered.
"""

import re
import time

import pytest
import redis
import requests

from bookstore.celery import app as celery_app
from tests.faults import harness
from tests.faults.queue import CeleryBeat, CeleryWorker, wait_for

pytestmark = pytest.mark.slow

DATABASE = "bs_fault_redis"
APPROVE, DECLINE = "4242 4242 4242 4242", "4000 0000 0000 0002"
RELAY_SECONDS = 2  # beat hands the outbox to the worker this often: how soon emails go once Redis is back


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


def jobs_by_status(db) -> dict[str, int]:
    return dict(db.query(DATABASE, "SELECT status, COUNT(*) FROM jobs_job GROUP BY status"))


def test_shopping_rides_out_a_redis_outage(
    private_mariadb, redis_server, inbox, workdir, app_servers, record_recovery
):
    db = private_mariadb
    db.query("mysql", f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    cache_server = redis_server()
    env = {
        **harness.app_environment(workdir, db.url(DATABASE)),
        "CACHE_URL": cache_server.url,
        # One Redis for everything, as a small shop runs it: the broker only on another database number.
        "CELERY_BROKER_URL": cache_server.url.removesuffix("/0") + "/1",
        "CELERY_QUEUE": "bookstore",
        "JOBS_RELAY_SECONDS": str(RELAY_SECONDS),
        "EMAIL_URL": f"smtp://127.0.0.1:{inbox.port}",
    }
    seeded = harness.migrate_and_seed(env, "redis", sellers=2, listings=3, buyers=2, stock=50)
    app = harness.Gunicorn(workdir, env, workers=2, threads=2)
    # The worker and beat log at INFO: their log says when they are ready, and explains a timeout.
    worker, beat = (
        CeleryWorker(workdir, {**env, "LOG_LEVEL": "INFO"}),
        CeleryBeat(workdir, {**env, "LOG_LEVEL": "INFO"}),
    )
    app_servers.extend([app, worker, beat])
    app.start()
    worker.start()
    beat.start()
    cache = redis.Redis.from_url(cache_server.url)
    step = Steps()
    listing, other_sellers_listing = seeded["listings"][0], seeded["listings"][-1]
    pages = ["/", "/books/", f"/books/{listing}/", "/books/?q=redis"]

    # Redis up: pages are cached, the first buyer signs in (the session is kept in Redis too).
    reader, buyer = harness.Visitor(app.base), harness.Visitor(app.base)
    for path in pages:
        step(f"GET {path} (Redis up)", reader.get(path), 200)
    buyer.sign_in(seeded["buyers"][0], seeded["password"])
    step("signed-in catalog (Redis up)", buyer.get("/books/"), 200)
    assert cache.dbsize() > 0, "the site does not use its Redis: the test would prove nothing"

    cache_server.stop()
    down = time.monotonic()
    for path in pages:
        step(f"GET {path} (Redis down)", reader.get(path), 200)
        step(f"signed-in GET {path} (Redis down)", buyer.get(path), 200)

    # Signing in: allauth's failed-login limit cannot count, and lets the right password in rather than a 500.
    second = harness.Visitor(app.base)
    step("login page (Redis down)", second.get("/accounts/login/"), 200)
    for attempt in range(6):
        step(f"failed sign-in {attempt + 1}", second.post("/accounts/login/", {
            "login": seeded["buyers"][1], "password": "wrong password"}), 400)  # fmt: skip
    step("sign-in (Redis down)", second.post("/accounts/login/", {
        "login": seeded["buyers"][1], "password": seeded["password"]}), 302)  # fmt: skip
    step("the second buyer's orders", second.get("/orders/"), 200)

    # Buying: the cart, the checkout, a declined card and the payment.
    step("add to cart (Redis down)", buyer.add_to_cart(listing), 302)
    step("add another seller's book (Redis down)", buyer.add_to_cart(other_sellers_listing), 302)
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
    # Nothing could reach the worker: every email of the order waits in the outbox, none handed over, none sent.
    assert jobs_by_status(db) == {"pending": 5}
    assert db.query(DATABASE, "SELECT COUNT(*) FROM jobs_job WHERE published_at IS NOT NULL") == [(0,)]
    assert inbox.messages == []

    # Redis back (empty, as after a restart without persistence): how long until the site uses it again, for the
    # catalog's pages and for the signed-in buyer's session (each gunicorn worker finds out on its own).
    cache_server.start()
    back = time.monotonic()
    print(f"Redis was down for {back - down:.1f} s")
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

    # The order's emails: beat's relay hands the outbox to the worker (both reconnect to the broker by themselves)
    # and each goes out once. The order-placed subject ends with the payment deadline, left out here.
    [buyer_email, _] = seeded["buyers"]
    expected = sorted(
        [
            (buyer_email, f"Order {number} placed: please pay by"),
            (buyer_email, f"Payment declined for order {number}"),
            (buyer_email, f"Payment received for order {number}"),
        ]
        + [(seller, f"New sale: order {number} is paid, please ship it") for seller in seeded["sellers"]]
    )

    def received() -> list[tuple[str, str]]:
        return sorted((to, re.sub(r"(please pay by) .*", r"\1", subject)) for to, subject in inbox.received())

    def explain() -> str:
        return f"{received()} in the inbox, jobs {jobs_by_status(db)}\n{worker.tail()}\n{beat.tail()}"

    wait_for(lambda: len(inbox.messages) >= len(expected), 60, explain)
    record_recovery(
        "Redis restart (emails)",
        max(inbox.arrived) - back,
        f"until the last of the order's {len(expected)} emails reached the SMTP server (relay: {RELAY_SECONDS} s)",
    )
    assert received() == expected
    assert jobs_by_status(db) == {"done": 5}
    # Every job delivered a second time, as the relay does when it thinks a message was lost with Redis: the
    # worker takes each message and sends nothing more, over a few more relay periods too.
    with celery_app.connection_for_write(env["CELERY_BROKER_URL"]) as connection:
        for (job_id,) in db.query(DATABASE, "SELECT id FROM jobs_job"):
            celery_app.send_task("jobs.run_job", (job_id,), connection=connection, queue=env["CELERY_QUEUE"])

    def run_job_messages_done() -> int:
        return len(re.findall(r"Task jobs\.run_job\[[^\]]+\] succeeded", worker.log.read_text()))

    wait_for(lambda: run_job_messages_done() >= 2 * len(expected), 30, explain)
    time.sleep(2 * RELAY_SECONDS)
    assert received() == expected, explain()
    assert db.query(DATABASE, "SELECT DISTINCT attempts FROM jobs_job") == [(1,)]
    assert jobs_by_status(db) == {"done": 5}

    for path in pages:
        step(f"GET {path} (Redis back)", reader.get(path), 200)
    assert number in step("the first buyer's orders (Redis back)", buyer.get("/orders/"), 200).text
    step("the second buyer's orders (Redis back)", second.get("/orders/"), 200)  # still signed in
    assert harness.order_invariants(db, DATABASE, dict.fromkeys(seeded["listings"], seeded["stock"])) == []

    log = app.log.read_text()
    assert "is unavailable" in log  # core.cache: the outage was noticed and said once per process
    assert "Rate limit pay_declines_per_order not enforced" in log
    assert "Internal Server Error" not in log
    assert "The job broker is unreachable" in log  # the checkout and payment did try the broker, and went on
    print(f"{len(step.answers)} requests, none answered 5xx")
    print(f"the worker ran {run_job_messages_done()} run_job messages for the 5 jobs")
