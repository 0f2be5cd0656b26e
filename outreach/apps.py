from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = _("党建与宣讲")

    def ready(self) -> None:
        from grids import public_selectors, terminal_panels
        from wudu import exports as export_jobs
        from wudu import media

        from . import exports
        from .models import Event, EventPhoto
        from .selectors import notice_calendar, notice_organization, terminal_party

        terminal_panels.register(terminal_party)
        public_selectors.register_notice_part(notice_organization)
        # The grid's notice links to its community's event calendar (/huodong/<community code>/).
        public_selectors.register_notice_part(notice_calendar)
        # An event's photos: to those who see the event (the public calendar shows reports, not photos).
        media.register(EventPhoto, visible=lambda user, photos: photos.filter(event__in=Event.objects.visible_to(user)))
        # 双报到: the quarterly return to a workplace's party organisation (a job: it reads a quarter's records).
        export_jobs.register("outreach.workplace_return.xlsx", render=exports.workplace_return_xlsx_job, fmt="xlsx",
                             replica=True)
