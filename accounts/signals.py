"""Signal receivers of the accounts app. Connected in AccountsConfig.ready()."""

from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.languages import remember_language
from accounts.models import Shop, User
from accounts.session import remember_has_shop
from accounts.visibility import refresh_hidden_sellers


@receiver(user_logged_in, dispatch_uid="accounts.remember_shop_on_login")
def remember_shop_on_login(sender, request, user, **kwargs):
    """Note in the new session whether the person sells, so that pages need no query for the navigation."""
    if request is None or not hasattr(request, "session"):
        return
    remember_has_shop(request.session, user.pk, Shop.objects.filter(owner=user).exists())


@receiver(user_logged_in, dispatch_uid="accounts.remember_language_on_login")
def remember_language_on_login(sender, request, user, **kwargs):
    """The language the person signs in with (cookie or browser, as LocaleMiddleware chose it) becomes theirs."""
    if request is not None:
        remember_language(user, getattr(request, "LANGUAGE_CODE", None))


# The hidden sellers' table (accounts.visibility) follows every save that may change it; the services that update
# users or shops in bulk refresh it themselves (deactivate_users, reopen_returned_shops).


@receiver(post_save, sender=User, dispatch_uid="accounts.hidden_seller_on_user_save")
def hidden_seller_on_user_save(sender, instance, created, update_fields=None, **kwargs):
    if created and instance.is_active:
        return  # a new active user has no row, and no shop yet
    if update_fields is None or "is_active" in update_fields:
        refresh_hidden_sellers([instance.pk])


@receiver(post_save, sender=Shop, dispatch_uid="accounts.hidden_seller_on_shop_save")
def hidden_seller_on_shop_save(sender, instance, created, update_fields=None, **kwargs):
    if created and instance.away_until is None:
        return
    if update_fields is None or "away_until" in update_fields:
        refresh_hidden_sellers([instance.owner_id])


@receiver(post_delete, sender=Shop, dispatch_uid="accounts.hidden_seller_on_shop_delete")
def hidden_seller_on_shop_delete(sender, instance, **kwargs):
    # Once committed: the shop may go with its owner, whose row must not be written back meanwhile.
    owner_id = instance.owner_id
    transaction.on_commit(lambda: refresh_hidden_sellers([owner_id]))
