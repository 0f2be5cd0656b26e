from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulletinsConfig(AppConfig):
    name = "bulletins"
    verbose_name = _("通报与排名")

    def ready(self) -> None:
        from grids import terminal_panels

        from .dashboard_views import terminal_links

        # Officials and administrators land on their terminal: the latest ranking and the dashboard one click away.
        terminal_panels.register(terminal_links)
