"""The app's database connections are killed from another connection, then the whole server goes away and comes back.

gunicorn keeps its MySQL connections between requests (CONN_MAX_AGE). A fail-over, a restart or an operator's
``KILL CONNECTION`` leaves them dead without the app noticing. With CONN_HEALTH_CHECKS Django pings a kept
connection before the first query of a request and opens a new one if it is gone: so once the connections are
killed, the very next request (a signed-in page, adding to the cart, the checkout) must succeed. Killed while
requests are in flight, the requests they served answer the 503 page (never a 500), and the next ones work.

Then the server is stopped: pages answer the 503 "We'll be right back" page with Retry-After, ``/readyz`` says
not ready, ``/healthz`` still answers (the process is alive); once the server is back, the time until the first
normal answer is recorded.
"""

import contextlib
import threading
import time

import pytest

from tests.faults import harness

pytestmark = pytest.mark.slow

DATABASE = "bs_fault_killed"


def app_connections(db: harness.PrivateMariaDB) -> list[int]:
    rows = db.query("mysql", "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = %s", (DATABASE,))
    return [row[0] for row in rows]


def test_killed_connections_are_replaced_and_an_outage_answers_503(
    private_mariadb, workdir, app_servers, record_recovery
):
    db = private_mariadb
    db.query("mysql", f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    env = harness.app_environment(workdir, db.url(DATABASE))
    seeded = harness.migrate_and_seed(env, "killed", sellers=1, listings=2, buyers=1, stock=50)
    app = harness.Gunicorn(workdir, env, workers=1, threads=2)
    app_servers.append(app)
    app.start()

    buyer = harness.Visitor(app.base)
    buyer.sign_in(seeded["buyers"][0], seeded["password"])
    assert buyer.get("/books/").status_code == 200
    assert buyer.get("/orders/").status_code == 200
    kept = app_connections(db)
    assert kept, "gunicorn keeps no connection between requests (CONN_MAX_AGE): nothing to kill"

    # Kill every connection of the app from another connection, as an operator or a fail-over would.
    for connection_id in kept:
        db.query("mysql", f"KILL CONNECTION {int(connection_id)}")
    deadline = time.monotonic() + 10  # a killed thread leaves the process list once it notices
    while set(app_connections(db)) & set(kept):
        assert time.monotonic() < deadline, f"connections {kept} still listed after KILL"
        time.sleep(0.05)

    # The very next requests succeed, on new connections: reading, writing (session and cart), the checkout.
    steps = [
        buyer.get("/orders/"),
        buyer.add_to_cart(seeded["listings"][0]),
        buyer.get("/cart/"),
        buyer.get("/books/"),
    ]
    assert [r.status_code for r in steps] == [200, 302, 200, 200], [
        r.text[:300] for r in steps if r.status_code >= 400
    ]
    page, form = buyer.checkout_form()
    assert page.status_code == 200 and form is not None
    assert buyer.place_order(form).status_code == 302
    assert db.query(DATABASE, "SELECT COUNT(*) FROM orders_order")[0][0] == 1
    assert buyer.get("/readyz").status_code == 200

    # Connections killed while requests are in flight, over and over: a request whose connection dies under it
    # answers the 503 page with Retry-After, never a 500; once the killing stops, the next request works.
    killing = threading.Event()
    killed: list[int] = []

    def killer() -> None:
        while not killing.is_set():
            for connection_id in app_connections(db):
                with contextlib.suppress(Exception):  # it may have ended by itself meanwhile
                    db.query("mysql", f"KILL CONNECTION {int(connection_id)}")
                    killed.append(connection_id)
            time.sleep(0.01)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    answers = []
    try:
        for _ in range(60):
            for path in ["/books/", "/orders/", "/cart/"]:
                response = buyer.get(path)
                answers.append((path, response.status_code, response.headers.get("Retry-After")))
    finally:
        killing.set()
        thread.join(10)
    assert killed, "no connection was killed: the test would prove nothing"
    assert {status for _path, status, _retry in answers} <= {200, 503}, answers
    assert all(retry for _path, status, retry in answers if status == 503), answers
    assert [buyer.get(path).status_code for path in ["/books/", "/orders/", "/cart/"]] == [200, 200, 200]
    print(f"{len(killed)} connections killed under {len(answers)} requests: {sum(a[1] == 503 for a in answers)} 503s")

    # The whole server goes away: a clean 503 with Retry-After, never a 500; not ready; still alive.
    db.stop()
    for path in ["/orders/", "/books/", "/cart/"]:
        response = buyer.get(path)
        assert response.status_code == 503, (path, response.status_code, response.text[:300])
        assert response.headers["Retry-After"] and "be right back" in response.text
    ready = buyer.get("/readyz")
    assert ready.status_code == 503 and ready.json()["checks"]["database"] is False
    assert buyer.get("/healthz").status_code == 200

    db.start()
    back = time.monotonic()
    deadline = back + 30
    while True:
        response = buyer.get("/orders/")
        if response.status_code == 200:
            break
        assert response.status_code == 503, (response.status_code, response.text[:300])
        assert time.monotonic() < deadline, "the site did not recover within 30 s of the database coming back"
        time.sleep(0.05)
    record_recovery("database restart", time.monotonic() - back, "signed-in /orders/ polled every 50 ms")
    assert buyer.get("/readyz").status_code == 200
    assert buyer.get("/cart/").status_code == 200  # still signed in, the cart emptied by the order placed
    assert harness.order_invariants(db, DATABASE, dict.fromkeys(seeded["listings"], seeded["stock"])) == []
