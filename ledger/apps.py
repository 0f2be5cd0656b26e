from functools import partial

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "ledger"
    verbose_name = _("走访台账")

    def ready(self) -> None:
        from django.urls import reverse

        from grids import terminal_panels
        from wudu import exports as export_jobs
        from wudu import media, offline, scope

        from . import exports
        from .models import SpotCheck, SpotCheckPhoto, Visit, VisitPhoto
        from .selectors import terminal_day
        from .views.ledger import export_prepare

        media.register(VisitPhoto, visible=lambda user, photos: photos.filter(
            visit__in=Visit.objects.visible_to(user)))
        # Covert checks: whatever the gate shows, never the inspected grid's own staff.
        media.register(SpotCheckPhoto, visible=lambda user, photos: photos.filter(
            spot_check__in=SpotCheck.objects.visible_to(user)))
        terminal_panels.register(terminal_day)
        for kind, render, fmt in (("ledger.xlsx", exports.ledger_xlsx_job, "xlsx"),
                                  ("ledger.pdf", exports.ledger_pdf_job, "pdf")):
            export_jobs.register(kind, render=render, fmt=fmt, replica=True,
                                 prepare=partial(export_prepare, kind=kind))
        # Offline from the first visit (wudu/offline.py): today's patrol and the recent ledger, for the grid staff.
        offline.register(lambda user: [reverse("patrol:home"), reverse("ledger:list")]
                         if scope.has_role(user, *scope.GRID_STAFF) else [])
