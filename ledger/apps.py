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

        media.register(VisitPhoto, visible=lambda user, photos: photos.filter(
            visit__in=Visit.objects.visible_to(user)))
        # Covert checks: whatever the gate shows, never the inspected grid's own staff.
        media.register(SpotCheckPhoto, visible=lambda user, photos: photos.filter(
            spot_check__in=SpotCheck.objects.visible_to(user)))
        terminal_panels.register(terminal_day)
        export_jobs.register("ledger.xlsx", render=exports.ledger_xlsx_job, fmt="xlsx", replica=True)
        export_jobs.register("ledger.pdf", render=exports.ledger_pdf_job, fmt="pdf", replica=True)
        # Offline from the first visit (wudu/offline.py): today's patrol and the recent ledger, for the grid staff.
        offline.register(lambda user: [reverse("patrol:home"), reverse("ledger:list")]
                         if scope.has_role(user, *scope.GRID_STAFF) else [])
