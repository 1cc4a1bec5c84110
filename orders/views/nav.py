"""The cart badge of the navigation bar, kept in the session so that pages need no query for it.

The session holds ``{"user": <id or None>, "copies": <n>}``. It is written when the visitor signs in (the
login hook in orders/signals.py) and by the cart views after every change (the cart page refreshes it too); the
navigation tag trusts it only for the user it was counted for. When it does not match (a session from
before this existed), the tag counts once with a single query and writes nothing: a page view never saves
the session. A cart changed in another browser shows its new count once this browser opens the cart page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Sum
from django.http import HttpRequest

from orders.models import CartLine
from orders.services.cart import SESSION_CART_KEY

SESSION_NAV_KEY = "cart_nav"


@dataclass
class NavCounts:
    """What the navigation bar shows of the cart. (Whether the user sells: accounts.session.)"""

    copies: int


def _user_id(request: HttpRequest) -> int | None:
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def remember_cart_count(request: HttpRequest, copies: int) -> None:
    """Store the number of copies in the visitor's cart for the navigation badge (call after a change)."""
    store_cart_count(request.session, _user_id(request), copies)


def store_cart_count(session, user_id: int | None, copies: int) -> None:
    """Write the badge's count into a session, for the visitor with this user id (None: anonymous)."""
    entry = {"user": user_id, "copies": int(copies)}
    if session.get(SESSION_NAV_KEY) != entry:
        session[SESSION_NAV_KEY] = entry


def stored_cart_count(request: HttpRequest) -> int | None:
    """The remembered count if it was counted for this same visitor, else None."""
    entry = request.session.get(SESSION_NAV_KEY)
    if isinstance(entry, dict) and entry.get("user") == _user_id(request) and isinstance(entry.get("copies"), int):
        return entry["copies"]
    return None


def count_for_nav(request: HttpRequest) -> NavCounts:
    """Copies in the visitor's cart, in at most one query."""
    user_id = _user_id(request)
    if user_id is not None:
        lines = CartLine.objects.filter(cart__user_id=user_id)
    else:
        token = request.session.get(SESSION_CART_KEY)
        if not token:
            return NavCounts(copies=0)
        lines = CartLine.objects.filter(cart__session_key=token, cart__user__isnull=True)
    return NavCounts(copies=lines.aggregate(n=Sum("quantity"))["n"] or 0)


def nav_counts(request: HttpRequest) -> NavCounts:
    """The badge's numbers for this request, computed at most once per request."""
    cached = getattr(request, "_nav_counts", None)
    if cached is not None:
        return cached
    stored = stored_cart_count(request)
    counts = NavCounts(copies=stored) if stored is not None else count_for_nav(request)
    request._nav_counts = counts
    return counts
