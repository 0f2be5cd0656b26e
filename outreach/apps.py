from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = _("党建与宣讲")

    def ready(self) -> None:
        from grids import public_selectors, terminal_panels
        from wudu import exports as export_jobs

        from . import exports
        from .selectors import notice_organization, terminal_party

        terminal_panels.register(terminal_party)
        public_selectors.register_notice_part(notice_organization)
        # 双报到: the quarterly return to a workplace's party organisation (a job: it reads a quarter's records).
        export_jobs.register("outreach.workplace_return.xlsx", render=exports.workplace_return_xlsx_job, fmt="xlsx",
                             replica=True)
