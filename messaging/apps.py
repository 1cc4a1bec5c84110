"""Buyers and sellers writing to each other about a listing or a shipment, without sharing addresses."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messages")

    def ready(self):
        from messaging import signals  # noqa: F401 - connects the receivers
