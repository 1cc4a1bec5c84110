"""Reading claims: who may see one (its buyer and its seller; anyone else gets 404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from claims.models import Claim
from orders.models import Shipment


def claim_detail_queryset() -> QuerySet[Claim]:
    """Claims with what the claim page shows, in a fixed number of queries."""
    return Claim.objects.select_related(
        "buyer", "shipment__order", "shipment__seller__shop", "shipment__carrier", "refund"
    ).prefetch_related("events__actor", "photos", "shipment__lines")


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def get_claim_for_party(user: User, pk) -> Claim:
    """Claim ``pk`` if ``user`` is its buyer or the shipment's seller; Http404 otherwise (staff use the admin)."""
    if not _signed_in(user):
        raise Http404
    try:
        claim = claim_detail_queryset().get(pk=int(pk))
    except (Claim.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    if party_of(claim, user) is None:
        raise Http404
    return claim


def party_of(claim: Claim, user: User) -> str | None:
    """ "buyer", "seller", or None for anyone else."""
    if not _signed_in(user):
        return None
    if user.pk == claim.buyer_id:
        return "buyer"
    if user.pk == claim.shipment.seller_id:
        return "seller"
    return None


def get_shipment_for_buyer(user: User, pk) -> Shipment:
    """Shipment ``pk`` of one of ``user``'s orders, with what the claim form needs; Http404 otherwise."""
    if not _signed_in(user):
        raise Http404
    try:
        return (
            Shipment.objects.select_related("order", "carrier", "seller__shop")
            .prefetch_related("lines", "claims")
            .get(pk=int(pk), order__buyer=user)
        )
    except (Shipment.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
