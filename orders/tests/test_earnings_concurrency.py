"""Real races on the earnings ledger, on MariaDB: threads with their own connections.

Two payouts at once never spend the same available balance; a refund processed twice at once is entered once.
"""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from conftest import ListingFactory, ShopFactory, UserFactory, mysql_only
from orders.models import LedgerEntry, Payment, Payout
from orders.services import add_to_cart, get_or_create_cart, new_checkout_token, pay_order, place_order
from orders.services.earnings import balances, send_payout
from orders.services.payments import create_refund, process_refund
from orders.services.shipments import advance_shipments, mark_shipped
from orders.tests.conftest import AddressFactory, card
from orders.tests.test_concurrency import run_together

pytestmark = [mysql_only, pytest.mark.mysql, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def delivered_sale(carriers):
    """A paid order of one seller's 20.00 book, delivered a month ago: its money is available."""
    seller = ShopFactory().owner
    listing = ListingFactory(seller=seller, quantity=5, price=Decimal("20.00"))
    buyer = UserFactory()
    cart = get_or_create_cart(user=buyer)
    add_to_cart(cart, listing, 1)
    order = place_order(
        buyer, cart, AddressFactory(user=buyer), {seller.pk: carriers["ENVIA"].pk}, new_checkout_token()
    )
    pay_order(order, card(), "earnings-race-payment-0001")
    shipment = order.shipments.get()
    mark_shipped(shipment, seller)
    for _ in range(3):
        advance_shipments(now=timezone.now() - timedelta(days=30), push_all=True)
    return order, seller, shipment


def test_two_payouts_at_once_never_spend_the_balance_twice(delivered_sale):
    _order, seller, _shipment = delivered_sale
    available = balances(seller).available
    assert available > 0

    def payout():
        send_payout(seller, available, None, "race")
        return "ok"

    outcomes = Counter(run_together([payout, payout, payout]))

    assert outcomes == {"ok": 1, "over_available": 2}, outcomes
    assert Payout.objects.count() == 1 and balances(seller).available == 0


def test_a_refund_processed_twice_at_once_is_entered_once(delivered_sale):
    order, _seller, shipment = delivered_sale
    with transaction.atomic():
        refund = create_refund(Payment.objects.get(order=order), Decimal("5.00"), "Race", None, shipments=[shipment])

    def process():
        return process_refund(refund).status

    assert run_together([process, process, process]) == ["succeeded"] * 3
    assert LedgerEntry.objects.filter(refund=refund, kind="refund").count() == 1
    assert Payment.objects.get(order=order).refunded_amount == Decimal("5.00")


def test_an_admin_payout_overtaken_by_another_shows_its_form_again_with_the_reason(delivered_sale, staff, monkeypatch):
    """Another desk's payout commits between the admin form's check of the balance and its own write."""
    import threading

    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from orders.admin.earnings import PayoutForm

    _order, seller, _shipment = delivered_sale
    available = balances(seller).available
    checked = PayoutForm.clean

    def clean_then_the_other_desk_pays(form):
        cleaned = checked(form)
        if not Payout.objects.filter(reference="other desk").exists():
            # Its own connection and transaction, committed before this request writes.
            thread = threading.Thread(
                target=lambda: (send_payout(seller, available, None, "other desk"), connection.close())
            )
            thread.start()
            thread.join()
        return cleaned

    monkeypatch.setattr(PayoutForm, "clean", clean_then_the_other_desk_pays)
    client = Client()
    client.force_login(staff)
    response = client.post(
        reverse("admin:orders_payout_add"), {"seller": seller.pk, "amount": str(available), "reference": "T-3"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "at most the available balance" in html
    assert 'value="T-3"' in html and f'value="{available}"' in html  # what staff typed is still there
    assert list(Payout.objects.values_list("reference", flat=True)) == ["other desk"]
    assert balances(seller).available == 0
