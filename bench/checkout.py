"""The buying scenarios, over HTTP through the real pages, as browsers would post their forms.

Run by bench/run.py in a process of its own (never inside gunicorn):

    python bench/checkout.py flow PLAN.json   # buyers loop: listing page, add to cart, checkout, pay
    python bench/checkout.py race PLAN.json   # every buyer places an order for the same listing at once

PLAN.json gives the base URL, each buyer's session cookie, and the listings to buy. A JSON report goes to stdout.
Only the standard library and requests are used; forms are read from the HTML the site serves.
"""

from __future__ import annotations

import json
import queue
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser

import requests

APPROVED_CARD = "4242424242424242"
TIMEOUT = 60


class FormParser(HTMLParser):
    """Collects the fields a browser would submit with the form whose id (or action) is asked for.

    Inputs may sit outside their form and point at it with form="id", as the checkout page's radios do.
    """

    def __init__(self, form_id: str = "", action: str = ""):
        super().__init__()
        self.form_id, self.action = form_id, action
        self.inside = False
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = (self.form_id and attrs.get("id") == self.form_id) or (
                self.action and attrs.get("action") == self.action
            )
            return
        if tag not in ("input", "select", "option"):
            return
        belongs = self.inside or (self.form_id and attrs.get("form") == self.form_id)
        if tag == "input" and belongs and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in attrs:
                return
            if kind in ("submit", "button"):
                return
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def form_fields(html: str, *, form_id: str = "", action: str = "") -> dict[str, str]:
    parser = FormParser(form_id=form_id, action=action)
    parser.feed(html)
    return parser.fields


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    server_errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, response: requests.Response, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
            if response.status_code >= 500:
                self.server_errors += 1


class Buyer:
    """One signed-in browser: a requests session with the buyer's session cookie."""

    def __init__(self, base: str, cookie: dict[str, str], tally: Tally):
        self.base = base
        self.http = requests.Session()
        self.http.cookies.update(cookie)
        self.tally = tally

    def get(self, path: str) -> requests.Response:
        started = time.perf_counter()
        response = self.http.get(self.base + path, allow_redirects=False, timeout=TIMEOUT)
        self.tally.record(response, time.perf_counter() - started)
        return response

    def post(self, path: str, data: dict) -> requests.Response:
        started = time.perf_counter()
        headers = {"Referer": self.base + path}
        response = self.http.post(self.base + path, data=data, headers=headers, allow_redirects=False, timeout=TIMEOUT)
        self.tally.record(response, time.perf_counter() - started)
        return response

    def add_to_cart(self, listing_id: int) -> bool:
        page = self.get(f"/books/{listing_id}/")
        action = f"/cart/add/{listing_id}/"
        fields = form_fields(page.text, action=action)
        if "csrfmiddlewaretoken" not in fields:
            return False
        fields["quantity"] = "1"
        return self.post(action, fields).status_code == 302

    def checkout_form(self) -> dict[str, str] | None:
        page = self.get("/checkout/")
        if page.status_code != 200:
            return None
        fields = form_fields(page.text, form_id="checkout")
        fields["action"] = "place"
        return fields

    def place(self, fields: dict[str, str]) -> tuple[int, str]:
        """Status and, when an order was placed, its payment page."""
        response = self.post("/checkout/", fields)
        location = response.headers.get("Location", "")
        return response.status_code, location if response.status_code == 302 and "/pay/" in location else ""

    def pay(self, pay_path: str) -> bool:
        page = self.get(pay_path)
        fields = form_fields(page.text, action=pay_path)
        if "idempotency_key" not in fields:
            return False
        fields.update(
            name="Bench Buyer", number=APPROVED_CARD, exp_month="12", exp_year=str(date.today().year + 2), cvc="123"
        )
        return self.post(pay_path, fields).status_code == 302


def _latency_summary(tally: Tally) -> dict:
    latencies = sorted(tally.latencies)
    if not latencies:
        return {}

    def pick(fraction: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(fraction * len(latencies)))] * 1000, 2)

    return {
        "requests": len(latencies),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2),
        "p50_ms": pick(0.50),
        "p95_ms": pick(0.95),
        "p99_ms": pick(0.99),
        "statuses": {str(code): count for code, count in sorted(tally.statuses.items())},
        "server_errors": tally.server_errors,
    }


