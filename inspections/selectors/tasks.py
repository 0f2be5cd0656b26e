"""Reads of rectification tasks: the 任务清单 (filtered, keyset pages), the 责任清单 (per owner unit and responsible
person, counted in the database), one task with its steps and evidence. Each starts from the gate
(`Rectification.objects.visible_to`)."""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from wudu import scope
from wudu.pages import by_date

from ..models import OPEN_STATUSES, Rectification, TaskStatus

DUE_SOON_DAYS = 7

# The 任务清单's order: the nearest deadline first (index rect_deadline_id); the cursor is "<date>_<id>".
BY_DEADLINE = by_date("deadline", newest_first=False)


def task_list(user, *, round_id=None, status: str = "", owner: str = "", due: str = "",
              today: datetime.date | None = None) -> QuerySet:
    """The tasks the user sees, filtered: a round, a status ("open": not ticked off), an owner unit
    ('place:<id>' / 'department:<id>'), due within 7 days or overdue (open tasks past their deadline)."""
    today = today or timezone.localdate()
    tasks = Rectification.objects.visible_to(user).select_related(
        "finding", "finding__place", "owner_place", "owner_department", "responsible")
    if round_id:
        tasks = tasks.filter(finding__round_id=round_id)
    if status == "open":
        tasks = tasks.filter(status__in=OPEN_STATUSES)
    elif status in TaskStatus.values:
        tasks = tasks.filter(status=status)
    kind, _sep, pk = owner.partition(":")
    pk = pk if pk.isdigit() and len(pk) <= 18 else ""  # an id, not a number too large for the database
    if pk and kind == "place":
        tasks = tasks.filter(owner_place_id=int(pk))
    elif pk and kind == "department":
        tasks = tasks.filter(owner_department_id=int(pk))
    if due == "soon":
        tasks = tasks.filter(status__in=OPEN_STATUSES, deadline__gte=today,
                             deadline__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))
    elif due == "overdue":
        tasks = tasks.filter(status__in=OPEN_STATUSES, deadline__lt=today)
    return tasks


def responsibility(user, *, round_id=None, today: datetime.date | None = None) -> list[dict]:
    """The 责任清单: per owner unit and responsible person, the open, overdue and ticked-off tasks (one grouped
    query)."""
    today = today or timezone.localdate()
    tasks = Rectification.objects.visible_to(user)
    if round_id:
        tasks = tasks.filter(finding__round_id=round_id)
    open_ = Q(status__in=OPEN_STATUSES)
    rows = (tasks.values("owner_place_id", "owner_place__name", "owner_department_id", "owner_department__name",
                         "responsible_id", "responsible__real_name")
            .annotate(total=Count("id"), open=Count("id", filter=open_),
                      overdue=Count("id", filter=open_ & Q(deadline__lt=today)),
                      ticked_off=Count("id", filter=Q(status=TaskStatus.TICKED_OFF)),
                      on_time=Count("id", filter=Q(status=TaskStatus.TICKED_OFF,
                                                   ticked_off_at__date__lte=F("deadline"))))
            .order_by("-overdue", "-open", "owner_place__name", "owner_department__name", "responsible__real_name"))
    out = []
    for row in rows:
        out.append({"owner": row["owner_place__name"] or row["owner_department__name"],
                    "owner_key": (f"place:{row['owner_place_id']}" if row["owner_place_id"]
                                  else f"department:{row['owner_department_id']}"),
                    "responsible": row["responsible__real_name"], "total": row["total"], "open": row["open"],
                    "overdue": row["overdue"], "ticked_off": row["ticked_off"], "on_time": row["on_time"]})
    return out


def access_task(user, task_id) -> Rectification:
    """One task the user sees (404 alike for missing and hidden), with what its page shows."""
    queryset = Rectification.objects.select_related(
        "finding", "finding__place", "finding__round", "finding__team", "owner_place", "owner_department",
        "responsible", "ticked_off_by")
    return scope.access(queryset, user, pk=task_id)


def task_steps(task: Rectification) -> list:
    return list(task.steps.select_related("actor").order_by("id"))


def task_evidence(task: Rectification) -> list:
    return list(task.evidence.order_by("id"))
