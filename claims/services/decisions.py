"""Answering a claim: the seller's answers, the buyer's replies, staff decisions and the deadline job.

Each step is one transaction: the order row is locked first (``orders.services``' lock order), then the
claim, then, when money goes back, the payment and its refunds. A step that gives money back records a
``Refund`` under the claim's own idempotency key and leaves the gateway call to the job
``claims.services.process_claim_refund``, after commit and with no lock held: replaying the step, or running
the job again, moves the money once.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from claims.errors import ClaimError
from claims.models import Claim, ClaimEvent
from claims.services.timeline import record
from claims.states import ClaimStatus
from core.money import ZERO, to_cents
from core.states import IllegalTransition
from jobs.services import enqueue
from orders.models import Order, OrderLine, Payment, Refund
from orders.services.payments import create_refund, process_refund
from orders.states import PaymentStatus, RefundStatus

Action = ClaimEvent.Action
Role = ClaimEvent.Role
ADDRESS_MAX_LENGTH = 500
REASON_MAX_LENGTH = 500


class RefundNotYetMade(Exception):
    """The gateway has not refunded yet: the job is retried (same idempotency key)."""


# --- Money ------------------------------------------------------------------------


def _paid_payment(order_id: int, *, lock: bool) -> Payment | None:
    payments = Payment.objects.filter(
        order_id=order_id,
        status__in=[PaymentStatus.APPROVED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED],
    )
    return (payments.select_for_update() if lock else payments).order_by("pk").first()


def refundable_left(claim: Claim, payment: Payment | None = None) -> Decimal:
    """What may still go back to the buyer for ``claim``'s shipment.

    What the buyer paid for that shipment (its books and its shipping) less what claims on it already gave
    back, and never more than the payment has left (cancellations of other parts refunded some of it) less
    refunds still being made on it.
    """
    shipment = claim.shipment
    payment = payment if payment is not None else _paid_payment(shipment.order_id, lock=False)
    if payment is None:
        return ZERO
    items = OrderLine.objects.filter(shipment=shipment).aggregate(total=Sum("line_total"))["total"] or ZERO
    paid_for_shipment = to_cents(items + shipment.shipping_cost)
    claimed = Refund.objects.filter(claim__shipment=shipment).aggregate(total=Sum("amount"))["total"] or ZERO
    owed = payment.refunds.exclude(status=RefundStatus.SUCCEEDED).aggregate(total=Sum("amount"))["total"] or ZERO
    return max(min(paid_for_shipment - claimed, payment.refundable_amount - owed), ZERO)


def _clean_amount(value, left: Decimal) -> Decimal:
    try:
        amount = to_cents(value)
    except (InvalidOperation, TypeError, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0 or amount > left:
        raise ClaimError(_("Enter an amount above zero and at most %(left)s.") % {"left": left}, code="invalid_amount")
    return amount


def _refund_key(claim: Claim) -> str:
    # A claim ends in at most one refund: the claim names its decision.
    return f"claim-{claim.pk}-refund"


def _give_back(claim: Claim, amount: Decimal | None, by: User | None, reason: str) -> Decimal:
    """Record the refund of ``amount`` (None: all that is left) for ``claim``; the job makes it after commit."""
    payment = _paid_payment(claim.shipment.order_id, lock=True)
    if payment is None:
        raise ClaimError(_("This order has no payment left to refund."), code="not_paid")
    left = refundable_left(claim, payment)
    if left <= 0:
        raise ClaimError(_("Everything paid for this parcel was already refunded."), code="nothing_to_refund")
    amount = left if amount is None else _clean_amount(amount, left)
    claim.refund = create_refund(
        payment, amount, reason, by, idempotency_key=_refund_key(claim), shipments=[claim.shipment]
    )
    enqueue("claims.services.process_claim_refund", key=f"claim_refund:{claim.pk}", claim_id=claim.pk)
    return amount


def process_claim_refund(claim_id: int) -> Refund:
    """The job: ask the gateway for the claim's refund (no lock held); raise to be retried until it succeeds.

    Safe to run again: a refund already made is returned unchanged, and the gateway sees the same key.
    """
    claim = Claim.objects.select_related("refund").get(pk=claim_id)
    refund = process_refund(claim.refund)
    if refund.status != RefundStatus.SUCCEEDED:
        raise RefundNotYetMade(f"refund {refund.pk} of claim {claim_id}: {refund.failure_code}")
    return refund


# --- One step ---------------------------------------------------------------------


def _step(claim: Claim, by: User | None, role: str, action: str, change, *, replayable: bool = True) -> Claim:
    """Lock, check who may act, move the claim, apply ``change(locked_claim, now) -> (amount, note)``, record it.

    A replay of the step that already moved the claim (a double submit) returns the claim unchanged when
    ``replayable``; any other move the machine does not allow raises IllegalTransition.
    """
    _check_role(claim, by, role)
    now = timezone.now()
    with transaction.atomic():
        Order.objects.select_for_update().get(pk=claim.shipment.order_id)
        locked = Claim.objects.select_for_update().select_related("shipment").get(pk=claim.pk)
        if replayable and _last_action(locked) == action:
            return locked
        locked.take_step(action)
        amount, note = change(locked, now)
        if locked.is_resolved:
            locked.resolved_at = now
        locked.save()
        record(locked, action, role, by, amount=amount, note=note, when=now)
    return locked


def _last_action(claim: Claim) -> str | None:
    return claim.events.order_by("-created_at", "-id").values_list("action", flat=True).first()


def _check_role(claim: Claim, by: User | None, role: str) -> None:
    allowed = {
        Role.BUYER: lambda: by is not None and by.pk == claim.buyer_id,
        Role.SELLER: lambda: by is not None and by.pk == claim.shipment.seller_id,
        Role.STAFF: lambda: by is not None and by.is_staff,
        Role.SYSTEM: lambda: by is None,
    }[role]()
    if not allowed:
        raise ClaimError(_("You cannot take this step on this claim."), code="not_allowed")


# --- The seller -------------------------------------------------------------------


def refund_in_full(claim: Claim, seller: User) -> Claim:
    """The seller refunds everything left for the parcel. Raises ClaimError, IllegalTransition."""

    def change(locked, now):
        return _give_back(
            locked, None, seller, _("Claim %(id)s: refunded in full by the seller.") % {"id": locked.pk}
        ), ""

    return _step(claim, seller, Role.SELLER, Action.REFUNDED_IN_FULL, change)


def offer_partial_refund(claim: Claim, seller: User, amount) -> Claim:
    """The seller offers ``amount`` (at most what is left) back; the buyer accepts or asks staff."""

    def change(locked, now):
        offer = _clean_amount(amount, refundable_left(locked))
        locked.offer_amount = offer
        return offer, ""

    return _step(claim, seller, Role.SELLER, Action.PARTIAL_OFFERED, change)


def request_return(claim: Claim, seller: User, return_address: str) -> Claim:
    """The seller asks for the book back at ``return_address``; the refund follows once they receive it."""
    address = (return_address or "").strip()
    if not address or len(address) > ADDRESS_MAX_LENGTH:
        raise ClaimError(
            _("Give the address to send the book back to, in at most %(max)s characters.")
            % {"max": ADDRESS_MAX_LENGTH},
            code="invalid_address",
        )

    def change(locked, now):
        locked.return_address = address
        return None, address

    return _step(claim, seller, Role.SELLER, Action.RETURN_REQUESTED, change)


def mark_return_received(claim: Claim, seller: User) -> Claim:
    """The seller got the book back: everything left for the parcel is refunded."""

    def change(locked, now):
        reason = _("Claim %(id)s: the book was returned.") % {"id": locked.pk}
        return _give_back(locked, None, seller, reason), ""

    return _step(claim, seller, Role.SELLER, Action.RETURN_RECEIVED, change)


# --- The buyer --------------------------------------------------------------------


def accept_offer(claim: Claim, buyer: User) -> Claim:
    """The buyer accepts the seller's partial refund: exactly that amount goes back, once."""

    def change(locked, now):
        reason = _("Claim %(id)s: partial refund accepted by the buyer.") % {"id": locked.pk}
        return _give_back(locked, locked.offer_amount, buyer, reason), ""

    return _step(claim, buyer, Role.BUYER, Action.OFFER_ACCEPTED, change)


