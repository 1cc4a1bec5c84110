from django.conf import settings
from django.utils.functional import SimpleLazyObject

from accounts.session import stored_has_shop


def site(request):
    """Values every page may need. Lazy, so pages that don't use them run no query."""
    user = getattr(request, "user", None)

    def has_shop() -> bool:
        if not (user and user.is_authenticated):
            return False
        stored = stored_has_shop(request)
        return stored if stored is not None else hasattr(user, "shop")

    return {"CURRENCY": settings.CURRENCY, "user_has_shop": SimpleLazyObject(has_shop)}
