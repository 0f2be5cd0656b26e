"""The escalation ladder (五书制): the documents issued on a rectification task and their acknowledgement.

督办通知书 (notice) on assignment and on every reassignment (a new owner unit, responsible person or deadline), 提醒书
(reminder) in the week before the deadline, 告诫书 (warning) once overdue — it sets the final deadline — and 问责书
(accountability) once the final deadline has passed. An assignment's 督办通知书 is issued once per assign/reassign
step (`Notice.step`); the schedule's documents, and a document issued by hand, once per (task, kind, deadline), so
they follow a reassigned deadline. A repeated or parallel issue returns the first document. Numbers (文号) run per
district and year without gaps: the counter row is locked in the issuing transaction, so a rolled-back issue gives
its number back.

Each issue writes the task's `escalate` step and tells the owner unit in the app. The step is a system step
(`steps.record_system_step`): it moves no status and claims no version, so a form someone opened before the beat
still goes through. A document issued on its own (the schedule, an assignment's notice sent by the outbox) is the
system's: no actor, role "system" (the assignment's step names who assigned). The owner unit's head acknowledges
(签收) each document once: an official of the owner place, or staff of the owner department; not the responsible
person alone, not the team, not an official elsewhere.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Notification
from grids.models import Membership, User
from wudu import outbox, scope
from wudu.scope import Role

from ..models import Ladder, Notice, NoticeCounter, Rectification, Reminder, ReminderKind, TaskStatus, TaskStep
from ..units import OFFICE_ROLES, owner_members
from .steps import record_system_step

__all__ = ["KIND_ORDER", "NUMBER_WORDS", "acknowledge", "after_task_step", "final_deadline_days",
           "issue_assignment_notice", "is_unit_head", "issue_notice", "ladder_run", "remind_days", "superiors"]

log = logging.getLogger("wudu.inspections")

# The ladder's rungs, lowest first: `task.ladder` keeps the highest document issued.
KIND_ORDER = (Ladder.NONE, Ladder.NOTICE, Ladder.REMINDER, Ladder.WARNING, Ladder.ACCOUNTABILITY)
# The word of each document in its number, e.g. 巡督〔2026〕411002-0007号.
NUMBER_WORDS = {Ladder.NOTICE: "巡督", Ladder.REMINDER: "巡提", Ladder.WARNING: "巡告", Ladder.ACCOUNTABILITY: "巡问"}
# The steps that give a task its owner, responsible person and deadline: each has its 督办通知书.
ASSIGNING = ("assign", "reassign")


def final_deadline_days() -> int:
    return int(getattr(settings, "INSPECTION_FINAL_DEADLINE_DAYS", 15))


def _district_id(task: Rectification) -> int:
    return task.finding.round.district_id


def _next_number(*, district_id: int, district_code: str, year: int, kind: str) -> str:
    """The next number of the district's year (its counter row locked by `_locked_counter` in this transaction)."""
    NoticeCounter.objects.filter(district_id=district_id, year=year).update(last=F("last") + 1)
    last = NoticeCounter.objects.values_list("last", flat=True).get(district_id=district_id, year=year)
    return f"{NUMBER_WORDS[kind]}〔{year}〕{district_code}-{last:04d}号"


def _locked_counter(district_id: int, year: int) -> None:
    """Lock the district's counter of the year (made if missing): parallel issues in the district queue here, so
    the one that waited sees the document the first one committed."""
    NoticeCounter.objects.bulk_create([NoticeCounter(district_id=district_id, year=year)], ignore_conflicts=True)
    list(NoticeCounter.objects.select_for_update().filter(district_id=district_id, year=year).values_list("pk"))