def flow(plan: dict) -> dict:
    """Each buyer in a loop, until the time is up: view a listing, add it, check out, pay. Distinct listings."""
    tally = Tally()
    listings: queue.Queue[int] = queue.Queue()
    for listing_id in plan["listings"]:
        listings.put(listing_id)
    deadline = time.monotonic() + plan["seconds"]
    placed, paid, failed = [], [], []
    lock = threading.Lock()

    def buyer_loop(cookie):
        buyer = Buyer(plan["base"], cookie, tally)
        while time.monotonic() < deadline:
            try:
                listing_id = listings.get_nowait()
            except queue.Empty:
                return
            step = "add"
            ok = buyer.add_to_cart(listing_id)
            if ok:
                step = "checkout"
                fields = buyer.checkout_form()
                _status, pay_path = buyer.place(fields) if fields else (0, "")
                ok = bool(pay_path)
                if ok:
                    with lock:
                        placed.append(listing_id)
                    step = "pay"
                    ok = buyer.pay(pay_path)
                    if ok:
                        with lock:
                            paid.append(listing_id)
            if not ok:
                with lock:
                    failed.append({"listing": listing_id, "step": step})

    started = time.monotonic()
    threads = [threading.Thread(target=buyer_loop, args=(cookie,)) for cookie in plan["buyers"]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {
        "seconds": round(elapsed, 2),
        "orders_placed": len(placed),
        "orders_paid": len(paid),
        "orders_per_second": round(len(paid) / elapsed, 2),
        "failed": failed[:20],
        "failed_count": len(failed),
        "http": _latency_summary(tally),
    }


def race(plan: dict) -> dict:
    """Every buyer has the race listing in the cart and the checkout page open; all press "Place order" at once."""
    tally = Tally()
    buyers = [Buyer(plan["base"], cookie, tally) for cookie in plan["buyers"]]
    forms: list[dict | None] = [None] * len(buyers)

    def prepare(index: int) -> None:
        buyer = buyers[index]
        if buyer.add_to_cart(plan["listing"]):
            forms[index] = buyer.checkout_form()

    _in_threads(prepare, len(buyers))
    ready = [index for index, form in enumerate(forms) if form]
    barrier = threading.Barrier(len(ready))
    outcomes: dict[int, tuple[int, str]] = {}

    def place(index: int) -> None:
        barrier.wait()
        outcomes[index] = buyers[index].place(forms[index])

    race_tally_start = len(tally.latencies)
    started = time.monotonic()
    _in_threads(place, len(ready), indexes=ready)
    elapsed = time.monotonic() - started
    race_latencies = sorted(tally.latencies[race_tally_start:])
    placed = {index: pay for index, (status, pay) in outcomes.items() if pay}
    paid = sum(1 for ok in _in_threads(lambda i: buyers[i].pay(placed[i]), len(placed), indexes=list(placed)) if ok)
    statuses: dict[str, int] = {}
    for status, _pay in outcomes.values():
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "buyers": len(buyers),
        "ready": len(ready),
        "orders_placed": len(placed),
        "orders_paid": paid,
        "place_statuses": statuses,
        "place_seconds": round(elapsed, 2),
        "place_p95_ms": round(race_latencies[int(0.95 * (len(race_latencies) - 1))] * 1000, 2)
        if race_latencies
        else None,
        "server_errors": tally.server_errors,
        "http": _latency_summary(tally),
    }


def _in_threads(function, count: int, indexes: list[int] | None = None) -> list:
    indexes = list(range(count)) if indexes is None else indexes
    results: list = [None] * len(indexes)

    def run(slot: int, index: int) -> None:
        results[slot] = function(index)

    threads = [threading.Thread(target=run, args=(slot, index)) for slot, index in enumerate(indexes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def main() -> None:
    scenario, plan_path = sys.argv[1], sys.argv[2]
    with open(plan_path) as plan_file:
        plan = json.load(plan_file)
    report = {"flow": flow, "race": race}[scenario](plan)
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
