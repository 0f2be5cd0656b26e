"""Reads of the ladder's documents: through the gate of their tasks (`rectification`), so a document is seen by
whoever sees its task and by nobody else."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from grids.models import Membership
from wudu.pages import keyset_page
from wudu.scope import Role

from ..models import Notice, Rectification
from ..units import OFFICE_ROLES

PAGE_SIZE = 30


def notices_visible(user) -> QuerySet[Notice]:
    return Notice.objects.filter(task__in=Rectification.objects.visible_to(user).values("pk"))


def access_notice(user, pk: int) -> Notice:
    """One document whose task the user sees, or 404 (the same for missing and hidden)."""
    notice = (notices_visible(user).select_related("task__finding__round__district", "task__finding__team",
                                                    "task__finding__place", "task__owner_place",
                                                    "task__owner_department", "task__responsible", "acknowledged_by")
              .filter(pk=pk).first())
    if notice is None:
        raise Http404
    return notice


@dataclass(frozen=True)
class HeadOf:
    """The owner units a person speaks for (the places whose official they are, the departments they serve in):
    one query, then `may_acknowledge(notice)` for every row of a page."""

    places: frozenset[int]
    departments: frozenset[int]

    @classmethod
    def of(cls, user) -> HeadOf:
        if not getattr(user, "is_authenticated", False):
            return cls(frozenset(), frozenset())
        rows = list(Membership.objects.filter(user=user, role__in=[*OFFICE_ROLES, Role.DEPARTMENT_STAFF])
                    .values_list("role", "place_id", "department_id"))
        return cls(frozenset(p for r, p, _d in rows if r in OFFICE_ROLES),
                   frozenset(d for r, _p, d in rows if r == Role.DEPARTMENT_STAFF and d))

    def may_acknowledge(self, notice: Notice) -> bool:
        task = notice.task
        if notice.acknowledged_at is not None:
            return False
        if task.owner_department_id is not None:
            return task.owner_department_id in self.departments
        return task.owner_place_id in self.places


def notice_page(user, *, kind: str = "", unacknowledged: bool = False, after: str = "") -> tuple[list, str]:
    """The documents page: newest first, a kind, the unsigned ones; keyset pages."""
    queryset = notices_visible(user).select_related("task__owner_place", "task__owner_department")
    if kind:
        queryset = queryset.filter(kind=kind)
    if unacknowledged:
        queryset = queryset.filter(acknowledged_at__isnull=True)
    return keyset_page(queryset, after, size=PAGE_SIZE)


def task_notices(task: Rectification) -> list[Notice]:
    return list(Notice.objects.filter(task=task).select_related("acknowledged_by").order_by("issued_at", "id"))
