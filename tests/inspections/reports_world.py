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


def task(cast, finding_, *, deadline=None, owner="C1", department=None, measure="整改措施", responsible=None):
    task_ = Rectification.objects.create(
        finding=finding_, measure=measure, owner_place=None if department else cast.places[owner],
        owner_department=department, responsible=responsible or cast.user(Role.COMMUNITY_OFFICIAL),
        deadline=deadline or TODAY + datetime.timedelta(days=30), created_by=cast.user(Role.INSPECTION_OFFICE))
    steps.record_step(task_, action="assign", to_status=TaskStatus.ASSIGNED, actor=cast.user(Role.INSPECTION_OFFICE),
                      role=Role.INSPECTION_OFFICE)
    return task_


def at_noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def tick_off(cast, task_, *, at=None):
    at = at or timezone.now()
    # As the owner's page would: the task as it is now (its 督办通知书, issued after the assignment committed, is a
    # step of its own).
    task_.refresh_from_db()
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


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def hand_worked(cast):
    """Six tasks worked by hand (T = today):

    A 作风建设 at C1 (internal): t1 deadline T-5 ticked off T-6 (on time); t2 deadline T-5 ticked off T-2 (late);
      t3 deadline T-3, still assigned (overdue).
    B 侵害群众利益 at C1 (public): t4 deadline T+10 assigned (not yet due); t5 deadline T-1 ticked off T-1 (on time).
    C 廉洁纪律 at C2 (internal), owned by the department 城市管理: t6 deadline T-10, in progress (overdue).

    Office: 3 findings, 6 tasks, 3 ticked off → 50.0 %; on time 2 of 3 → 66.7 %; overdue 2 (t3, t6; t2 was late
    but is ticked off: never overdue). The inspector (covers C1 only): A and B, 5 tasks, 3 ticked → 60.0 %."""
    round_ = the_round()
    a = finding(cast, round_, title="内部问题甲：违规发放补贴", category=Category.WORK_STYLE)
    b = finding(cast, round_, title="内部标题乙：物业乱收费（李四）", category=Category.RESIDENTS, public=True,
                summary="某小区物业违规收取停车费", facts="李四（13900001111）反映物业乱收费。")
    c = finding(cast, round_, title="内部问题丙", category=Category.INTEGRITY, place="C2")
    t = {}
    t[1] = tick_off(cast, task(cast, a, deadline=days(-5)), at=at_noon(days(-6)))
    t[2] = tick_off(cast, task(cast, a, deadline=days(-5)), at=at_noon(days(-2)))
    t[3] = task(cast, a, deadline=days(-3))
    t[4] = task(cast, b, deadline=days(10))
    t[5] = tick_off(cast, task(cast, b, deadline=days(-1)), at=at_noon(days(-1)))
    t[6] = task(cast, c, deadline=days(-10), department=cast.departments["chengguan@D"],
                responsible=cast.user(Role.DEPARTMENT_STAFF))
    steps.record_step(t[6], action="progress", to_status=TaskStatus.IN_PROGRESS,
                      actor=cast.user(Role.DEPARTMENT_STAFF), role=Role.DEPARTMENT_STAFF)
    return round_, {"a": a, "b": b, "c": c}, t