def issue_notice(task: Rectification, kind: str, *, actor=None, deadline: datetime.date | None = None,
                 step: TaskStep | None = None, data: dict | None = None,
                 now: datetime.datetime | None = None) -> Notice:
    """Issue the document `kind` on `task`, naming `deadline` (the task's deadline by default; for a 告诫书 and a 问责书
    the final deadline, deadline + INSPECTION_FINAL_DEADLINE_DAYS, which a 告诫书 also sets on the task).

    `step`: the assign/reassign step a 督办通知书 follows; idempotent per step. Without one, idempotent per (task,
    kind, deadline). `actor`: who issues it by hand (None: the system). `data`: more for the escalate step's record
    (e.g. who assigned)."""
    if kind not in NUMBER_WORDS:
        raise ValidationError(_("未知的督办文书类型。"), code="kind")
    now = now or timezone.now()
    task = Rectification.objects.select_related("finding__round__district").get(pk=task.pk)
    if deadline is None:  # a 告诫书 and a 问责书 name the final deadline, the others the task's deadline
        final = kind in (Ladder.WARNING, Ladder.ACCOUNTABILITY)
        deadline = task.deadline + datetime.timedelta(days=final_deadline_days()) if final else task.deadline
    existing = _issued(task, kind, deadline, step)
    if existing is not None:
        return existing
    district = task.finding.round.district
    year = timezone.localdate(now).year
    try:
        with transaction.atomic():
            _locked_counter(district.pk, year)
            existing = _issued(task, kind, deadline, step)
            if existing is not None:  # a parallel issue committed it while this one waited for the counter
                return existing
            number = _next_number(district_id=district.pk, district_code=district.code, year=year, kind=kind)
            notice = Notice.objects.create(task=task, kind=kind, number=number, deadline=deadline, issued_at=now,
                                           issued_by=actor, step=step)
            _escalate_step(task, notice, actor=actor, data=data, now=now)
            _tell_owner(task, notice)
    except IntegrityError:  # the same document, committed by a parallel issue (the whole attempt rolled back)
        existing = _issued(task, kind, deadline, step)
        if existing is None:
            raise
        return existing
    log.info("ladder: %s %s issued on task %s", kind, notice.number, task.pk)
    return notice


def _issued(task: Rectification, kind: str, deadline: datetime.date, step: TaskStep | None) -> Notice | None:
    """The document this issue would repeat: the step's notice; without a step, any of the kind and deadline."""
    rows = Notice.objects.filter(task=task, kind=kind)
    rows = rows.filter(step=step) if step is not None else rows.filter(deadline=deadline)
    return rows.order_by("id").first()


def _escalate_step(task: Rectification, notice: Notice, *, actor, data: dict | None, now) -> None:
    """The task's `escalate` step (a system step: status and version unchanged): the ladder raised to this document
    (never lowered, judged on the locked row), the final deadline set by a 告诫书."""

    def fields(locked: Rectification) -> dict:
        changes = {}
        if KIND_ORDER.index(notice.kind) > KIND_ORDER.index(locked.ladder):
            changes["ladder"] = notice.kind
        if notice.kind == Ladder.WARNING:
            changes["final_deadline"] = notice.deadline
        return changes

    record_system_step(task, action="escalate", actor=actor, role=_issuer_role(actor, task), fields=fields, at=now,
                       data={**(data or {}), "kind": notice.kind, "number": notice.number,
                             "deadline": notice.deadline.isoformat()})


def _issuer_role(actor, task: Rectification) -> str:
    if actor is None:
        return "system"
    grant = scope.grant_to_act(actor, task, "rectification", [Role.INSPECTION_OFFICE, Role.INSPECTOR])
    return str(grant.role) if grant is not None else ""


def _tell_owner(task: Rectification, notice: Notice) -> None:
    """The owner unit hears of the document in the app (once per document)."""
    message = _("%(kind)s %(number)s：%(measure)s，期限 %(deadline)s，请单位负责人签收。") % {
        "kind": notice.get_kind_display(), "number": notice.number, "measure": task.measure[:80],
        "deadline": notice.deadline.isoformat()}
    Notification.objects.bulk_create(
        [Notification(user_id=pk, kind=f"ladder_{notice.kind}"[:32], message=message[:300],
                      dedupe_key=f"ladder-notice:{notice.pk}")
         for pk in owner_members(task).values_list("pk", flat=True)],
        ignore_conflicts=True)


# ---------------------------------------------------------------------------------------------- acknowledgement


def is_unit_head(user, task: Rectification) -> bool:
    """Does `user` speak for the task's owner unit: an official of the owner place, or staff of the owner
    department? (The responsible person alone does not; nor does the team or an official of another place.)"""
    if not getattr(user, "is_authenticated", False):
        return False
    memberships = Membership.objects.filter(user=user)
    if task.owner_department_id is not None:
        return memberships.filter(role=Role.DEPARTMENT_STAFF, department_id=task.owner_department_id).exists()
    return memberships.filter(role__in=OFFICE_ROLES, place_id=task.owner_place_id).exists()


