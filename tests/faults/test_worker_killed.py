"""A gunicorn worker killed (SIGKILL) in the middle of placing an order: no partial order, no lost stock.

To stop the worker at exactly the worst moment, the test holds row locks on the buyer's cart lines from its
own database connection (SELECT ... FOR UPDATE; no hook in the application). The checkout then runs as usual:
it locks the listings, takes the stock, writes the order, its shipments and its lines, and waits to empty the
cart, its last step. The server's process list and InnoDB's transaction table show it there, with every row
written but not committed. The worker is killed; the lock is released. Then:

- no order, shipment or line of that checkout exists, and every listing has its stock back (the database
  rolled the transaction back when the dead worker's connection closed);
- the buyer's cart is intact, and the same checkout, retried on the worker gunicorn started instead, places
  exactly one order and takes the stock once.
"""

import os
import signal
import threading
import time

import pytest
import requests

from tests.faults import harness

pytestmark = pytest.mark.slow

DATABASE = "bs_fault_kill"


def wait_for(condition, seconds: float, what: str, explain=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}" + (f": {explain()}" if explain else ""))


def test_a_worker_killed_while_placing_an_order_leaves_no_trace(private_mariadb, workdir, app_servers):
    db = private_mariadb
    db.query("mysql", f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    env = harness.app_environment(workdir, db.url(DATABASE))
    seeded = harness.migrate_and_seed(env, "kill", sellers=2, listings=1, buyers=1, stock=5)
    stock = dict.fromkeys(seeded["listings"], seeded["stock"])

    app = harness.Gunicorn(workdir, env, workers=1, threads=2)
    app_servers.append(app)
    app.start()
    [worker] = app.wait_for_workers(1)

    buyer = harness.Visitor(app.base, timeout=60)
    buyer.sign_in(seeded["buyers"][0], seeded["password"])
    for listing_id in seeded["listings"]:  # one copy from each of two sellers
        assert buyer.add_to_cart(listing_id, 2).status_code == 302
    page, form = buyer.checkout_form()
    assert page.status_code == 200 and form, page.text[:1000]
    cart_before = db.query(DATABASE, "SELECT listing_id, quantity FROM orders_cartline ORDER BY id")

    blocker = db.connect(DATABASE)
    outcome = {}
    try:
        blocker.autocommit(False)
        blocker.cursor().execute("SELECT id FROM orders_cartline FOR UPDATE")

        def place():
            try:
                outcome["response"] = buyer.place_order(form)
            except requests.RequestException as exc:
                outcome["error"] = exc

        placing = threading.Thread(target=place, daemon=True)
        placing.start()

        # The checkout is inside its transaction, waiting to write the order lines.
        [(connection_id,)] = wait_for(
            lambda: db.query(
                "information_schema",
                "SELECT id FROM processlist WHERE db = %s AND info LIKE 'DELETE FROM `orders_cartline`%%'",
                (DATABASE,),
            ),
            20,
            "the checkout to reach its last step",
            lambda: db.query(
                "information_schema", "SELECT id, state, info FROM processlist WHERE db = %s", (DATABASE,)
            ),
        )
        [(rows_written,)] = db.query(
            "information_schema",
            "SELECT trx_rows_modified FROM innodb_trx WHERE trx_mysql_thread_id = %s",
            (connection_id,),
        )

        os.kill(worker, signal.SIGKILL)
        placing.join(timeout=30)
        assert "error" in outcome, outcome  # the buyer's browser saw the connection drop
    finally:
        blocker.rollback()
        blocker.close()

    # The server rolls back once it notices the client is gone.
    wait_for(
        lambda: not db.query("information_schema", "SELECT 1 FROM processlist WHERE id = %s", (connection_id,)),
        20,
        "the dead worker's connection to close",
    )
    assert db.query(DATABASE, "SELECT COUNT(*) FROM orders_order") == [(0,)]
    assert db.query(DATABASE, "SELECT COUNT(*) FROM shipping_shipment") == [(0,)]
    assert db.query(DATABASE, "SELECT COUNT(*) FROM orders_orderline") == [(0,)]
    assert harness.order_invariants(db, DATABASE, stock) == []
    assert db.query(DATABASE, "SELECT quantity, units_sold FROM catalog_listing") == [(5, 0), (5, 0)]
    assert db.query(DATABASE, "SELECT listing_id, quantity FROM orders_cartline ORDER BY id") == cart_before
    # It really was killed mid-transaction: the order, two shipments, two listings and two lines were written.
    assert rows_written >= 7

    # gunicorn replaced the worker; the buyer tries again and gets exactly one order.
    [replacement] = app.wait_for_workers(1)
    assert replacement != worker
    page, form = buyer.checkout_form()
    assert page.status_code == 200 and form
    placed = buyer.place_order(form)
    assert placed.status_code == 302 and "/pay/" in placed.headers["Location"], placed.status_code
    assert db.query(DATABASE, "SELECT COUNT(*) FROM orders_order") == [(1,)]
    assert db.query(DATABASE, "SELECT COUNT(*) FROM shipping_shipment") == [(2,)]
    assert db.query(DATABASE, "SELECT quantity, units_sold FROM catalog_listing") == [(3, 2), (3, 2)]
    assert harness.order_invariants(db, DATABASE, stock) == []
