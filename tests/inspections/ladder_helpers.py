"""Tasks for the ladder's tests, made through the core (the model rows and `record_step`, as the tasks area's
service will): a finding of the cast's round at 董庄社区 (C1) and a task owned by C1's office (or a department)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from grids.models import Role
from inspections.models import Category, Finding, Rectification, Round, TaskStatus
from inspections.services.steps import record_step

# The hand-worked timelines' clock: noon in Shanghai, so the local date is the one written.
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def make_task(cast, *, deadline: datetime.date, department=None, responsible=None, measure="清理违规发放的补贴",
              assign: bool = True) -> Rectification:
    round_ = Round.objects.get(name="矩阵巡察轮次")
    finding = Finding.objects.create(
        round=round_, team=round_.teams.get(), place=cast.place("C1"), category=Category.RESIDENTS,
        title="低保资格审核不严", facts="抽查12户，7户不符合条件仍在享受。", found_on=timezone.localdate())
    owner = {"owner_department": department} if department is not None else {"owner_place": cast.place("C1")}
    task = Rectification.objects.create(
        finding=finding, measure=measure, responsible=responsible or cast.user(Role.COMMUNITY_OFFICIAL),
        deadline=deadline, created_by=cast.user(Role.INSPECTOR), **owner)
    if assign:
        record_step(task, action="assign", to_status=TaskStatus.ASSIGNED, actor=cast.user(Role.INSPECTOR),
                    role=Role.INSPECTOR)
    return task
