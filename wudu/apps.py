from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WuduConfig(AppConfig):
    name = "wudu"
    verbose_name = _("网格通")
