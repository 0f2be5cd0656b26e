"""Gates of the records that belong to a task or a round and have no policy of their own: a ladder document is seen
exactly as its task (`Rectification.objects.visible_to`), a re-check as the report page shows it (its round and its
task both visible), a draw and a number counter as their round's district (`inspection_round`). The API's viewsets
(`base_queryset`) and the admin (`get_queryset`) start from these; nothing filters by hand."""

from __future__ import annotations

from django.db import models

from wudu import scope

from ..models import Rectification, Round


class ThroughTask(models.QuerySet):
    """A task's records (its ladder documents): visible to whoever sees the task."""

    scope_resource = "rectification"

    def visible_to(self, user):
        return self.filter(task__in=Rectification.objects.visible_to(user).values("pk"))


class ThroughRoundAndTask(models.QuerySet):
    """Re-checks: their round and their task both visible (as on the round's report page)."""

    scope_resource = "rectification"

    def visible_to(self, user):
        return self.filter(round__in=Round.objects.visible_to(user).values("pk"),
                           task__in=Rectification.objects.visible_to(user).values("pk"))


class ThroughRound(models.QuerySet):
    """A round's draws: visible to whoever sees the round."""

    scope_resource = "inspection_round"

    def visible_to(self, user):
        return self.filter(round__in=Round.objects.visible_to(user).values("pk"))


class ThroughDistrict(models.QuerySet):
    """A district's records (the ladder's number counters): read by whoever reads the district's rounds."""

    scope_resource = "inspection_round"

    def visible_to(self, user):
        return scope.filter_visible(self, user, "inspection_round")  # the policy's path is district__code


def gated(model, gate: type[models.QuerySet]) -> models.QuerySet:
    """All of `model`'s rows as a `gate` queryset (its `visible_to` still to apply)."""
    return gate(model=model)


class GatedThrough:
    """An API viewset of such records: `gate` names the queryset whose `visible_to` applies (ScopedViewSet calls it
    in `get_queryset` and `get_object`, which stay unchangeable)."""

    gate: type[models.QuerySet]

    def base_queryset(self):
        return gated(self.scope_model, self.gate)

    @property
    def scope_resource(self) -> str:
        return self.gate.scope_resource
