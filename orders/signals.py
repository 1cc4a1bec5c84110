"""Signal receivers of the orders app. Connected in OrdersConfig.ready()."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from orders.services.cart import attach_session_cart, cart_item_count, get_cart
from orders.views.nav import store_cart_count


@receiver(user_logged_in, dispatch_uid="orders.merge_cart_on_login")
def merge_cart_on_login(sender, request, user, **kwargs):
    """The cart an anonymous visitor filled follows them when they sign in.

    The navigation badge's count is stored in the session at the same time, so
    pages never need a query for it.
    """
    if request is None or not hasattr(request, "session"):
        return
    cart = attach_session_cart(request.session, user) or get_cart(user=user)
    store_cart_count(request.session, user.pk, cart_item_count(cart))
