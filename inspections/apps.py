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

        # The ladder (insp-ladder): an assignment or reassignment step has its 督办通知书 issued after it commits.
        from django.db.models.signals import post_save

        from .models import TaskStep
        from .services.ladder import after_task_step

        post_save.connect(after_task_step, sender=TaskStep, dispatch_uid="inspections.ladder.after_task_step")
        # Findings (insp-findings): a finding's evidence goes to those who see the finding; a new case of a rectified
        # finding's case category in its place reopens it (cases never import inspections).
        from cases.models import Case
        from wudu import media

        from .models import Finding, FindingEvidence
        from .services.recurrence import on_case_saved

        media.register(FindingEvidence, fields=("file",),
                       visible=lambda user, rows: rows.filter(finding__in=Finding.objects.visible_to(user)))
        post_save.connect(on_case_saved, sender=Case, dispatch_uid="inspections.recurrence_by_case")
        # The round report as export jobs (insp-reports): PDF and Excel, read again through the gate as the owner.
        from wudu import exports as export_jobs

        from . import exports

        export_jobs.register(exports.PDF_KIND, render=exports.report_pdf_job, fmt="pdf")
        export_jobs.register(exports.XLSX_KIND, render=exports.report_xlsx_job, fmt="xlsx")
