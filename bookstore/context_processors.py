from django.conf import settings
from django.utils.functional import SimpleLazyObject


def site(request):
    """Values every page may need. Lazy, so pages that don't use them run no query."""
    user = getattr(request, "user", None)

    def has_shop() -> bool:
        return bool(user and user.is_authenticated and hasattr(user, "shop"))

    return {"CURRENCY": settings.CURRENCY, "user_has_shop": SimpleLazyObject(has_shop)}
