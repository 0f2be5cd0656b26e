from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("巡察整改")

    def ready(self) -> None:
        from wudu import scope

        from .grants import TeamCoverageGrants

        # A team member's grants: the places their team covers, for the round's dates and its follow-up period.
        scope.register_grant_provider(TeamCoverageGrants())

        # The round report as export jobs (insp-reports): PDF and Excel, read again through the gate as the owner.
        from wudu import exports as export_jobs

        from . import exports

        export_jobs.register(exports.PDF_KIND, render=exports.report_pdf_job, fmt="pdf")
        export_jobs.register(exports.XLSX_KIND, render=exports.report_xlsx_job, fmt="xlsx")
