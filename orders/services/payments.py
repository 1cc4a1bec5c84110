"""Paying an order, and giving money back, through the gateway named by ``settings.PAYMENT_GATEWAY``.

The gateway is always called with no transaction or row lock open: a short transaction records the attempt,
the gateway is called, a second short transaction records the outcome. Idempotency keys make every step
safe to replay.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.money import ZERO, to_cents
from jobs.services import enqueue
from orders.errors import PaymentError
from orders.gateway import FAILURE_MESSAGES, ChargeResult, card_brand, card_problem, get_gateway, normalize_card_number
from orders.models import Order, Payment, Refund, Shipment, untranslated
from orders.services.earnings import record_refund, record_sales
from orders.services.shipments import release_shipments
from orders.states import OrderStatus, PaymentStatus, RefundStatus

KEY_MAX_LENGTH = 100


@dataclass(frozen=True)
class CardDetails:
    """What the payment form collected. Never stored, never logged: only brand and last four digits are kept."""

    number: str = field(repr=False)
    exp_month: int
    exp_year: int
    cvc: str = field(repr=False)

    @property
    def digits(self) -> str:
        return normalize_card_number(self.number)


def _stale_before(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.PAYMENT_STALE_SECONDS)


def payment_in_progress(order: Order, now: datetime | None = None) -> bool:
    """A payment of ``order`` is being processed right now (its gateway call has not been recorded yet)."""
    now = now or timezone.now()
    return order.payments.filter(status=PaymentStatus.PENDING, created_at__gt=_stale_before(now)).exists()


def pay_order(order: Order, card: CardDetails, idempotency_key: str) -> Payment:
    """Charge ``card`` for ``order.total`` and return the Payment that records the attempt.

    ``idempotency_key`` is the payment form's one-time token: replaying it (a double submit, a retry, even
    concurrently) returns the same Payment and never charges again. The returned payment is ``approved``
    (the order is now paid, its shipments ready to ship, sellers told), ``declined`` (the order stays payable;
    ``failure_code`` says why, ``display_failure_message`` words it), or ``pending`` when a replay arrives
    while the first attempt is still at the gateway.

    Raises PaymentError before any charge: ``invalid_key``, ``key_reused`` (the key belongs to another order),
    ``invalid_card`` (``card_code``: Luhn, expiry or CVC), ``already_paid``, ``not_payable`` (cancelled,
    expired or past its deadline), ``payment_in_progress`` (another attempt is at the gateway).
    """
    if not isinstance(idempotency_key, str) or not 16 <= len(idempotency_key) <= KEY_MAX_LENGTH:
        raise PaymentError(_("This payment form has expired; please try again."), code="invalid_key")
    replay = _replay(order, idempotency_key)
    if replay is not None:
        return _resume_if_interrupted(replay, card)

    problem = card_problem(card.digits, card.exp_month, card.exp_year, card.cvc)
    if problem:
        raise PaymentError(FAILURE_MESSAGES[problem], code="invalid_card", card_code=problem)

    now = timezone.now()
    try:
        with transaction.atomic():
            locked = Order.objects.select_for_update().get(pk=order.pk)
            # A concurrent replay may have created the attempt while this one waited for the lock.
            replay = _replay(order, idempotency_key)
            if replay is not None:
                return replay
            _check_payable(locked, now)
            payment = Payment.objects.create(
                order=locked,
                amount=locked.total,
                currency=locked.currency,
                idempotency_key=idempotency_key,
                card_brand=card_brand(card.digits),
                card_last4=card.digits[-4:],
            )
    except IntegrityError:
        replay = _replay(order, idempotency_key)
        if replay is None:
            raise
        return replay
    return _charge(payment, card)


def _replay(order: Order, key: str) -> Payment | None:
    payment = Payment.objects.filter(idempotency_key=key).first()
    if payment is not None and payment.order_id != order.pk:
        raise PaymentError(_("This payment form has expired; please try again."), code="key_reused")
    return payment


def _check_payable(order: Order, now: datetime) -> None:
    if order.status in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        raise PaymentError(_("This order is already paid."), code="already_paid")
    if order.status != OrderStatus.PENDING_PAYMENT or order.expires_at <= now:
        raise PaymentError(
            _("This order can no longer be paid: it was cancelled or the time to pay ran out."), code="not_payable"
        )
    if order.payments.filter(status=PaymentStatus.APPROVED).exists():
        raise PaymentError(_("This order is already paid."), code="already_paid")
    if order.payments.filter(status=PaymentStatus.PENDING, created_at__gt=_stale_before(now)).exists():
        raise PaymentError(
            _("A payment for this order is being processed; please wait a moment."), code="payment_in_progress"
        )


def _resume_if_interrupted(payment: Payment, card: CardDetails) -> Payment:
    """A replay: return the recorded attempt. One left pending by a crash is asked again under the same key."""
    if payment.status != PaymentStatus.PENDING or payment.created_at > _stale_before(timezone.now()):
        return payment
    return _charge(payment, card)


def _charge(payment: Payment, card: CardDetails) -> Payment:
    """Call the gateway (no transaction open), then record the outcome in a short transaction."""
    try:
        result = get_gateway().charge(
            amount=payment.amount,
            currency=payment.currency,
            card_number=card.digits,
            exp_month=card.exp_month,
            exp_year=card.exp_year,
            cvc=card.cvc,
            idempotency_key=payment.idempotency_key,
        )
    except Exception as exc:
        raise PaymentError(FAILURE_MESSAGES["gateway_error"], code="gateway_error") from exc
    return record_charge(payment.pk, result)


def record_charge(payment_id: int, result: ChargeResult) -> Payment:
    """Record a gateway's answer on a pending payment (also what a provider's webhook would call).

    Approved: the payment is approved and, if the order still awaits payment, the order becomes paid, its
    shipments ready to ship, and buyer and sellers are emailed. If the order meanwhile stopped being payable
    (cancelled, expired, or paid by another attempt) the money is given back at once. Declined: the payment
    records why and the order stays payable. A payment already recorded is returned unchanged.
    """
    now = timezone.now()
    refund_due = ZERO
    with transaction.atomic():
        order_id = Payment.objects.values_list("order_id", flat=True).get(pk=payment_id)
        order = Order.objects.select_for_update().get(pk=order_id)
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status != PaymentStatus.PENDING:
            return payment
        payment.gateway_reference = result.reference
        payment.card_brand = result.card_brand or payment.card_brand
        payment.card_last4 = result.card_last4 or payment.card_last4
        payment.processed_at = now
        if result.approved:
            payment.transition_to(PaymentStatus.APPROVED)
            if order.status == OrderStatus.PENDING_PAYMENT:
                order.transition_to(OrderStatus.PAID)
                order.paid_at = now
                order.save(update_fields=["status", "paid_at", "updated_at"])
                released = release_shipments(order, now)
                record_sales(order, released)
                refund_due = max(payment.amount - order.total, ZERO)
                for shipment in released:
                    enqueue("orders.emails.send_new_sale", key=f"new_sale:{shipment.pk}", shipment_id=shipment.pk)
            else:
                refund_due = payment.amount
        else:
            payment.transition_to(PaymentStatus.DECLINED)
            payment.failure_code = result.failure_code or "card_declined"
            # Pages and emails word the code in the reader's language; the text is the provider's, for staff.
            payment.failure_message = (result.failure_message or untranslated(FAILURE_MESSAGES["card_declined"]))[:255]
        payment.save()
        refund = (
            create_refund(payment, refund_due, _("The order was no longer awaiting this payment."), None)
            if refund_due > 0
            else None
        )
        if refund_due < payment.amount:  # paid, or declined: the buyer hears the outcome
            enqueue("orders.emails.send_payment_result", key=f"payment_result:{payment.pk}", payment_id=payment.pk)
    if refund is not None:
        process_refund(refund)
        payment.refresh_from_db()
    return payment


# --- Refunds ----------------------------------------------------------------------


def create_refund(
    payment: Payment,
    amount: Decimal,
    reason: str,
    by: User | None,
    idempotency_key: str | None = None,
    *,
    shipments: Iterable[Shipment] = (),
) -> Refund:
    """Record a refund to make (inside the caller's transaction); :func:`process_refund` makes it after commit.

    ``amount`` may be any part of what is left of the payment (a partial refund). ``idempotency_key`` names the
    decision that gives the money back (a claim's refund): a refund already recorded under it is returned
    unchanged, so replaying that decision records, and the gateway moves, the money once. Without it the
    refund is numbered after the payment's earlier ones.

    ``shipments`` are the sellers' parts the money comes back from: once the refund succeeds, the earnings
    ledger charges it to them (``earnings.record_refund``). Name them for every refund of a seller's money.
    """
    if idempotency_key is not None:
        existing = Refund.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
        key = idempotency_key[:100]
    else:
        key = f"refund-{payment.idempotency_key[:70]}-{payment.refunds.count() + 1}"
    refund = Refund.objects.create(
        payment=payment, amount=to_cents(amount), reason=reason[:255], idempotency_key=key, created_by=by
    )
    shipments = list(shipments)
    if shipments:
        refund.shipments.set(shipments)
    return refund


def process_refund(refund: Refund) -> Refund:
    """Ask the gateway for ``refund`` (no transaction open) and record the answer; safe to call again.

    Succeeded: the payment's ``refunded_amount`` grows and it becomes partially_refunded or refunded, and the
    sellers' ledger records it, in the same transaction (``earnings.record_refund``, once per refund).
    Failed: the refund is marked failed with the gateway's reason; call again (staff action) to retry, with
    the same idempotency key so the money never moves twice. Returns the refund.
    """
    refund = Refund.objects.select_related("payment").get(pk=refund.pk)
    if refund.status == RefundStatus.SUCCEEDED:
        return refund
    try:
        result = get_gateway().refund(
            reference=refund.payment.gateway_reference, amount=refund.amount, idempotency_key=refund.idempotency_key
        )
    except Exception:  # noqa: BLE001 - the provider was unreachable: leave it to a retry
        result = None
    now = timezone.now()
    with transaction.atomic():
        # The order row first, as everywhere: it serialises this with cancellations of the same order.
        Order.objects.select_for_update().get(pk=refund.payment.order_id)
        payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        if refund.status == RefundStatus.SUCCEEDED:
            return refund
        refund.processed_at = now
        if result is not None and result.succeeded:
            refund.transition_to(RefundStatus.SUCCEEDED)
            refund.gateway_reference = result.reference
            refund.failure_code = refund.failure_message = ""
            payment.refunded_amount = to_cents(payment.refunded_amount + refund.amount)
            payment.transition_to(
                PaymentStatus.REFUNDED
                if payment.refunded_amount >= payment.amount
                else PaymentStatus.PARTIALLY_REFUNDED
            )
            payment.save(update_fields=["refunded_amount", "status", "updated_at"])
        else:
            refund.transition_to(RefundStatus.FAILED)
            refund.failure_code = result.failure_code if result else "gateway_error"
            refund.failure_message = (
                result.failure_message if result else untranslated(FAILURE_MESSAGES["gateway_error"])
            )[:255]
        refund.save()
        if refund.status == RefundStatus.SUCCEEDED:
            record_refund(refund)
    return refund


def retry_failed_refunds(order: Order) -> list[Refund]:
    """Process again every refund of ``order`` not yet succeeded (a staff action); returns them, updated.

    Safe to repeat and to run while another process handles the same refund: the gateway sees the same
    idempotency key and moves the money once.
    """
    unfinished = Refund.objects.filter(payment__order=order).exclude(status=RefundStatus.SUCCEEDED)
    return [process_refund(refund) for refund in unfinished.order_by("pk")]


def latest_payment(order: Order) -> Payment | None:
    """The most recent payment attempt of ``order`` (for "declined: why" on the order page)."""
    return order.payments.order_by("-created_at", "-id").first()
