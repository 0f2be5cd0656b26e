"""The grids app's grant provider: a person's memberships (a role at a place) are their grants.

Registered with the gate from GridsConfig.ready, so the gate (wudu/scope.py) never imports this app.
"""

from __future__ import annotations

from django.db.models import QuerySet

from wudu.scope import Grant

from .models import Membership


class MembershipGrants:
    name = "membership"

    def grants_of(self, user) -> list[Grant]:
        rows = Membership.objects.filter(user=user).values_list("role", "place_id", "place__code", "department_id")
        return [Grant(role, place_id, code, department_id) for role, place_id, code, department_id in rows]

    def holders(self, prefix: str, strictly_below: bool) -> QuerySet:
        memberships = Membership.objects.filter(place__code__startswith=prefix)
        if strictly_below:
            memberships = memberships.exclude(place__code=prefix)
        return memberships.values("user_id")
