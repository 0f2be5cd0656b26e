from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("事件")

    def ready(self) -> None:
        from django.urls import reverse

        from wudu import media, offline, outside, scope

        from . import notify
        from .models import Case, CasePhoto

        # The kernel's messages to a mobile (password reset links) go out through the notice channels.
        outside.register(notify.send_outside)
        # Offline from the first visit (wudu/offline.py): the grid staff's open cases.
        offline.register(lambda user: [reverse("cases:list") + "?status=open"]
                         if scope.has_role(user, *scope.GRID_STAFF) else [])

        # A case's photos go to whoever reads the case. The resident's tracking page shows no photos.
        media.register(CasePhoto, visible=lambda user, photos: photos.filter(case__in=Case.objects.visible_to(user)))
