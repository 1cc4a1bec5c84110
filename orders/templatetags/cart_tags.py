"""Template helpers of the buying pages: the navigation badge and small display helpers."""

from django import template

from orders.models import MAX_LINE_QUANTITY
from orders.views.nav import nav_counts

register = template.Library()


@register.simple_tag(takes_context=True)
def cart_count(context) -> int:
    """Copies in the visitor's cart, for the navigation badge; no query once the session remembers it."""
    request = context.get("request")
    if request is None or not hasattr(request, "session"):
        return 0
    return nav_counts(request).copies


@register.simple_tag(takes_context=True)
def user_sells(context) -> bool:
    """Whether the signed-in user has a shop (from the session, see accounts.session: no query once signed in)."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return False
    lazy = context.get("user_has_shop")
    return bool(lazy) if lazy is not None else hasattr(user, "shop")


@register.filter
def cart_max(available) -> int:
    """The most copies one cart line may ask for of a listing with ``available`` copies."""
    try:
        return max(0, min(int(available), MAX_LINE_QUANTITY))
    except (TypeError, ValueError):
        return 0


@register.filter
def get_item(mapping, key):
    """``mapping[key]``, or "" when absent (templates cannot index a dict by a variable)."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
