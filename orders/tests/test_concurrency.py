"""Real races on MariaDB: real threads, each with its own database connection.

A copy is never sold twice, two checkouts never deadlock, and a replayed payment charges once.
"""

import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection

from catalog.models import Listing
from conftest import ListingFactory, ShopFactory, UserFactory, mysql_only
from orders.errors import BuyingError
from orders.models import Order, Payment
from orders.services import add_to_cart, get_or_create_cart, new_checkout_token, pay_order, place_order
from orders.tests.conftest import APPROVE, AddressFactory, card
from orders.tests.gateways import CountingGateway

pytestmark = [mysql_only, pytest.mark.mysql, pytest.mark.django_db(transaction=True)]

THREAD_TIMEOUT = 30


def run_together(jobs) -> list[str]:
    """Run each job in its own thread, all released at once; return each outcome (a word, or the error)."""
    barrier = threading.Barrier(len(jobs))
    outcomes = [""] * len(jobs)

    def worker(index, job):
        try:
            barrier.wait(timeout=THREAD_TIMEOUT)
            outcomes[index] = job()
        except BuyingError as exc:
            problems = ",".join(sorted({p.code for p in getattr(exc, "problems", [])}))
            outcomes[index] = f"{exc.code}:{problems}" if problems else exc.code
        except Exception as exc:  # noqa: BLE001 - any other error (a deadlock, a 500) fails the test below
            outcomes[index] = f"ERROR {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return outcomes


def buyer_with_cart(listings_in_order, carriers):
    buyer = UserFactory()
    cart = get_or_create_cart(user=buyer)
    for listing in listings_in_order:
        add_to_cart(cart, listing, 1)
    address = AddressFactory(user=buyer)
    sellers = {listing.seller_id for listing in listings_in_order}
    return buyer, cart, address, dict.fromkeys(sellers, carriers["ENVIA"].pk)


def checkout_job(buyer, cart, address, choice, token=None):
    def job():
        place_order(buyer, cart, address, choice, token or new_checkout_token())
        return "ok"

    return job


def test_fifty_buyers_race_for_five_copies(carriers):
    listing = ListingFactory(seller=ShopFactory().owner, quantity=5, price=Decimal("10.00"))
    jobs = [checkout_job(*buyer_with_cart([listing], carriers)) for _ in range(50)]

    outcomes = Counter(run_together(jobs))

    assert outcomes == {"ok": 5, "lines_unavailable:sold_out": 45}, outcomes
    listing.refresh_from_db()
    assert (listing.quantity, listing.units_sold) == (0, 5)
    assert Order.objects.count() == 5


def test_opposite_lock_orders_do_not_deadlock(carriers):
    seller = ShopFactory().owner
    first = ListingFactory(seller=seller, quantity=20)
    second = ListingFactory(seller=seller, quantity=20)
    for _round in range(5):
        jobs = [
            checkout_job(*buyer_with_cart([first, second], carriers)),
            checkout_job(*buyer_with_cart([second, first], carriers)),
        ]
        assert run_together(jobs) == ["ok", "ok"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.quantity, second.quantity) == (10, 10)


def test_last_copies_in_opposite_orders_fail_cleanly(carriers):
    seller = ShopFactory().owner
    for _round in range(5):
        first = ListingFactory(seller=seller, quantity=1)
        second = ListingFactory(seller=seller, quantity=1)
        jobs = [
            checkout_job(*buyer_with_cart([first, second], carriers)),
            checkout_job(*buyer_with_cart([second, first], carriers)),
        ]
        assert sorted(run_together(jobs)) == ["lines_unavailable:sold_out", "ok"]
        assert Listing.objects.filter(pk__in=[first.pk, second.pk], quantity=0).count() == 2


def test_double_submit_of_one_checkout_makes_one_order(carriers):
    listing = ListingFactory(seller=ShopFactory().owner, quantity=5)
    buyer, cart, address, choice = buyer_with_cart([listing], carriers)
    token = new_checkout_token()
    outcomes = run_together([checkout_job(buyer, cart, address, choice, token) for _ in range(5)])
    assert outcomes == ["ok"] * 5
    assert Order.objects.filter(buyer=buyer).count() == 1
    assert Listing.objects.get(pk=listing.pk).quantity == 4


def test_concurrent_replays_of_a_payment_charge_once(carriers, settings):
    settings.PAYMENT_GATEWAY = "orders.tests.gateways.CountingGateway"
    CountingGateway.reset(delay=0.3)  # the provider is slow: replays arrive while it works
    listing = ListingFactory(seller=ShopFactory().owner, quantity=5)
    buyer, cart, address, choice = buyer_with_cart([listing], carriers)
    order = place_order(buyer, cart, address, choice, new_checkout_token())
    key = "one-payment-form-token"

    def pay():
        return pay_order(order, card(APPROVE), key).status

    outcomes = run_together([pay] * 10)

    assert CountingGateway.charge_calls == 1
    assert Payment.objects.count() == 1
    assert set(outcomes) <= {"pending", "approved"} and "approved" in outcomes, outcomes
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID


def test_two_payment_forms_at_once_charge_once(carriers, settings):
    settings.PAYMENT_GATEWAY = "orders.tests.gateways.CountingGateway"
    CountingGateway.reset(delay=0.3)
    listing = ListingFactory(seller=ShopFactory().owner, quantity=5)
    order = place_order(*buyer_with_cart([listing], carriers), new_checkout_token())

    outcomes = run_together(
        [lambda i=i: pay_order(order, card(APPROVE), f"payment-form-tab-{i}").status for i in range(4)]
    )

    assert CountingGateway.charge_calls == 1
    assert sorted(outcomes) == ["approved"] + ["payment_in_progress"] * 3, outcomes
