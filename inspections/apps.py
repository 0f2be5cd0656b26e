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

        # The rectification area: the resident-confirmation SMS task (known to the worker), evidence served gated.
        from wudu import media

        from . import confirm  # noqa: F401
        from .models import Rectification, TaskEvidence

        media.register(TaskEvidence, fields=("file", "thumbnail"),
                       visible=lambda user, evidence: evidence.filter(task__in=Rectification.objects.visible_to(user)))
