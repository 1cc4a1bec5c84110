from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self):
        # Connects the login hook that carries an anonymous cart over to the account.
        from orders import signals  # noqa: F401
