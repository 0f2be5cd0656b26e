from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("事件")

    def ready(self) -> None:
        from django.urls import reverse

        from grids import terminal_panels
        from wudu import media, offline, outside, scope
        from wudu.signals import export_finished

        from . import notify
        from .models import Case, CasePhoto
        from .selectors import terminal_to_verify

        # The kernel's messages to a mobile (password reset links) go out through the notice channels.
        outside.register(notify.send_outside)
        # An export the person waited for is ready: a notification beside the job's own page.
        export_finished.connect(notify.export_ready, dispatch_uid="cases.export_ready")
        # Offline from the first visit (wudu/offline.py): the grid staff's open cases.
        offline.register(lambda user: [reverse("cases:list") + "?status=open"]
                         if scope.has_role(user, *scope.GRID_STAFF) else [])

        # A case's photos go to whoever reads the case. The resident's tracking page shows no photos.
        media.register(CasePhoto, visible=lambda user, photos: photos.filter(case__in=Case.objects.visible_to(user)))
        # The grid worker's home (their grid's page) links their "to verify" list.
        terminal_panels.register(terminal_to_verify)
