from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AffairsConfig(AppConfig):
    name = "affairs"
    verbose_name = _("便民服务")

    def ready(self) -> None:
        from . import demo  # noqa: F401 (registers the demo district's hook)
