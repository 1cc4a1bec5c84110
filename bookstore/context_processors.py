from collections.abc import Callable

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from accounts.session import stored_has_shop
from core.badges import read_badges
from messaging.services import UNREAD_BADGE
from wants.services.badge import NEW_MATCHES_BADGE


class LazyCount:
    """A number computed the first time a template uses it (``{{ n }}``, ``{% if n %}``, ``n|add:0``)."""

    def __init__(self, compute: Callable[[], int]):
        self._compute = compute
        self._value: int | None = None

    def __int__(self) -> int:
        if self._value is None:
            self._value = self._compute()
        return self._value

    def __bool__(self) -> bool:
        return bool(int(self))

    def __str__(self) -> str:
        return str(int(self))


def site(request):
    """Values every page may need. Lazy, so pages that don't use them run no query."""
    user = getattr(request, "user", None)

    def has_shop() -> bool:
        if not (user and user.is_authenticated):
            return False
        stored = stored_has_shop(request)
        return stored if stored is not None else hasattr(user, "shop")

    # Both counts of the navigation, cached per user: read together (one round trip with the cache) the first time
    # a template asks for either, a query for each the cache lacks.
    badges = SimpleLazyObject(
        lambda: (
            read_badges(user, {"unread": UNREAD_BADGE, "matches": NEW_MATCHES_BADGE})
            if user and user.is_authenticated
            else {"unread": 0, "matches": 0}
        )
    )

    return {
        "CURRENCY": settings.CURRENCY,
        "new_matches": LazyCount(lambda: badges["matches"]),
        "user_has_shop": SimpleLazyObject(has_shop),
        "unread_messages": LazyCount(lambda: badges["unread"]),
    }
