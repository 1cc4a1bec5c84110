"""Signal receivers of the accounts app. Connected in AccountsConfig.ready()."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from accounts.models import Shop
from accounts.session import remember_has_shop


@receiver(user_logged_in, dispatch_uid="accounts.remember_shop_on_login")
def remember_shop_on_login(sender, request, user, **kwargs):
    """Note in the new session whether the person sells, so that pages need no query for the navigation."""
    if request is None or not hasattr(request, "session"):
        return
    remember_has_shop(request.session, user.pk, Shop.objects.filter(owner=user).exists())
