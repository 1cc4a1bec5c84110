from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self):
        # Connects the login hook that carries an anonymous cart over to the account.
        # The catalog's inventory asks what unpaid orders hold of a listing; it may not import orders itself.
        from catalog.holds import set_held_copies_counter
        from orders import signals  # noqa: F401
        from orders.services.holds import held_copies, seller_has_held_copies

        set_held_copies_counter(held_copies, seller_has_held_copies)
