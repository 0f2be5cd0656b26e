"""A hand-worked round for the re-check and report tests, built with the model-level core (Finding and Rectification
rows, steps.record_step), not with the tasks area's services.

The cast's round 矩阵巡察轮次 (第一巡察组 covers 董庄社区 C1). `world(cast, ticked=10)` adds findings at C1 with one
task each, owned by C1's office (the community official answers for them), `ticked` of them ticked off by the team.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from grids.models import Role
from inspections.models import Category, Disclosure, Finding, Rectification, Round, TaskStatus
from inspections.services import steps

TODAY = timezone.localdate()


def the_round() -> Round:
    return Round.objects.get(name="矩阵巡察轮次")


def finding(cast, round_=None, *, category=Category.WORK_STYLE, place="C1", title="问题", public=False,
            summary="", facts="具体事实：张三违规领取补贴。"):
    round_ = round_ or the_round()
    return Finding.objects.create(round=round_, team=round_.teams.first(), place=cast.places[place], category=category,
                                  title=title, facts=facts, found_on=round_.starts_on,
                                  disclosure=Disclosure.PUBLIC if public else Disclosure.INTERNAL,
                                  public_summary=summary, recorded_by=cast.user(Role.INSPECTOR))


def task(cast, finding_, *, deadline=None, owner="C1", department=None, measure="整改措施"):
    task_ = Rectification.objects.create(
        finding=finding_, measure=measure, owner_place=None if department else cast.places[owner],
        owner_department=department, responsible=cast.user(Role.COMMUNITY_OFFICIAL),
        deadline=deadline or TODAY + datetime.timedelta(days=30), created_by=cast.user(Role.INSPECTION_OFFICE))
    steps.record_step(task_, action="assign", to_status=TaskStatus.ASSIGNED, actor=cast.user(Role.INSPECTION_OFFICE),
                      role=Role.INSPECTION_OFFICE)
    return task_


def tick_off(cast, task_, *, at=None):
    at = at or timezone.now()
    steps.record_step(task_, action="submit", to_status=TaskStatus.SUBMITTED, actor=cast.user(Role.COMMUNITY_OFFICIAL),
                      role=Role.COMMUNITY_OFFICIAL, at=at)
    steps.record_step(task_, action="verify", to_status=TaskStatus.TICKED_OFF, actor=cast.user(Role.INSPECTOR),
                      role=Role.INSPECTOR, at=at, fields={"ticked_off_at": at, "ticked_off_by": cast.user(Role.INSPECTOR)})
    return task_


def world(cast, *, ticked=10, open_=0, percent=None):
    round_ = the_round()
    if percent is not None:
        Round.objects.filter(pk=round_.pk).update(recheck_percent=percent)
        round_.refresh_from_db()
    tasks = []
    for n in range(ticked):
        tasks.append(tick_off(cast, task(cast, finding(cast, round_, title=f"已销号问题{n + 1}"))))
    for n in range(open_):
        tasks.append(task(cast, finding(cast, round_, title=f"整改中问题{n + 1}")))
    return round_, tasks