def acknowledge(actor, notice: Notice, *, now: datetime.datetime | None = None) -> Notice:
    """The owner unit's head signs for `notice` (签收), once; the task records an `acknowledge` step."""
    now = now or timezone.now()
    task = notice.task
    if not Rectification.objects.visible_to(actor).filter(pk=task.pk).exists():
        raise PermissionDenied
    if not is_unit_head(actor, task):
        raise ValidationError(_("只有责任单位负责人可以签收督办文书。"), code="not_head")
    with transaction.atomic():
        signed = Notice.objects.filter(pk=notice.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=actor)
        if signed != 1:
            raise ValidationError(_("该文书已签收，不能重复签收。"), code="acknowledged")
        grant = scope.grant_to_act(actor, task, "rectification", [*OFFICE_ROLES, Role.DEPARTMENT_STAFF])
        role = grant.role if grant is not None and grant is not scope.SUPERUSER_GRANT else ""
        # A system step: signing for a document leaves the task as it was, and a form open on it stays valid.
        record_system_step(task, action="acknowledge", actor=actor, role=role,
                           data={"kind": notice.kind, "number": notice.number}, at=now)
    notice.acknowledged_at, notice.acknowledged_by = now, actor
    return notice


# ---------------------------------------------------------------------------------------------- on assignment


def after_task_step(sender, instance, created: bool, **kwargs) -> None:
    """post_save of a TaskStep (connected in InspectionsConfig.ready): an assignment, or a reassignment (a new
    owner, responsible person or deadline), has its 督办通知书 issued once the step commits. Through the outbox: the
    step's transaction writes the message, a broker outage loses nothing, and a redelivery issues nothing twice
    (the notice is keyed by the step)."""
    if not created or instance.action not in ASSIGNING:
        return
    outbox.enqueue("inspections.tasks.ladder_notice_task", instance.task_id, instance.task.deadline.isoformat(),
                   step_id=instance.pk, key=f"ladder-notice:{instance.pk}")


def issue_assignment_notice(task_id: int, deadline: str, actor_id: int | None = None, *, step_id: int | None = None,
                            now: datetime.datetime | None = None) -> Notice | None:
    """The 督办通知书 of the assign/reassign step `step_id` (the outbox's task), issued by the system; the step (and the
    escalate step's data, `assigned_by`) names who assigned. None for a task closed since, moved to another deadline
    since, or reassigned since (that step has its own). A message written before notices were keyed by their step
    (no `step_id`, its assigner as `actor_id`) is issued once per deadline, as it was then."""
    if step_id is not None:
        issued = Notice.objects.filter(task_id=task_id, step_id=step_id).first()
        if issued is not None:  # a redelivered message
            return issued
    task = Rectification.objects.filter(pk=task_id).first()
    if task is None or not task.is_open or task.deadline.isoformat() != deadline:
        return None
    if step_id is None:
        return issue_notice(task, Ladder.NOTICE, deadline=task.deadline, data={"assigned_by": actor_id}, now=now)
    assigning = TaskStep.objects.filter(task_id=task_id, action__in=ASSIGNING)
    step = assigning.filter(pk=step_id).first()
    if step is None or assigning.filter(pk__gt=step_id).exists():  # not an assignment, or no longer the task's
        return None
    return issue_notice(task, Ladder.NOTICE, deadline=task.deadline, step=step, data={"assigned_by": step.actor_id},
                        now=now)


# ---------------------------------------------------------------------------------------------- the schedule

# Waiting for the owner: a submitted task waits for the team's verification, so it is neither reminded nor escalated.
WAITING_FOR_OWNER = (TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS, TaskStatus.REOPENED)


def remind_days() -> tuple[int, int]:
    """(the week's reminder, the day's reminder): days before the deadline (INSPECTION_REMIND_DAYS, default 7, 1)."""
    days = sorted(getattr(settings, "INSPECTION_REMIND_DAYS", (7, 1)), reverse=True)
    return int(days[0]), int(days[-1])


def superiors(task: Rectification) -> list[int]:
    """Who hears of a unit's overdue tasks above it: for a place, the officials of its parent place; for a
    department, its district's command center (指挥中心, which dispatches and supervises the departments)."""
    if task.owner_department_id is not None:
        rows = Membership.objects.filter(role=Role.COMMAND_CENTER, place_id=task.owner_department.district_id)
    else:
        parent_id = task.owner_place.parent_id
        if parent_id is None:
            return []
        rows = Membership.objects.filter(role__in=scope.OFFICIALS, place_id=parent_id)
    return list(rows.values_list("user_id", flat=True).distinct())


