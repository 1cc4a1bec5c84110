from django.conf import settings


def site(request):
    """Values every page needs: the currency and the shop flag for the menu."""
    user = getattr(request, "user", None)
    return {
        "CURRENCY": settings.CURRENCY,
        "user_has_shop": bool(user and user.is_authenticated and hasattr(user, "shop")),
    }
