"""The claim state machine: every allowed transition is listed here, once.

``Claim.transition_to`` calls :func:`check_claim_transition`; nothing else assigns ``status`` (except the initial
value on creation). An illegal move raises :class:`core.states.IllegalTransition`.

    open ──────────────┬─> refunded            (seller refunds in full)
      │                ├─> partial_offered ─┬─> refunded   (buyer accepts the offer)
      │                │                    └─> escalated  (buyer declines)
      │                ├─> return_requested ─┬─> refunded  (seller received the book back)
      │                │                     └─> escalated (buyer escalates)
      │                └─> escalated          (seller missed the deadline, or the buyer escalates)
    escalated ─────────┬─> refunded           (staff refund, full or partial)
                       └─> closed             (staff close with a reason)
    any unresolved state ─> closed            (the buyer withdraws)

The table is :data:`CLAIM_STEPS`: each step (a timeline action) with the statuses it may be taken from, so that
a buyer's "accept" cannot pass for a seller's "refund" although both lead from one status to "refunded".
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.states import check_transition


class ClaimKind(models.TextChoices):
    NOT_RECEIVED = "not_received", _("Not received")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")


class ClaimStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the seller")
    PARTIAL_OFFERED = "partial_offered", _("Partial refund offered")
    RETURN_REQUESTED = "return_requested", _("Return requested")
    ESCALATED = "escalated", _("With our staff")
    REFUNDED = "refunded", _("Refunded")
    CLOSED = "closed", _("Closed")


class ClaimAction(models.TextChoices):
    """The steps of a claim, as its timeline words them."""

    OPENED = "opened", _("Claim opened")
    REFUNDED_IN_FULL = "refunded_in_full", _("The seller refunded in full")
    PARTIAL_OFFERED = "partial_offered", _("The seller offered a partial refund")
    OFFER_ACCEPTED = "offer_accepted", _("The buyer accepted the partial refund")
    OFFER_DECLINED = "offer_declined", _("The buyer declined the offer and asked our staff to decide")
    RETURN_REQUESTED = "return_requested", _("The seller asked for the book back")
    RETURN_RECEIVED = "return_received", _("The seller received the book back and refunded")
    ESCALATED_BY_BUYER = "escalated_by_buyer", _("The buyer asked our staff to decide")
    ESCALATED_OVERDUE = "escalated_overdue", _("The seller did not answer in time: our staff will decide")
    STAFF_REFUNDED = "staff_refunded", _("Our staff decided on a refund")
    STAFF_CLOSED = "staff_closed", _("Our staff closed the claim")
    WITHDRAWN = "withdrawn", _("The buyer withdrew the claim")


_S, _A = ClaimStatus, ClaimAction
_WAITING = frozenset({_S.OPEN, _S.PARTIAL_OFFERED, _S.RETURN_REQUESTED, _S.ESCALATED})

# Each step: the statuses it may be taken from, and the status it leads to. The one table of the machine.
CLAIM_STEPS: dict[str, tuple[frozenset[str], str]] = {
    _A.REFUNDED_IN_FULL: (frozenset({_S.OPEN}), _S.REFUNDED),
    _A.PARTIAL_OFFERED: (frozenset({_S.OPEN}), _S.PARTIAL_OFFERED),
    _A.RETURN_REQUESTED: (frozenset({_S.OPEN}), _S.RETURN_REQUESTED),
    _A.ESCALATED_OVERDUE: (frozenset({_S.OPEN}), _S.ESCALATED),
    _A.OFFER_ACCEPTED: (frozenset({_S.PARTIAL_OFFERED}), _S.REFUNDED),
    _A.OFFER_DECLINED: (frozenset({_S.PARTIAL_OFFERED}), _S.ESCALATED),
    _A.RETURN_RECEIVED: (frozenset({_S.RETURN_REQUESTED}), _S.REFUNDED),
    # From "open" only once the seller's deadline passed: ``claims.services.escalate`` checks the date.
    _A.ESCALATED_BY_BUYER: (frozenset({_S.OPEN, _S.RETURN_REQUESTED}), _S.ESCALATED),
    _A.STAFF_REFUNDED: (frozenset({_S.ESCALATED}), _S.REFUNDED),
    _A.STAFF_CLOSED: (frozenset({_S.ESCALATED}), _S.CLOSED),
    _A.WITHDRAWN: (_WAITING, _S.CLOSED),
}

# The status graph the steps draw (for reading, and for ``check_transition``).
CLAIM_TRANSITIONS: dict[str, frozenset[str]] = {
    status: frozenset(to for froms, to in CLAIM_STEPS.values() if status in froms) for status in ClaimStatus.values
}

# A claim in one of these still waits for someone: a shipment has at most one of them.
UNRESOLVED = _WAITING


def check_claim_transition(current: str, new: str) -> None:
    """Raise IllegalTransition unless some step moves a claim from ``current`` to ``new``."""
    check_transition("Claim", CLAIM_TRANSITIONS, current, new)


def step_target(action: str, current: str) -> str:
    """The status step ``action`` leads to from ``current``; IllegalTransition if it cannot be taken from there."""
    froms, to = CLAIM_STEPS[action]
    check_transition(f"Claim ({action})", {status: frozenset({to}) for status in froms}, current, to)
    return to
