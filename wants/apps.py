from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WantsConfig(AppConfig):
    name = "wants"
    verbose_name = _("Want lists")

    def ready(self):
        from wants import receivers  # noqa: F401 - connects the receivers
