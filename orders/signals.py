"""Signal receivers of the orders app. Connected in OrdersConfig.ready()."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from orders.services.cart import attach_session_cart


@receiver(user_logged_in, dispatch_uid="orders.merge_cart_on_login")
def merge_cart_on_login(sender, request, user, **kwargs):
    """The cart an anonymous visitor filled follows them when they sign in."""
    if request is not None and hasattr(request, "session"):
        attach_session_cart(request.session, user)
