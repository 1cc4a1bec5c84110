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


CLAIM_TRANSITIONS: dict[str, frozenset[str]] = {
    ClaimStatus.OPEN: frozenset(
        {
            ClaimStatus.REFUNDED,
            ClaimStatus.PARTIAL_OFFERED,
            ClaimStatus.RETURN_REQUESTED,
            ClaimStatus.ESCALATED,
            ClaimStatus.CLOSED,
        }
    ),
    ClaimStatus.PARTIAL_OFFERED: frozenset({ClaimStatus.REFUNDED, ClaimStatus.ESCALATED, ClaimStatus.CLOSED}),
    ClaimStatus.RETURN_REQUESTED: frozenset({ClaimStatus.REFUNDED, ClaimStatus.ESCALATED, ClaimStatus.CLOSED}),
    ClaimStatus.ESCALATED: frozenset({ClaimStatus.REFUNDED, ClaimStatus.CLOSED}),
    ClaimStatus.REFUNDED: frozenset(),
    ClaimStatus.CLOSED: frozenset(),
}

# A claim in one of these still waits for someone: a shipment has at most one of them.
UNRESOLVED = frozenset(
    {ClaimStatus.OPEN, ClaimStatus.PARTIAL_OFFERED, ClaimStatus.RETURN_REQUESTED, ClaimStatus.ESCALATED}
)


def check_claim_transition(current: str, new: str) -> None:
    """Raise IllegalTransition unless a claim may move from ``current`` to ``new``."""
    check_transition("Claim", CLAIM_TRANSITIONS, current, new)
