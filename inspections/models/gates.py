"""The gates of the records that belong to a task or a round and have no policy of their own: a ladder document is
seen exactly as its task (`Rectification.objects.visible_to`), a re-check as the round's report shows it (its round
and its task both visible), a draw as its round. Each is its model's manager, so pages, API and admin all start from
`Model.objects.visible_to(user)`, the gate's one door; nothing filters by hand."""

from __future__ import annotations

from wudu.scope import ScopedQuerySet

from .rounds import Round
from .tasks import Rectification


class ThroughTask(ScopedQuerySet):
    """A task's records (its ladder documents): visible to whoever sees the task."""

    scope_resource = "rectification"

    def visible_to(self, user):
        return self.filter(task__in=Rectification.objects.visible_to(user).values("pk"))

    def changeable_by(self, user):
        return self.none()  # documents are issued by the ladder and signed through its service, never edited


class ThroughRoundAndTask(ScopedQuerySet):
    """Re-checks: their round and their task both visible (as on the round's report page)."""

    scope_resource = "rectification"

    def visible_to(self, user):
        return self.filter(round__in=Round.objects.visible_to(user).values("pk"),
                           task__in=Rectification.objects.visible_to(user).values("pk"))

    def changeable_by(self, user):
        return self.none()  # results are recorded through the re-check service


class ThroughRound(ScopedQuerySet):
    """A round's draws: visible to whoever sees the round."""

    scope_resource = "inspection_round"

    def visible_to(self, user):
        return self.filter(round__in=Round.objects.visible_to(user).values("pk"))

    def changeable_by(self, user):
        return self.none()  # draws are made through the re-check service


class DistrictRecords(ScopedQuerySet):
    """A district's records of the inspections (the ladder's number counters): read by whoever reads the district's
    rounds (the policy's path is district__code)."""

    scope_resource = "inspection_round"

    def changeable_by(self, user):
        return self.none()  # counted by the ladder's service only
