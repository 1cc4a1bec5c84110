"""Counting a person's unread messages when they sign in, so the navigation's badge costs pages no query."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from messaging.services import unread_total


@receiver(user_logged_in, dispatch_uid="messaging.count_unread_on_login")
def count_unread_on_login(sender, request, user, **kwargs):
    unread_total(user)  # cached per user until a message or a read changes it
