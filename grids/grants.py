"""The grids app's grant provider: a person's memberships (a role at a place) are their grants.

Registered with the gate from GridsConfig.ready, so the gate (wudu/scope.py) never imports this app.
"""

from __future__ import annotations

from django.db.models import DateField, QuerySet, Value

from wudu.scope import Grant

from .models import Membership


class MembershipGrants:
    name = "membership"

    def grant_rows(self, user) -> QuerySet:
        return Membership.objects.filter(user=user).values_list(
            "role", "place_id", "place__code", "department_id",
            Value(None, output_field=DateField()), Value(None, output_field=DateField()))

    def grants_of(self, user) -> list[Grant]:
        return [Grant(*row, provider=self.name) for row in self.grant_rows(user).order_by("id")]

    def holders(self, prefix: str, strictly_below: bool) -> QuerySet:
        memberships = Membership.objects.filter(place__code__startswith=prefix)
        if strictly_below:
            memberships = memberships.exclude(place__code=prefix)
        return memberships.values("user_id")
