"""What a buyer may reach: their own orders and addresses. Anyone else's answers 404."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet, Sum
from django.http import Http404

from accounts.models import User
from core.numbers import is_ascii_number
from orders.models import Address, Order, Payment, Shipment
from orders.services.checkout import TOKEN_PATTERN


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def buyer_orders(user: User) -> QuerySet[Order]:
    """``user``'s orders, newest first, each annotated with ``copies`` (the number of copies bought)."""
    if not _signed_in(user):
        return Order.objects.none()
    return Order.objects.filter(buyer=user).annotate(copies=Sum("lines__quantity")).order_by("-created_at", "-id")


def order_detail_queryset() -> QuerySet[Order]:
    """Orders with everything the detail pages show, in a fixed number of queries (about six)."""
    return Order.objects.select_related("buyer").prefetch_related(
        "lines",
        Prefetch(
            "shipments",
            # The buyer's rating of each parcel (feedback app) joined by its relation's name: no import upward.
            queryset=Shipment.objects.select_related("carrier", "seller", "feedback").prefetch_related(
                "events", "lines", "claims"
            ),
        ),
        Prefetch("payments", queryset=Payment.objects.prefetch_related("refunds").order_by("-created_at", "-id")),
    )


def get_order_for_buyer(user: User, pk_or_number) -> Order:
    """``user``'s order by primary key or by public number ("BS-..."), fully prefetched; Http404 otherwise."""
    if not _signed_in(user):
        raise Http404
    orders = order_detail_queryset().filter(buyer=user)
    key = str(pk_or_number).strip()
    try:
        if is_ascii_number(key, 18):
            return orders.get(pk=int(key))
        return orders.get(number=key.upper())
    except Order.DoesNotExist:
        raise Http404 from None


def order_for_checkout_token(user: User, token) -> Order | None:
    """The order ``user`` already placed with this checkout token (a double submit or a retry), or None."""
    if not _signed_in(user) or not isinstance(token, str) or not TOKEN_PATTERN.match(token):
        return None
    return Order.objects.filter(buyer=user, checkout_token=token).only("number", "status", "expires_at").first()


def user_addresses(user: User) -> QuerySet[Address]:
    """``user``'s saved addresses, newest first."""
    if not _signed_in(user):
        return Address.objects.none()
    return Address.objects.filter(user=user)


def default_ship_country(user: User) -> str:
    """The country of ``user``'s newest address (the one checkout starts with), or "" for none. One query."""
    if not _signed_in(user):
        return ""
    return str(user_addresses(user).order_by("-created_at", "-id").values_list("country", flat=True).first() or "")


def get_address_for_user(user: User, pk) -> Address:
    """``user``'s saved address ``pk``; Http404 for anyone else's or a malformed id."""
    if not _signed_in(user):
        raise Http404
    try:
        return Address.objects.get(pk=int(pk), user=user)
    except (Address.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
