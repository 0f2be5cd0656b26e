from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("巡察整改")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from cases.models import Case
        from wudu import exports as export_jobs
        from wudu import media, scope

        from . import (
            confirm,  # noqa: F401  (the resident-confirmation SMS task, known to the worker)
            exports,
        )
        from .grants import TeamCoverageGrants
        from .models import Finding, FindingEvidence, Rectification, TaskEvidence, TaskStep
        from .services.ladder import after_task_step
        from .services.recurrence import on_case_saved

        # A team member's grants: the places their team covers, for the round's dates and its follow-up period.
        scope.register_grant_provider(TeamCoverageGrants())
        # The ladder: an assignment or reassignment step has its 督办通知书 issued after it commits.
        post_save.connect(after_task_step, sender=TaskStep, dispatch_uid="inspections.ladder.after_task_step")
        # A new case of a rectified finding's case category in its place reopens it (cases never import inspections).
        post_save.connect(on_case_saved, sender=Case, dispatch_uid="inspections.recurrence_by_case")
        # Evidence is served to those who see its finding or task.
        media.register(FindingEvidence, fields=("file",),
                       visible=lambda user, rows: rows.filter(finding__in=Finding.objects.visible_to(user)))
        media.register(TaskEvidence, fields=("file", "thumbnail"),
                       visible=lambda user, evidence: evidence.filter(task__in=Rectification.objects.visible_to(user)))
        # The round report as export jobs: PDF and Excel, read again through the gate as the owner.
        export_jobs.register(exports.PDF_KIND, render=exports.report_pdf_job, fmt="pdf")
        export_jobs.register(exports.XLSX_KIND, render=exports.report_xlsx_job, fmt="xlsx")
