"""Sellers' earnings: the fee per line, the append-only ledger on payment, refund and payout, and balances."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from conftest import ListingFactory, UserFactory
from orders.errors import PayoutError
from orders.models import AppendOnlyError, FeeRate, LedgerEntry, Order, OrderLine, Payment, Payout, Refund
from orders.services import (
    add_to_cart,
    cancel_order,
    cancel_seller_part,
    get_or_create_cart,
    new_checkout_token,
    pay_order,
    place_order,
)
from orders.services.earnings import balances, record_refund, send_payout
from orders.services.fees import fee_for
from orders.services.payments import create_refund, process_refund
from orders.services.shipments import advance_shipments, mark_shipped
from orders.tests.conftest import AddressFactory, card

pytestmark = pytest.mark.django_db

D = Decimal
Kind = LedgerEntry.Kind


@pytest.fixture
def paid_order(placed_order):
    pay_order(placed_order, card(), "pay-the-placed-order")
    return Order.objects.get(pk=placed_order.pk)


def entries(seller, **filters):
    """(kind, amount, refunded?) of ``seller``'s entries, oldest first."""
    rows = LedgerEntry.objects.filter(seller=seller, **filters).order_by("pk")
    return [(e.kind, e.amount, e.refund_id is not None) for e in rows]


def deliver(shipment, when=None):
    """Ship ``shipment`` and let the carrier simulator carry it to the door, delivered at ``when``."""
    mark_shipped(shipment, shipment.seller)
    for _ in range(3):
        advance_shipments(now=when or timezone.now(), push_all=True)
    shipment.refresh_from_db()
    assert shipment.status == "delivered"
    return shipment


def order_from(listing, carriers, quantity=1, carrier="SERVI"):
    buyer = UserFactory()
    cart = get_or_create_cart(user=buyer)
    add_to_cart(cart, listing, quantity)
    return place_order(
        buyer, cart, AddressFactory(user=buyer), {listing.seller_id: carriers[carrier].pk}, new_checkout_token()
    )


# --- The fee --------------------------------------------------------------------------


def test_fee_rounds_half_up_to_the_cent():
    assert fee_for(D("9.99"), D("10")) == D("1.00")  # 0.999
    assert fee_for(D("0.25"), D("10")) == D("0.03")  # 0.025: half up, not to even
    assert fee_for(D("12.50"), D("12.5")) == D("1.56")  # 1.5625
    assert fee_for(D("20.00"), D("0")) == D("0.00")


def test_fee_is_fixed_per_line_at_checkout_from_default_or_category(
    placed_order, alice_listing, bob_listing, settings, charlie, charlie_address, choice, carriers
):
    alice_line = OrderLine.objects.get(order=placed_order, listing=alice_listing)
    bob_line = OrderLine.objects.get(order=placed_order, listing=bob_listing)
    assert (alice_line.fee_percent, alice_line.fee) == (D("10"), D("2.50"))  # 2 x 12.50 at the default 10 %
    assert (bob_line.fee_percent, bob_line.fee) == (D("10"), D("1.00"))  # 9.99 -> 0.999

    # Staff set a rate for the category of Dune's book; the default changes too: the placed order keeps its fees.
    FeeRate.objects.create(category=bob_listing.book.category, percent=D("4.5"))
    settings.MARKETPLACE_FEE_PERCENT = D("12")
    bob_line.refresh_from_db()
    assert bob_line.fee == D("1.00")

    cart = get_or_create_cart(user=charlie)
    add_to_cart(cart, alice_listing, 1)
    add_to_cart(cart, bob_listing, 1)
    later = place_order(charlie, cart, charlie_address, choice, new_checkout_token())
    fees = {line.listing_id: (line.fee_percent, line.fee) for line in later.lines.all()}
    assert fees == {alice_listing.pk: (D("12"), D("1.50")), bob_listing.pk: (D("4.5"), D("0.45"))}


# --- The ledger ---------------------------------------------------------------------------


def test_payment_enters_sale_and_fee_per_sellers_shipment(placed_order, alice, bob):
    assert not LedgerEntry.objects.exists()  # placing is not selling
    pay_order(placed_order, card(), "pay-the-placed-order")
    # alice: 2 x 12.50 + 4.60 shipping, fee 2.50; bob: 9.99 + 31.00 shipping, fee 1.00.
    assert entries(alice) == [(Kind.SALE, D("29.60"), False), (Kind.FEE, D("-2.50"), False)]
    assert entries(bob) == [(Kind.SALE, D("40.99"), False), (Kind.FEE, D("-1.00"), False)]
    assert balances(alice).pending == D("27.10") and balances(alice).available == 0
    # A replayed payment enters nothing more.
    pay_order(placed_order, card(), "pay-the-placed-order")
    assert LedgerEntry.objects.count() == 4


