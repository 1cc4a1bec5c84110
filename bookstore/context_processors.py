from collections.abc import Callable

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from accounts.session import stored_has_shop
from messaging.services import unread_total
from wants.services.badge import new_match_count


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

    def unread_messages() -> int:
        # Cached per user (messaging.services.unread_total): one query on a miss, none on a hit.
        return unread_total(user) if user and user.is_authenticated else 0

    def new_matches() -> int:
        # Cached per user (wants.services.badge): one query on a miss, none on a hit.
        return new_match_count(user) if user and user.is_authenticated else 0

    return {
        "CURRENCY": settings.CURRENCY,
        "new_matches": LazyCount(new_matches),
        "user_has_shop": SimpleLazyObject(has_shop),
        "unread_messages": LazyCount(unread_messages),
    }
