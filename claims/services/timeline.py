"""Every step of a claim is a timeline event, and the other side hears of it by email (through the outbox)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from claims.models import Claim, ClaimEvent
from jobs.services import enqueue

# Who hears of a step taken by whom: the other side; both sides when staff or the site acts.
RECIPIENTS = {
    ClaimEvent.Role.BUYER: ("seller",),
    ClaimEvent.Role.SELLER: ("buyer",),
    ClaimEvent.Role.STAFF: ("buyer", "seller"),
    ClaimEvent.Role.SYSTEM: ("buyer", "seller"),
}


def record(
    claim: Claim,
    action: str,
    role: str,
    actor: User | None,
    *,
    amount: Decimal | None = None,
    note: str = "",
    when: datetime | None = None,
) -> ClaimEvent:
    """Add a step to ``claim``'s timeline and enqueue its emails, in the caller's transaction."""
    event = ClaimEvent.objects.create(
        claim=claim, action=action, role=role, actor=actor, amount=amount, note=note, created_at=when or timezone.now()
    )
    for to in RECIPIENTS[role]:
        enqueue("claims.emails.send_claim_update", key=f"claim_event:{event.pk}:{to}", event_id=event.pk, to=to)
    return event
