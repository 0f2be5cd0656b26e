"""Who belongs to a task's owner unit, and who acts for the team: the two sides a rectification keeps apart.

The owner unit of a task is the office of a place (the officials holding a membership at exactly that place) or a
department (its staff); its responsible person is of the unit too. The team is the finding's team: its members act
while their dated grant reaches the finding's place (the gate's `grant_to_act` with the inspector's role). A person
who belongs to the owner unit never verifies, ticks off or re-checks its tasks, whatever other role they hold.
"""

from __future__ import annotations

from django.db.models import Q

from grids.models import Membership, User
from wudu import scope
from wudu.scope import Grant, Role

from .models import Rectification, TeamMember

# Who speaks for a place's office: the officials of that place.
OFFICE_ROLES = tuple(scope.OFFICIALS)


def owner_members(task: Rectification):
    """The people of the task's owner unit (a queryset of users), the responsible person included."""
    if task.owner_department_id is not None:
        unit = Q(memberships__role=Role.DEPARTMENT_STAFF, memberships__department_id=task.owner_department_id)
    else:
        unit = Q(memberships__role__in=OFFICE_ROLES, memberships__place_id=task.owner_place_id)
    return User.objects.filter(unit | Q(pk=task.responsible_id)).distinct()


def is_owner(user, task: Rectification) -> bool:
    """Does `user` belong to the task's owner unit (or answer for it)?"""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.pk == task.responsible_id:
        return True
    memberships = Membership.objects.filter(user=user)
    if task.owner_department_id is not None:
        return memberships.filter(role=Role.DEPARTMENT_STAFF, department_id=task.owner_department_id).exists()
    return memberships.filter(role__in=OFFICE_ROLES, place_id=task.owner_place_id).exists()


def team_grant(user, task: Rectification) -> Grant | None:
    """The inspector's grant under which `user` acts for the finding's team on `task` (None: not a member of that
    team, or their coverage does not reach the task's place today)."""
    if not TeamMember.objects.filter(team_id=task.finding.team_id, user=user).exists():
        return None
    grant = scope.grant_to_act(user, task, "rectification", [Role.INSPECTOR])
    return None if grant is scope.SUPERUSER_GRANT else grant
