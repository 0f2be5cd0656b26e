"""The inspections app's grant provider: a team member holds the inspector's role at each place their team covers,
from the round's first day to the end of its follow-up period (both inclusive). Before and after, nothing.

Registered with the gate from InspectionsConfig.ready, so the gate (wudu/scope.py) never imports this app.
"""

from __future__ import annotations

from django.db.models import CharField, IntegerField, QuerySet, Value
from django.utils import timezone

from wudu.scope import Grant, Role

from .models import Coverage

NAME = "inspection_team"


class TeamCoverageGrants:
    name = NAME

    def grant_rows(self, user) -> QuerySet:
        return Coverage.objects.filter(team__members__user=user).values_list(
            Value(str(Role.INSPECTOR), output_field=CharField()), "place_id", "place__code",
            Value(None, output_field=IntegerField()), "team__round__starts_on", "team__round__follow_up_until")

    def grants_of(self, user) -> list[Grant]:
        rows = self.grant_rows(user).order_by("team__round__starts_on", "place__code", "id")
        return [Grant(*row, provider=self.name) for row in rows]

    def holders(self, prefix: str, strictly_below: bool) -> QuerySet:
        today = timezone.localdate()
        coverage = Coverage.objects.filter(place__code__startswith=prefix, team__round__starts_on__lte=today,
                                           team__round__follow_up_until__gte=today, team__members__isnull=False)
        if strictly_below:
            coverage = coverage.exclude(place__code=prefix)
        return coverage.values("team__members__user_id")
