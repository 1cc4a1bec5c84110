"""Every step of a claim: who may take it, what it records, what money moves (once), who is emailed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from claims import services
from claims.errors import ClaimError
from claims.models import Claim, ClaimEvent
from claims.states import CLAIM_STEPS, CLAIM_TRANSITIONS, ClaimStatus, check_claim_transition
from claims.tasks import escalate_overdue_claims_task
from core.states import IllegalTransition
from jobs.models import Job, ScheduledRun
from orders.models import GatewayTransaction, LedgerEntry, Payment, Refund
from orders.services import cancel_seller_part
from orders.services.payments import create_refund
from orders.states import PaymentStatus, RefundStatus

Action = ClaimEvent.Action
S = ClaimStatus


def parcel_total(claim: Claim) -> Decimal:
    shipment = claim.shipment
    return sum((line.line_total for line in shipment.lines.all()), Decimal("0")) + shipment.shipping_cost


def gateway_refunds() -> list[GatewayTransaction]:
    return list(GatewayTransaction.objects.filter(kind=GatewayTransaction.Kind.REFUND, succeeded=True))


def actions(claim: Claim) -> list[str]:
    return list(claim.events.order_by("created_at", "id").values_list("action", flat=True))


# --- The machine ------------------------------------------------------------------


def test_every_state_is_in_the_table():
    assert set(CLAIM_TRANSITIONS) == set(ClaimStatus.values)


@pytest.mark.parametrize("current", ClaimStatus.values)
@pytest.mark.parametrize("new", ClaimStatus.values)
def test_transition_table(current, new):
    if new in CLAIM_TRANSITIONS[current]:
        check_claim_transition(current, new)
    else:
        with pytest.raises(IllegalTransition):
            check_claim_transition(current, new)


@pytest.mark.parametrize("action", list(CLAIM_STEPS))
@pytest.mark.parametrize("current", ClaimStatus.values)
def test_each_step_only_from_its_statuses(action, current):
    froms, to = CLAIM_STEPS[action]
    claim = Claim(status=current)
    if current in froms:
        claim.take_step(action)
        assert claim.status == to
    else:
        with pytest.raises(IllegalTransition):
            claim.take_step(action)
        assert claim.status == current


def test_resolved_claims_move_no_more(claim, alice, charlie, staff):
    services.withdraw(claim, charlie)
    for step in (
        lambda: services.refund_in_full(claim, alice),
        lambda: services.offer_partial_refund(claim, alice, "5"),
        lambda: services.request_return(claim, alice, "Calle 1"),
        lambda: services.mark_return_received(claim, alice),
        lambda: services.accept_offer(claim, charlie),
        lambda: services.decline_offer(claim, charlie),
        lambda: services.staff_refund(claim, staff),
        lambda: services.staff_close(claim, staff, "No"),
    ):
        with pytest.raises(IllegalTransition):
            step()
    assert Refund.objects.count() == 0


def test_steps_out_of_turn_raise(claim, alice, charlie, staff):
    with pytest.raises(IllegalTransition):
        services.accept_offer(claim, charlie)  # nothing offered
    with pytest.raises(IllegalTransition):
        services.mark_return_received(claim, alice)  # no return asked
    with pytest.raises(IllegalTransition):
        services.staff_refund(claim, staff)  # not escalated


def test_each_side_takes_only_its_own_steps(claim, alice, bob, charlie, dave, staff):
    for step in (
        lambda: services.refund_in_full(claim, charlie),
        lambda: services.refund_in_full(claim, bob),
        lambda: services.offer_partial_refund(claim, dave, "5"),
        lambda: services.withdraw(claim, alice),
        lambda: services.staff_close(claim, alice, "mine"),
    ):
        with pytest.raises(ClaimError) as error:
            step()
        assert error.value.code == "not_allowed"
    services.offer_partial_refund(claim, alice, "5")
    with pytest.raises(ClaimError):
        services.accept_offer(claim, dave)
    with pytest.raises(ClaimError):
        services.accept_offer(claim, staff)


# --- The seller's answers ---------------------------------------------------------


def test_open_records_and_tells_the_seller(delivered, charlie, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        claim = services.open_claim(delivered, charlie, Claim.Kind.NOT_AS_DESCRIBED, "Wrong edition.")
    event = claim.events.get()
    assert (event.action, event.role, event.actor, event.note) == (Action.OPENED, "buyer", charlie, "Wrong edition.")
    assert [m.to for m in mailoutbox] == [["alice@example.com"]]
    assert claim.seller_deadline > timezone.now() + timedelta(days=2)


def test_refund_in_full_gives_back_what_the_parcel_cost(claim, alice, mailoutbox, django_capture_on_commit_callbacks):
    total = parcel_total(claim)
    with django_capture_on_commit_callbacks(execute=True):
        claim = services.refund_in_full(claim, alice)
    claim.refresh_from_db()
    assert claim.status == S.REFUNDED and claim.resolved_at
    assert claim.refund.amount == total and claim.refund.status == RefundStatus.SUCCEEDED
    assert [g.amount for g in gateway_refunds()] == [total]
    payment = Payment.objects.get(order=claim.shipment.order)
    assert payment.refunded_amount == total and payment.status == PaymentStatus.REFUNDED
    event = claim.events.get(action=Action.REFUNDED_IN_FULL)
    assert (event.actor, event.amount) == (alice, total)
    assert [m.to for m in mailoutbox] == [["charlie@example.com"]]


def test_partial_refund_refunds_exactly_that_amount_once_however_replayed(
    claim, alice, charlie, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_partial_refund(claim, alice, Decimal("7.25"))
    assert [m.to for m in mailoutbox] == [["charlie@example.com"]]
    claim.refresh_from_db()
    assert (claim.status, claim.offer_amount) == (S.PARTIAL_OFFERED, Decimal("7.25"))

    with django_capture_on_commit_callbacks(execute=True):
        first = services.accept_offer(claim, charlie)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.accept_offer(claim, charlie)  # a double submit
    services.process_claim_refund(claim.pk)  # the job delivered twice
    job = Job.objects.get(key=f"claim_refund:{claim.pk}")
    assert job.status == "done"
    # The decision replayed from scratch (a crash before the claim was saved) finds the recorded refund.
    payment = Payment.objects.get(order=claim.shipment.order)
    assert create_refund(payment, Decimal("7.25"), "replay", None, idempotency_key=f"claim-{claim.pk}-refund") == (
        first.refund
    )

    assert again.pk == first.pk and again.refund_id == first.refund_id
    assert Refund.objects.count() == 1
    assert [g.amount for g in gateway_refunds()] == [Decimal("7.25")]
    payment.refresh_from_db()
    assert payment.refunded_amount == Decimal("7.25") and payment.status == PaymentStatus.PARTIALLY_REFUNDED
    assert actions(claim) == [Action.OPENED, Action.PARTIAL_OFFERED, Action.OFFER_ACCEPTED]
    assert [m.to for m in mailoutbox] == [["charlie@example.com"], ["alice@example.com"]]
    # The seller's ledger is charged that amount once, against the claimed parcel.
    refunds = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFUND)
    assert [(e.seller, e.shipment_id, e.amount) for e in refunds] == [(alice, claim.shipment_id, Decimal("-7.25"))]


@pytest.mark.parametrize("amount", ["0", "-1", "abc", "NaN", "Infinity", "100000"])
def test_partial_offer_must_be_within_what_is_left(claim, alice, amount):
    with pytest.raises(ClaimError) as error:
        services.offer_partial_refund(claim, alice, amount)
    assert error.value.code == "invalid_amount"
    claim.refresh_from_db()
    assert claim.status == S.OPEN


def test_declined_offer_goes_to_staff(claim, alice, charlie, mailoutbox, django_capture_on_commit_callbacks):
    services.offer_partial_refund(claim, alice, "5")
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_offer(claim, charlie, "Five is too little.")
    claim.refresh_from_db()
    assert claim.status == S.ESCALATED
    assert claim.events.get(action=Action.OFFER_DECLINED).note == "Five is too little."
    assert [m.to for m in mailoutbox] == [["alice@example.com"]]


def test_return_flow(claim, alice, charlie, mailoutbox, django_capture_on_commit_callbacks):
    with pytest.raises(ClaimError):
        services.request_return(claim, alice, "  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.request_return(claim, alice, "Alice's Attic\nCalle 80 # 10-20\nBogotá")
    claim.refresh_from_db()
    assert claim.status == S.RETURN_REQUESTED and "Calle 80" in claim.return_address
    assert claim.refund is None and not gateway_refunds()
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_return_received(claim, alice)
    claim.refresh_from_db()
    assert claim.status == S.REFUNDED and claim.refund.amount == parcel_total(claim)
    assert claim.refund.status == RefundStatus.SUCCEEDED
    assert [m.to for m in mailoutbox] == [["charlie@example.com"], ["charlie@example.com"]]


def test_buyer_may_escalate_a_return_that_never_ends(claim, alice, charlie):
    services.request_return(claim, alice, "Calle 80")
    services.escalate(claim, charlie)
    claim.refresh_from_db()
    assert claim.status == S.ESCALATED


def test_buyer_waits_for_the_seller_deadline_before_escalating(claim, charlie):
    with pytest.raises(ClaimError) as error:
        services.escalate(claim, charlie)
    assert error.value.code == "seller_has_time"
    Claim.objects.filter(pk=claim.pk).update(seller_deadline=timezone.now() - timedelta(minutes=1))
    services.escalate(claim, charlie)
    claim.refresh_from_db()
    assert claim.status == S.ESCALATED


# --- Staff and the deadline -------------------------------------------------------


@pytest.fixture
def escalated(claim, alice, charlie):
    services.offer_partial_refund(claim, alice, "3")
    services.decline_offer(claim, charlie)
    claim.refresh_from_db()
    return claim


def test_staff_refund_partial_within_what_is_left(escalated, staff, mailoutbox, django_capture_on_commit_callbacks):
    with pytest.raises(ClaimError) as error:
        services.staff_refund(escalated, staff, parcel_total(escalated) + Decimal("0.01"))
    assert error.value.code == "invalid_amount"
    with django_capture_on_commit_callbacks(execute=True):
        services.staff_refund(escalated, staff, Decimal("10.00"), "Half the books were damaged.")
    escalated.refresh_from_db()
    assert escalated.status == S.REFUNDED and escalated.refund.amount == Decimal("10.00")
    assert [g.amount for g in gateway_refunds()] == [Decimal("10.00")]
    assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.com", "charlie@example.com"]


def test_staff_refund_in_full_by_default(escalated, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.staff_refund(escalated, staff)
    escalated.refresh_from_db()
    assert escalated.refund.amount == parcel_total(escalated)


def test_staff_close_needs_a_reason(escalated, staff, mailoutbox, django_capture_on_commit_callbacks):
    with pytest.raises(ClaimError):
        services.staff_close(escalated, staff, "  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.staff_close(escalated, staff, "The photos show the book as listed.")
    escalated.refresh_from_db()
    assert escalated.status == S.CLOSED and escalated.resolution.startswith("The photos")
    assert Refund.objects.count() == 0
    assert len(mailoutbox) == 2


def test_only_staff_decide(escalated, alice, charlie):
    for user in (alice, charlie):
        with pytest.raises(ClaimError):
            services.staff_refund(escalated, user)


def test_deadline_job_escalates_once(claim, delivered, mailoutbox, django_capture_on_commit_callbacks):
    later = timezone.now() + timedelta(days=4)
    assert services.escalate_overdue_claims(timezone.now()) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.escalate_overdue_claims(later) == 1
    assert services.escalate_overdue_claims(later) == 0
    claim.refresh_from_db()
    assert claim.status == S.ESCALATED
    assert actions(claim).count(Action.ESCALATED_OVERDUE) == 1
    event = claim.events.get(action=Action.ESCALATED_OVERDUE)
    assert (event.role, event.actor) == ("system", None)
    assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.com", "charlie@example.com"]


def test_deadline_task_claims_its_period(claim):
    Claim.objects.filter(pk=claim.pk).update(seller_deadline=timezone.now() - timedelta(hours=1))
    escalate_overdue_claims_task()
    escalate_overdue_claims_task()  # a second beat's message in the same period
    assert ScheduledRun.objects.filter(task="claims.escalate_overdue_claims").count() == 1
    claim.refresh_from_db()
    assert claim.status == S.ESCALATED
    assert actions(claim).count(Action.ESCALATED_OVERDUE) == 1


def test_seller_answer_before_the_job_keeps_the_claim_from_staff(claim, alice):
    services.offer_partial_refund(claim, alice, "4")
    assert services.escalate_overdue_claims(timezone.now() + timedelta(days=10)) == 0


# --- Money limits -----------------------------------------------------------------


def test_never_more_than_paid_for_the_parcel_less_earlier_refunds(
    paid_order, alice, bob, charlie, bob_listing, carriers, django_capture_on_commit_callbacks
):
    """A second claim on the same parcel may only give back what the first left."""
    from claims.tests.conftest import deliver

    shipment = paid_order.shipments.get()
    from orders.services.shipments import mark_shipped

    mark_shipped(shipment, alice)
    shipment = deliver(shipment)
    first = services.open_claim(shipment, charlie, Claim.Kind.NOT_AS_DESCRIBED, "One copy torn")
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_partial_refund(first, alice, "20.00")
        services.accept_offer(first, charlie)
    second = services.open_claim(shipment, charlie, Claim.Kind.NOT_AS_DESCRIBED, "The other too")
    left = parcel_total(second) - Decimal("20.00")
    assert services.refundable_left(second) == left
    with pytest.raises(ClaimError):
        services.offer_partial_refund(second, alice, left + Decimal("0.01"))
    with django_capture_on_commit_callbacks(execute=True):
        services.refund_in_full(second, alice)
    second.refresh_from_db()
    assert second.refund.amount == left
    assert services.refundable_left(second) == 0
    third = Claim.objects.create(
        shipment=shipment, buyer=charlie, kind="not_as_described", message="x", seller_deadline=timezone.now()
    )
    with pytest.raises(ClaimError) as error:
        services.refund_in_full(third, alice)
    assert error.value.code == "nothing_to_refund"


def test_cancellation_refunds_of_other_parts_count(
    charlie, alice, bob, alice_listing, bob_listing, carriers, django_capture_on_commit_callbacks
):
    """Two sellers, bob's part cancelled and refunded: alice's claim can still give back all of her part."""
    from claims.tests.conftest import deliver
    from orders.services import add_to_cart, get_or_create_cart, new_checkout_token, pay_order, place_order
    from orders.services.shipments import mark_shipped
    from orders.tests.conftest import AddressFactory, card

    cart = get_or_create_cart(user=charlie)
    add_to_cart(cart, alice_listing, 1)
    add_to_cart(cart, bob_listing, 1)
    choice = {alice.pk: carriers["SERVI"].pk, bob.pk: carriers["FEDEX"].pk}
    order = place_order(charlie, cart, AddressFactory(user=charlie), choice, new_checkout_token())
    pay_order(order, card(), "claims-two-sellers-0001")
    with django_capture_on_commit_callbacks(execute=True):
        cancel_seller_part(order, bob, charlie)
    shipment = order.shipments.get(seller=alice)
    mark_shipped(shipment, alice)
    shipment = deliver(shipment)
    claim = services.open_claim(shipment, charlie, Claim.Kind.NOT_AS_DESCRIBED, "Stained")
    payment = Payment.objects.get(order=order)
    assert services.refundable_left(claim) == parcel_total(claim) == payment.refundable_amount
    with django_capture_on_commit_callbacks(execute=True):
        services.refund_in_full(claim, alice)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED and payment.refunded_amount == payment.amount


def test_a_failed_gateway_call_is_retried_with_the_same_key(
    claim, alice, settings, django_capture_on_commit_callbacks
):
    settings.PAYMENT_GATEWAY = "claims.tests.gateways.FlakyRefundGateway"
    from claims.tests.gateways import FlakyRefundGateway

    FlakyRefundGateway.failures_left = 1
    with django_capture_on_commit_callbacks(execute=True):
        services.refund_in_full(claim, alice)
    claim.refresh_from_db()
    assert claim.refund.status == RefundStatus.FAILED
    job = Job.objects.get(key=f"claim_refund:{claim.pk}")
    assert job.status != "done"
    services.process_claim_refund(claim.pk)  # the job's retry
    claim.refund.refresh_from_db()
    assert claim.refund.status == RefundStatus.SUCCEEDED
    assert len(gateway_refunds()) == 1
