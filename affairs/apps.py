from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AffairsConfig(AppConfig):
    name = "affairs"
    verbose_name = _("便民服务")

    def ready(self) -> None:
        from django.urls import reverse

        from grids.manage import add_detail_actions
        from wudu import media, scope

        from . import (
            demo,  # noqa: F401 (registers the demo district's hook)
            demo_history,  # noqa: F401 (registers the demo history's hook: grids.demo.on_history)
        )
        from .models import Application, ApplicationMaterial

        # An application's materials go to whoever reads the application (the gate); never to the tracking page.
        media.register(ApplicationMaterial, fields=("file",), visible=lambda user, rows: rows.filter(
            application__in=Application.objects.visible_to(user)))

        # 帮办代办 from a household's page, for the grid staff who may apply on its residents' behalf.
        def on_behalf(user, household):
            if not scope.acts_as(user, household, "household", scope.GRID_STAFF):
                return []
            return [(_("帮办代办"), reverse("affairs:on_behalf", args=[household.pk]))]

        add_detail_actions("household", on_behalf)
