"""Whether the signed-in person has a shop, remembered in their session.

Every page's navigation shows "Sales" to sellers. Looking that up costs a query per page; the session already
travels with every request, so the answer is written there when the person signs in (accounts/signals.py) and
when they open their shop, and read back for the same user only. A shop opened from another browser shows in
this one from its next sign-in; until then the navigation offers "Sell", which leads to the same pages.
"""

from __future__ import annotations

from django.http import HttpRequest

SESSION_SHOP_KEY = "has_shop"


def remember_has_shop(session, user_id: int, has_shop: bool) -> None:
    """Write into a session whether the user with this id owns a shop."""
    entry = {"user": user_id, "shop": bool(has_shop)}
    if session.get(SESSION_SHOP_KEY) != entry:
        session[SESSION_SHOP_KEY] = entry


def stored_has_shop(request: HttpRequest) -> bool | None:
    """What the session remembers for the signed-in user, or None when it remembers nothing for them."""
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    if session is None or user is None or not user.is_authenticated:
        return None
    entry = session.get(SESSION_SHOP_KEY)
    if isinstance(entry, dict) and entry.get("user") == user.pk and isinstance(entry.get("shop"), bool):
        return entry["shop"]
    return None