def test_declined_payment_enters_nothing(placed_order):
    pay_order(placed_order, card("4000 0000 0000 0002"), "declined-payment-key")
    assert not LedgerEntry.objects.exists()


def test_cancellation_refund_gives_back_sale_and_fee_of_each_part(paid_order, charlie, alice, bob):
    cancel_order(paid_order, charlie)
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.SUCCEEDED
    assert entries(alice, refund=refund) == [(Kind.REFUND, D("-29.60"), True), (Kind.FEE, D("2.50"), True)]
    assert entries(bob, refund=refund) == [(Kind.REFUND, D("-40.99"), True), (Kind.FEE, D("1.00"), True)]
    assert balances(alice).total == 0 and balances(bob).total == 0


def test_cancelling_one_part_charges_only_its_seller(paid_order, charlie, alice, bob):
    cancel_seller_part(paid_order, bob, charlie)
    assert entries(bob)[2:] == [(Kind.REFUND, D("-40.99"), True), (Kind.FEE, D("1.00"), True)]
    assert len(entries(alice)) == 2 and balances(alice).total == D("27.10")


def test_partial_refunds_are_entered_once_with_their_share_of_the_fee(paid_order, alice, staff):
    part = deliver(paid_order.shipments.get(seller=alice))
    payment = Payment.objects.get(order=paid_order)
    with transaction.atomic():
        refund = create_refund(payment, D("10.00"), "Cover torn", staff, shipments=[part])
    process_refund(refund)
    # 2.50 of fee on a 29.60 sale: 10.00 refunded gives back 2.50 x 10 / 29.60 = 0.8445 -> 0.84.
    assert entries(alice, refund=refund) == [(Kind.REFUND, D("-10.00"), True), (Kind.FEE, D("0.84"), True)]

    # Replaying it, through the service or straight to the ledger, enters nothing more.
    assert process_refund(refund).status == Refund.Status.SUCCEEDED
    assert record_refund(Refund.objects.get(pk=refund.pk)) == []
    assert LedgerEntry.objects.filter(refund=refund).count() == 2

    # The rest of the sale: the fee is given back in full, never more.
    with transaction.atomic():
        rest = create_refund(payment, D("19.60"), "Lost", staff, shipments=[part])
    process_refund(rest)
    assert entries(alice, refund=rest) == [(Kind.REFUND, D("-19.60"), True), (Kind.FEE, D("1.66"), True)]
    assert balances(alice).total == 0
    assert Payment.objects.get(pk=payment.pk).refunded_amount == D("29.60")


def test_a_refund_cannot_be_entered_twice_for_a_shipment(paid_order, alice, staff):
    part = paid_order.shipments.get(seller=alice)
    payment = Payment.objects.get(order=paid_order)
    with transaction.atomic():
        refund = create_refund(payment, D("5.00"), "Late", staff, shipments=[part])
    process_refund(refund)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(seller=alice, kind=Kind.REFUND, amount=D("-5.00"), shipment=part, refund=refund)


def test_failed_refund_is_entered_when_it_finally_succeeds(paid_order, charlie, alice, settings):
    settings.PAYMENT_GATEWAY = "orders.tests.gateways.UnreachableGateway"
    order = cancel_order(paid_order, charlie)
    assert not LedgerEntry.objects.filter(kind=Kind.REFUND).exists()
    assert balances(alice).pending == D("27.10")  # still owed back: the money stays pending
    settings.PAYMENT_GATEWAY = "orders.gateway.SimulatedGateway"
    process_refund(Refund.objects.get(payment__order=order))
    assert balances(alice).total == 0


def test_refund_naming_no_seller_part_enters_nothing(paid_order, staff):
    payment = Payment.objects.get(order=paid_order)
    with transaction.atomic():
        refund = create_refund(payment, D("1.00"), "Goodwill", staff)
    process_refund(refund)
    assert not LedgerEntry.objects.filter(refund=refund).exists()


# --- Pending, available, payouts -------------------------------------------------------------


def test_delivery_and_the_hold_make_money_available(paid_order, alice, settings):
    settings.EARNINGS_HOLD_DAYS = 7
    part = paid_order.shipments.get(seller=alice)
    now = timezone.now()
    assert balances(alice, now).pending == D("27.10")
    mark_shipped(part, alice)
    assert balances(alice, now + timedelta(days=30)).pending == D("27.10")  # shipped is not delivered
    delivered = now + timedelta(days=2)
    for _ in range(3):
        advance_shipments(now=delivered, push_all=True)
    assert balances(alice, delivered + timedelta(days=6)).available == 0
    later = balances(alice, delivered + timedelta(days=7))
    assert (later.pending, later.available) == (0, D("27.10"))
    assert LedgerEntry.objects.filter(seller=alice).count() == 2  # nothing was written or changed


