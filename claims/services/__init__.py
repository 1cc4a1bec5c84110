"""The claim rules, as plain functions: views, admin pages and the periodic job call these.

- ``opening``: open_claim
- ``decisions``: refund_in_full, offer_partial_refund, accept_offer, decline_offer, request_return,
  mark_return_received, escalate, withdraw, staff_refund, staff_close, escalate_overdue_claims,
  refundable_left, process_claim_refund
- ``queries``: get_claim_for_party, get_shipment_for_buyer, claim_detail_queryset, party_of

Locks follow ``orders.services``' order: the order row first, then that order's own rows (the claim, the
payment, its refunds). The payment gateway is called after commit, by the job ``process_claim_refund``.
"""

from claims.services.decisions import (
    accept_offer,
    decline_offer,
    escalate,
    escalate_overdue_claims,
    mark_return_received,
    offer_partial_refund,
    process_claim_refund,
    refund_in_full,
    refundable_left,
    request_return,
    staff_close,
    staff_refund,
    withdraw,
)
from claims.services.opening import MAX_PHOTOS, open_claim
from claims.services.queries import claim_detail_queryset, get_claim_for_party, get_shipment_for_buyer, party_of

__all__ = [
    "MAX_PHOTOS",
    "accept_offer",
    "claim_detail_queryset",
    "decline_offer",
    "escalate",
    "escalate_overdue_claims",
    "get_claim_for_party",
    "get_shipment_for_buyer",
    "mark_return_received",
    "offer_partial_refund",
    "open_claim",
    "party_of",
    "process_claim_refund",
    "refund_in_full",
    "refundable_left",
    "request_return",
    "staff_close",
    "staff_refund",
    "withdraw",
]