def _record(task: Rectification, kind: str, recipient_id: int) -> Reminder | None:
    """The message's row, written before it is sent: None when it was written before (sent already)."""
    reminder, created = Reminder.objects.get_or_create(task=task, kind=kind, deadline=task.deadline,
                                                        recipient_id=recipient_id)
    return reminder if created else None


def _send(user_ids: set[int], messages: dict[int, tuple[str, str, Reminder]]) -> None:
    """In the app (a notification per message) and to the mobile (the notice channels; SMS is the outside)."""
    from cases.notify import send_outside

    Notification.objects.bulk_create(
        [Notification(user_id=pk, kind=kind, message=text[:300], dedupe_key=f"insp-reminder:{first.pk}")
         for pk, (kind, text, first) in messages.items()], ignore_conflicts=True)
    mobiles = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "mobile"))
    for pk, (_kind, text, first) in messages.items():
        with outbox.once(f"insp-sms:{first.pk}") as new:
            if new:
                send_outside(mobiles.get(pk, ""), text)


def ladder_run(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """The deadline loop's beat (a few times a day): reminders 7 and 1 days before a deadline to the owner unit (its
    responsible person included), the day's overdue list to the owner units and their superiors (one digest per
    person, only of units with overdue tasks), and the ladder's documents on schedule (提醒书 in the last week,
    告诫书 once overdue, 问责书 past the final deadline). Idempotent: every message has its `Reminder` row (per task,
    kind, deadline and recipient), so a second run sends nothing; a reassigned task's rows follow its new deadline
    and people. Returns the count of each kind of message and document issued by this run."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    week, day = remind_days()
    final_days = final_deadline_days()
    counts = dict.fromkeys([*ReminderKind.values, *NUMBER_WORDS], 0)
    tasks = list(Rectification.objects.filter(status__in=WAITING_FOR_OWNER, deadline__lte=today + datetime.timedelta(
        days=week)).select_related("owner_place", "owner_department").order_by("deadline", "id"))
    members: dict[int, list[int]] = {t.pk: list(owner_members(t).values_list("pk", flat=True)) for t in tasks}
    overdue: dict[int, list[tuple[Rectification, Reminder]]] = {}
    for task in tasks:
        left = (task.deadline - today).days
        if left >= 0:
            kind = ReminderKind.DAY_BEFORE if left <= day else ReminderKind.WEEK_BEFORE
            _documents(task, [(Ladder.REMINDER, task.deadline)], now=now, counts=counts)
            text = _("【网格通】整改任务“%(measure)s”将于 %(deadline)s 到期（还剩 %(days)s 天），请按期完成整改并上传佐证材料。") % {
                "measure": task.measure[:60], "deadline": task.deadline.isoformat(), "days": left}
            for pk in members[task.pk]:
                reminder = _record(task, kind, pk)
                if reminder is not None:
                    counts[kind] += 1
                    _send({pk}, {pk: ("inspection_reminder", text, reminder)})
            continue
        final = task.deadline + datetime.timedelta(days=final_days)
        wanted = [(Ladder.WARNING, final)] + ([(Ladder.ACCOUNTABILITY, final)] if today > final else [])
        _documents(task, wanted, now=now, counts=counts)
        for pk in sorted({*members[task.pk], *superiors(task)}):
            reminder = _record(task, ReminderKind.OVERDUE, pk)
            if reminder is not None:
                overdue.setdefault(pk, []).append((task, reminder))
    for pk, rows in overdue.items():
        lines = "；".join(_("%(measure)s（期限 %(deadline)s，逾期 %(days)s 天）") % {
            "measure": t.measure[:30], "deadline": t.deadline.isoformat(), "days": (today - t.deadline).days}
            for t, _r in rows)
        text = _("【网格通】逾期未完成的整改任务 %(count)s 项：%(lines)s。请抓紧整改。") % {"count": len(rows), "lines": lines}
        counts[ReminderKind.OVERDUE] += 1
        _send({pk}, {pk: ("inspection_overdue", text, rows[0][1])})
    return counts


def _documents(task: Rectification, wanted: list[tuple[str, datetime.date]], *, now, counts: dict) -> bool:
    """Issue the documents the schedule calls for that the task lacks; True when one was issued."""
    issued = False
    for kind, deadline in wanted:
        if Notice.objects.filter(task=task, kind=kind, deadline=deadline).exists():
            continue
        issue_notice(task, kind, deadline=deadline, now=now)
        counts[kind] += 1
        issued = True
    return issued
