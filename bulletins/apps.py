from functools import partial

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulletinsConfig(AppConfig):
    name = "bulletins"
    verbose_name = _("通报与排名")

    def ready(self) -> None:
        from grids import terminal_panels
        from wudu import exports as export_jobs

        from . import exports
        from .dashboard_views import terminal_links
        from .export_views import prepare_file, prepare_rows

        # Officials and administrators land on their terminal: the latest ranking and the dashboard one click away.
        terminal_panels.register(terminal_links)
        export_jobs.register("bulletins.pdf", render=exports.pdf_job, fmt="pdf", prepare=partial(prepare_file, fmt="pdf"))
        export_jobs.register("bulletins.xlsx", render=exports.xlsx_job, fmt="xlsx",
                             prepare=partial(prepare_file, fmt="xlsx"))
        export_jobs.register("bulletins.rows", render=exports.rows_job, fmt="xlsx", prepare=prepare_rows)
