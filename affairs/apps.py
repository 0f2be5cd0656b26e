from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AffairsConfig(AppConfig):
    name = "affairs"
    verbose_name = _("便民服务")

    def ready(self) -> None:
        from wudu import media

        from . import demo  # noqa: F401 (registers the demo district's hook)
        from .models import Application, ApplicationMaterial

        # An application's materials go to whoever reads the application (the gate); never to the tracking page.
        media.register(ApplicationMaterial, fields=("file",), visible=lambda user, rows: rows.filter(
            application__in=Application.objects.visible_to(user)))
