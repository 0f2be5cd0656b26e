"""The tasks area's drivers of the scope matrix: rectification tasks (整改任务), anchored at their finding's place.

The world has a finding of the cast's running round (第一巡察组, covering 董庄社区 C1) at every grid, each with a task
owned by its district's 城市管理 department. Creating is 交办 (the inspection office; the team within its coverage);
the matrix's change is 延长期限 (extend), the office's alone. Every other step's actors are checked by
tests/inspections/test_tasks_*.py."""

from __future__ import annotations

import datetime
import uuid

from django.urls import reverse
from django.utils import timezone

from inspections.models import Category, Finding, Rectification, Round, TaskStatus, Team
from inspections.services import tasks as task_services
from tests.scope import spec
from tests.scope.matrix import GRIDS_IN_ORDER, Driver, grid_anchor, key_of


def _finding(world, key: str) -> Finding:
    return Finding.objects.get(place=world.cast.places[key], title="矩阵问题")


def _department(world, place) -> object:
    return world.cast.departments[f"chengguan@{spec.district_of(key_of(world, place))}"]


def _assign(world, actor, place):
    return task_services.task_assign(
        actor=actor, finding=_finding(world, key_of(world, place)), measure="矩阵整改措施", owner_place=None,
        owner_department=_department(world, place), responsible=world.cast.user("department_staff"),
        idempotency_key=uuid.uuid4())


def _extend(actor, task):
    return task_services.task_extend(actor=actor, task=task, version=task.version, note="矩阵延期",
                                     deadline=task.deadline + datetime.timedelta(days=1))


DRIVERS = {
    "rectification": Driver(
        key="rectification", model=Rectification, admin_name="inspections_rectification",
        api_basename="rectification", anchor=grid_anchor, mutable_field="deadline",
        find=lambda world, key: Rectification.objects.get(finding__place=world.cast.places[key],
                                                          measure="矩阵整改"),
        page_list_url="/xuncha/tasks/",
        page_detail_url=lambda o: reverse("inspection_tasks:detail", args=[o.pk]),
        api_create=lambda world, p: {"finding": _finding(world, key_of(world, p)).pk, "measure": "矩阵整改措施",
                                     "owner_department": _department(world, p).pk,
                                     "responsible": world.cast.user("department_staff").pk},
        api_update_url=lambda o: reverse("api:rectification-steps", args=[o.pk]),
        api_update=lambda o: {"action": "extend", "version": o.version, "note": "矩阵延期",
                              "deadline": (o.deadline + datetime.timedelta(days=1)).isoformat()},
        service_create=_assign,
        service_update=_extend,
    ),
}


def populate(world) -> None:
    """A finding at every grid (the cast's team, whatever covers it) and its task, owned by the district's 城市管理."""
    team = Team.objects.get(round=Round.objects.get(name="矩阵巡察轮次"), name="第一巡察组")
    today = timezone.localdate()
    for key in GRIDS_IN_ORDER:
        place = world.cast.places[key]
        finding = Finding.objects.create(round=team.round, team=team, place=place, category=Category.WORK_STYLE,
                                         title="矩阵问题", facts="矩阵事实", found_on=today - datetime.timedelta(days=3))
        Rectification.objects.create(
            finding=finding, measure="矩阵整改", owner_department=_department(world, place),
            responsible=world.cast.user("department_staff"), deadline=today + datetime.timedelta(days=30),
            status=TaskStatus.ASSIGNED)
