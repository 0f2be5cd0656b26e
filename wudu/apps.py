from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WuduConfig(AppConfig):
    name = "wudu"
    verbose_name = _("网格通")

    def ready(self):
        from . import auth  # noqa: F401 - connects the login back-off's signal receivers
