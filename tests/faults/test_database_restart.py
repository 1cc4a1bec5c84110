"""The database goes away under load and comes back: the app answers 503 meanwhile and recovers by itself.

A private MariaDB server (its own data directory and port; the shared server is never touched) holds a
migrated, seeded database; gunicorn runs the project against it with the deployment's configuration. Readers
browse the catalog while buyers, signed in through the real login form, add copies to their carts and place
orders. The database is stopped and started again in the middle of it. Afterwards:

- every request got an answer: normal pages, or the short "We'll be right back" page with status 503 and
  Retry-After while the database was down; never a 500 or a traceback;
- the same gunicorn workers serve again, without a restart, and orders are placed again;
- no order is half-written: each has its lines and its shipments, and for every listing the copies in stock
  plus the copies sold still make the initial stock, with every sold copy on an order line.
"""

import random
import threading
import time
from dataclasses import dataclass

import pytest
import requests

from tests.faults import harness

pytestmark = pytest.mark.slow

DATABASE = "bs_fault_restart"
OK = {200, 302}
REFUSALS = {400, 409}  # a checkout the service refused (a cart changed meanwhile): not an error


@dataclass
class Record:
    at: float
    who: str
    step: str
    status: int | None
    body: str = ""
    retry_after: str | None = None
    error: str = ""


class Load:
    def __init__(self, base: str, seeded: dict):
        self.base, self.seeded = base, seeded
        self.records: list[Record] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.signed_in = threading.Semaphore(0)

    def note(self, who: str, step: str, response: requests.Response | None = None, error: Exception | None = None):
        if response is not None:
            body = response.text if response.status_code >= 500 else ""
            record = Record(
                time.monotonic(), who, step, response.status_code, body, response.headers.get("Retry-After")
            )
        else:
            record = Record(time.monotonic(), who, step, None, error=repr(error))
        with self.lock:
            self.records.append(record)
        return record

    def _reader(self, name: str) -> None:
        visitor = harness.Visitor(self.base)
        rng = random.Random(name)
        paths = ["/", "/books/", "/books/?q=book", "/books/?sort=price_asc"]
        paths += [f"/books/{pk}/" for pk in self.seeded["listings"]]
        while not self.stopping.is_set():
            path = rng.choice(paths)
            try:
                self.note(name, f"GET {path}", visitor.get(path))
            except requests.RequestException as exc:
                self.note(name, f"GET {path}", error=exc)
            time.sleep(0.03)

    def _buyer(self, email: str) -> None:
        visitor = harness.Visitor(self.base)
        # On a loaded machine signing in can be slow; the outage starts only once every buyer is in.
        deadline = time.monotonic() + 30
        while True:
            try:
                visitor.sign_in(email, self.seeded["password"])
                break
            except (AssertionError, requests.RequestException):
                if self.stopping.is_set() or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.signed_in.release()
        rng = random.Random(email)
        while not self.stopping.is_set():
            try:
                added = self.note(email, "add", visitor.add_to_cart(rng.choice(self.seeded["listings"])))
                if added.status != 302:
                    time.sleep(0.1)
                    continue
                page, form = visitor.checkout_form()
                self.note(email, "checkout", page)
                if form is None:
                    time.sleep(0.1)
                    continue
                self.note(email, "place", visitor.place_order(form))
            except requests.RequestException as exc:
                self.note(email, "buy", error=exc)
            time.sleep(0.03)

    def start(self) -> None:
        workers = [(self._reader, f"reader{n}") for n in range(2)]
        workers += [(self._buyer, email) for email in self.seeded["buyers"]]
        self.threads = [threading.Thread(target=target, args=(arg,), daemon=True) for target, arg in workers]
        for thread in self.threads:
            thread.start()
        for _ in self.seeded["buyers"]:
            assert self.signed_in.acquire(timeout=40), "a buyer could not sign in before the outage"

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def between(self, start: float, end: float) -> list[Record]:
        return [r for r in self.records if start <= r.at <= end]


def test_the_app_rides_out_a_database_restart(private_mariadb, workdir, app_servers):
    db = private_mariadb
    db.query("mysql", f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    env = harness.app_environment(workdir, db.url(DATABASE))
    seeded = harness.migrate_and_seed(env, "restart", sellers=2, listings=3, buyers=3, stock=500)
    stock = dict.fromkeys(seeded["listings"], seeded["stock"])

    app = harness.Gunicorn(workdir, env, workers=2, threads=4)
    app_servers.append(app)
    app.start()
    workers = app.wait_for_workers(2)

    load = Load(app.base, seeded)
    try:
        load.start()
        time.sleep(4)
        down_from = time.monotonic()
        db.stop()
        down = time.monotonic()
        time.sleep(4)
        up_from = time.monotonic()
        db.start()
        up = time.monotonic()
        time.sleep(6)
    finally:
        load.stop()
    end = time.monotonic()

    records = load.records
    print(  # shown with -s: what the run exercised
        f"{len(records)} requests; outage {up_from - down:.1f} s: "
        f"{sum(r.status == 503 for r in load.between(down, up_from))} answered 503, "
        f"{sum(r.status in OK for r in load.between(down, up_from))} served anyway"
    )
    errors = [r for r in records if r.error]
    assert not errors, f"requests without an answer: {errors[:5]}"
    crashes = [r for r in records if r.status == 500 or "Traceback" in r.body]
    assert not crashes, (
        f"{len(crashes)} requests got a 500 or a traceback, e.g. {crashes[0]}\n"
        f"the app's first error:\n{harness.first_server_error(app.log)}"
    )

    before = load.between(0, down_from)
    assert before and all(r.status in OK | REFUSALS for r in before), {r.status for r in before}

    outage = load.between(down, up_from)
    unavailable = [r for r in outage if r.status == 503]
    assert unavailable, "no request reached the app while the database was down"
    for record in outage:
        assert record.status in OK | REFUSALS | {503}, record
    for record in unavailable:
        assert "be right back" in record.body and record.retry_after, record

    # Recovered without a restart: the same workers serve normal pages and place orders again.
    after = load.between(up + 1, end)
    assert after
    for who in {r.who for r in after}:
        last = [r for r in after if r.who == who][-3:]
        assert all(r.status in OK | REFUSALS for r in last), (who, last)
    assert any(r.step == "place" and r.status == 302 for r in after), "no order was placed after the restart"
    assert app.worker_pids() == workers, "gunicorn workers were restarted"

    assert harness.order_invariants(db, DATABASE, stock) == []
    placed = db.query(DATABASE, "SELECT COUNT(*) FROM orders_order")[0][0]
    assert placed > 0
    print(f"{placed} orders placed; restart took {up - up_from:.1f} s")
