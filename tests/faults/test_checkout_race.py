"""Two buyers race for the last copy through gunicorn on MariaDB: one order, one refusal, never two sales.

The race is made certain, not hoped for: the test holds a row lock on the first buyer's cart lines, so the
first checkout stops at its last step with the last copy taken but not committed. The second checkout starts
then and must wait for the listing's lock (select_for_update); when the first commits, it finds no copy left
and is refused with the reason. Without the lock it would read the stale stock, pass its check and sell the
copy a second time.
"""

import threading
import time

import pytest
import requests

from tests.faults import harness

pytestmark = pytest.mark.slow

DATABASE = "bs_fault_race"


def waiting_statements(db, blocker_id: int) -> list[str]:
    """The statements the app's connections are running now (each one waiting for a lock here)."""
    rows = db.query(
        "information_schema",
        "SELECT info FROM processlist WHERE db = %s AND id != %s AND info IS NOT NULL",
        (DATABASE, blocker_id),
    )
    return [info for (info,) in rows]


def test_the_last_copy_is_sold_once(private_mariadb, workdir, app_servers):
    db = private_mariadb
    db.query("mysql", f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    env = harness.app_environment(workdir, db.url(DATABASE))
    seeded = harness.migrate_and_seed(env, "race", sellers=1, listings=1, buyers=2, stock=1)
    [listing] = seeded["listings"]

    app = harness.Gunicorn(workdir, env, workers=1, threads=4)
    app_servers.append(app)
    app.start()

    first, second = (harness.Visitor(app.base, timeout=60) for _ in range(2))
    forms = []
    for visitor, email in zip((first, second), seeded["buyers"], strict=True):
        visitor.sign_in(email, seeded["password"])
        assert visitor.add_to_cart(listing).status_code == 302
        page, form = visitor.checkout_form()
        assert form, page.text[:1000]
        forms.append(form)

    results = {}

    def place(name, visitor, form):
        try:
            results[name] = visitor.place_order(form)
        except requests.RequestException as exc:
            results[name] = exc

    blocker = db.connect(DATABASE)
    threads = []
    try:
        blocker.autocommit(False)
        cursor = blocker.cursor()
        cursor.execute(
            "SELECT l.id FROM orders_cartline l JOIN orders_cart c ON c.id = l.cart_id"
            " JOIN accounts_user u ON u.id = c.user_id WHERE u.email = %s",
            (seeded["buyers"][0],),
        )
        [(line_id,)] = cursor.fetchall()
        cursor.execute("SELECT id FROM orders_cartline WHERE id = %s FOR UPDATE", (line_id,))
        steps = (
            # The first checkout stops at its last step, the last copy taken but not committed.
            (
                "first",
                first,
                forms[0],
                lambda waiting: any(s.startswith("DELETE FROM `orders_cartline`") for s in waiting),
            ),
            # The second waits for the listing the first holds.
            ("second", second, forms[1], lambda waiting: len(waiting) == 2),
        )
        for name, visitor, form, reached in steps:
            thread = threading.Thread(target=place, args=(name, visitor, form), daemon=True)
            thread.start()
            threads.append(thread)
            deadline = time.monotonic() + 20
            while not reached(waiting_statements(db, blocker.thread_id())):
                assert time.monotonic() < deadline, (name, results, waiting_statements(db, blocker.thread_id()))
                time.sleep(0.05)
    finally:
        blocker.rollback()
        blocker.close()
    for thread in threads:
        thread.join(timeout=30)

    assert results["first"].status_code == 302 and "/pay/" in results["first"].headers["Location"]
    refused = results["second"]
    assert refused.status_code == 409, refused.status_code
    assert "cannot be bought as they are" in refused.text
    assert db.query(DATABASE, "SELECT COUNT(*) FROM orders_order") == [(1,)]
    assert db.query(DATABASE, "SELECT quantity, units_sold FROM catalog_listing") == [(0, 1)]
    assert harness.order_invariants(db, DATABASE, {listing: 1}) == []