def decline_offer(claim: Claim, buyer: User, note: str = "") -> Claim:
    """The buyer declines the partial refund: staff decide."""
    return _step(claim, buyer, Role.BUYER, Action.OFFER_DECLINED, lambda c, now: (None, _note(note)))


def escalate(claim: Claim, buyer: User, note: str = "") -> Claim:
    """The buyer asks staff to decide: after the seller's answer did not settle it, or once the seller's deadline
    passed without one. Raises ClaimError ``seller_has_time`` while the seller may still answer."""
    current = Claim.objects.only("status", "seller_deadline").get(pk=claim.pk)
    if current.status == ClaimStatus.OPEN and not current.is_overdue:
        raise ClaimError(
            _("The seller has until %(date)s to answer; you can ask our staff after that.")
            % {"date": timezone.localtime(current.seller_deadline).strftime("%Y-%m-%d %H:%M")},
            code="seller_has_time",
        )
    return _step(claim, buyer, Role.BUYER, Action.ESCALATED_BY_BUYER, lambda c, now: (None, _note(note)))


def withdraw(claim: Claim, buyer: User) -> Claim:
    """The buyer withdraws the claim (the parcel turned up, or it was settled): it is closed."""
    return _step(claim, buyer, Role.BUYER, Action.WITHDRAWN, lambda c, now: (None, ""))


def _note(text: str) -> str:
    return (text or "").strip()[:REASON_MAX_LENGTH]


# --- Staff and the deadline -------------------------------------------------------


def staff_refund(claim: Claim, staff: User, amount=None, note: str = "") -> Claim:
    """Staff decide an escalated claim with a refund of ``amount`` (None: all that is left)."""

    def change(locked, now):
        reason = _("Claim %(id)s: refund decided by our staff.") % {"id": locked.pk}
        return _give_back(locked, amount, staff, reason), _note(note)

    return _step(claim, staff, Role.STAFF, Action.STAFF_REFUNDED, change)


def staff_close(claim: Claim, staff: User, reason: str) -> Claim:
    """Staff close an escalated claim without a refund, saying why."""
    reason = _note(reason)
    if not reason:
        raise ClaimError(_("Say why the claim is closed: both sides will read it."), code="invalid_reason")

    def change(locked, now):
        locked.resolution = reason
        return None, reason

    return _step(claim, staff, Role.STAFF, Action.STAFF_CLOSED, change)


def escalate_overdue_claims(now: datetime | None = None) -> int:
    """Send to staff every claim whose seller did not answer by the deadline; returns how many. Run again, it
    finds nothing new: each claim is escalated once."""
    now = now or timezone.now()
    overdue = Claim.objects.filter(status=ClaimStatus.OPEN, seller_deadline__lte=now).select_related("shipment")
    escalated = 0
    for claim in overdue.order_by("pk"):
        try:
            _step(
                claim,
                None,
                Role.SYSTEM,
                Action.ESCALATED_OVERDUE,
                lambda c, at: (None, ""),
                replayable=False,
            )
        except IllegalTransition:
            continue  # the seller answered meanwhile
        escalated += 1
    return escalated