def test_payout_only_up_to_the_available_balance(paid_order, alice, staff):
    deliver(paid_order.shipments.get(seller=alice), timezone.now() - timedelta(days=10))
    assert balances(alice).available == D("27.10")
    with pytest.raises(PayoutError) as info:
        send_payout(alice, D("27.11"), staff)
    assert info.value.code == "over_available"
    for bad in (D("0"), D("-5"), "abc"):
        with pytest.raises(PayoutError) as info:
            send_payout(alice, bad, staff)
        assert info.value.code == "invalid_amount"
    assert not Payout.objects.exists()

    payout = send_payout(alice, D("20.00"), staff, "Transfer 123")
    assert (payout.amount, payout.created_by) == (D("20.00"), staff)
    assert entries(alice)[-1] == (Kind.PAYOUT, D("-20.00"), False)
    after = balances(alice)
    assert (after.available, after.paid_out, after.pending) == (D("7.10"), D("20.00"), 0)
    with pytest.raises(PayoutError):
        send_payout(alice, D("7.11"), staff)


def test_entries_and_payouts_are_never_changed_or_deleted(paid_order, alice, staff):
    deliver(paid_order.shipments.get(seller=alice), timezone.now() - timedelta(days=10))
    payout = send_payout(alice, D("1.00"), staff)
    entry = LedgerEntry.objects.filter(seller=alice).first()
    entry.amount = D("1000.00")
    for attempt in (entry.save, entry.delete, payout.save, payout.delete):
        with pytest.raises(AppendOnlyError):
            attempt()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(seller=alice).update(amount=0)
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        Payout.objects.all().delete()
    assert LedgerEntry.objects.filter(seller=alice).count() == 3


def test_balances_reconcile_with_orders_refunds_and_payouts(alice, carriers, staff, settings):
    """Several orders of one seller, each ending differently: the ledger's sums match the orders' own figures."""
    settings.EARNINGS_HOLD_DAYS = 7
    listing = ListingFactory(seller=alice, quantity=50, price=D("12.35"))
    long_ago = timezone.now() - timedelta(days=20)
    orders = [order_from(listing, carriers, quantity=q) for q in (1, 2, 3, 1, 2)]
    for n, order in enumerate(orders[:4]):  # the last one is never paid
        pay_order(order, card(), f"reconcile-payment-{n:04d}")
    delivered_long_ago, delivered_now, cancelled, claimed = orders[:4]
    deliver(delivered_long_ago.shipments.get(), long_ago)
    deliver(delivered_now.shipments.get())
    cancel_order(cancelled, cancelled.buyer)
    part = deliver(claimed.shipments.get(), long_ago)
    with transaction.atomic():
        payment = Payment.objects.get(order=claimed)
        partial = create_refund(payment, D("7.77"), "Not as described", staff, shipments=[part])
    process_refund(partial)
    send_payout(alice, D("10.00"), staff)

    # What the orders say, without reading the ledger.
    paid = Order.objects.filter(pk__in=[o.pk for o in orders], paid_at__isnull=False)
    lines = OrderLine.objects.filter(order__in=paid)
    sales = sum((line.line_total for line in lines), D(0)) + sum((o.shipments.get().shipping_cost for o in paid), D(0))
    refunds = sum(r.amount for r in Refund.objects.filter(payment__order__in=paid, status=Refund.Status.SUCCEEDED))
    claimed_sale = claimed.lines.get().line_total + part.shipping_cost
    claimed_fee = claimed.lines.get().fee
    fees = (
        sum((line.fee for line in lines), D(0))
        - cancelled.lines.get().fee
        - (claimed_fee * D("7.77") / claimed_sale).quantize(D("0.01"))
    )
    payouts = sum(p.amount for p in Payout.objects.filter(seller=alice))

    money = balances(alice)
    assert (money.sales, money.fees, money.refunds, money.paid_out) == (sales, fees, refunds, payouts)
    assert money.sales - money.fees - money.refunds - money.paid_out == money.pending + money.available
    # Available: the two parts delivered long ago, net of the claim's refund and the payout; pending: the rest.
    released = [delivered_long_ago, claimed]
    expected_available = (
        sum(
            (line.line_total - line.fee for line in OrderLine.objects.filter(order__in=released)),
            D(0),
        )
        + sum((o.shipments.get().shipping_cost for o in released), D(0))
        - D("7.77")
        + (claimed_fee * D("7.77") / claimed_sale).quantize(D("0.01"))
        - D("10.00")
    )
    assert money.available == expected_available
    now_line = delivered_now.lines.get()
    assert money.pending == now_line.line_total - now_line.fee + delivered_now.shipments.get().shipping_cost
