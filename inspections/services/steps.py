"""The writes that record a rectification task's steps (`TaskStep`), each in one transaction with the change it
records, so that a task never changes without its record.

- `record_step`: a person's step (assign, progress, submit, verify …). It claims the task's version, so that of two
  concurrent steps on one task exactly one wins (the other gets Conflict), and a form read before another step
  is refused.
- `record_system_step`: a step that moves no status (a ladder document's `escalate`, an `acknowledge`). It locks the
  task's row and writes only its own fields, without claiming the version: a form a person opened before the
  ladder's beat stays valid, since nothing it acts on changed. The two never write the same fields, so neither
  loses the other's update.

Who may take which step is the workflow's business (inspections/workflow.py); this module only records what was
decided there.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from wudu.errors import Conflict

from ..models import Finding, FindingStatus, Rectification, TaskStatus, TaskStep

__all__ = ["record_step", "record_system_step", "task_reopen", "refresh_finding_status"]


def record_step(task: Rectification, *, action: str, to_status: str, actor=None, role: str = "", note: str = "",
                data: dict | None = None, fields: dict | None = None, expected_version: int | None = None,
                at=None) -> TaskStep:
    """Move `task` to `to_status` (and set `fields`), writing one step. `expected_version`: the version the actor
    saw (a form's hidden field); None takes the task as loaded."""
    version = task.version if expected_version is None else int(expected_version)
    at = at or timezone.now()
    with transaction.atomic():
        claimed = Rectification.objects.filter(pk=task.pk, version=version).update(version=F("version") + 1)
        if claimed != 1:
            raise Conflict()
        from_status = task.status
        changes = {"status": to_status, **(fields or {})}
        Rectification.objects.filter(pk=task.pk).update(**changes)
        for name, value in changes.items():
            setattr(task, name, value)
        task.version = version + 1
        step = TaskStep.objects.create(task=task, action=action, from_status=from_status, to_status=to_status,
                                       actor=actor, actor_role=str(role or ""), at=at, note=note, data=data or {})
        refresh_finding_status(task.finding_id)
    return step


def record_system_step(task: Rectification, *, action: str, actor=None, role: str = "", note: str = "",
                       data: dict | None = None, fields: Callable[[Rectification], dict] | None = None,
                       at=None) -> TaskStep:
    """Write a step that leaves the status as it is, with its own `fields(locked task)` (computed from the row as
    locked, e.g. a ladder only ever raised), under the task's row lock and without claiming its version."""
    at = at or timezone.now()
    with transaction.atomic():
        # FOR NO KEY UPDATE: it waits for a person's step in flight, and lets rows pointing at the task be written.
        locked = Rectification.objects.select_for_update(no_key=True).get(pk=task.pk)
        changes = fields(locked) if fields is not None else {}
        if changes:
            Rectification.objects.filter(pk=task.pk).update(**changes)
        for name, value in changes.items():
            setattr(task, name, value)
        step = TaskStep.objects.create(task=task, action=action, from_status=locked.status, to_status=locked.status,
                                       actor=actor, actor_role=str(role or ""), at=at, note=note, data=data or {})
    return step


def task_reopen(task: Rectification, *, reason: str, action: str = "reopen", actor=None, role: str = "",
                data: dict | None = None, at=None) -> TaskStep:
    """Reopen a ticked-off task (a failed re-check, a problem that came back): it is open again, counted once more
    in `reopen_count`, and its finding is reopened."""
    with transaction.atomic():
        step = record_step(task, action=action, to_status=TaskStatus.REOPENED, actor=actor, role=role, note=reason,
                           data=data, fields={"reopen_count": task.reopen_count + 1, "ticked_off_at": None,
                                              "ticked_off_by": None}, at=at)
        Finding.objects.filter(pk=task.finding_id).update(status=FindingStatus.REOPENED, version=F("version") + 1)
    return step


def refresh_finding_status(finding_id: int) -> None:
    """A finding with tasks is rectifying until every task is ticked off, then rectified (a dismissed finding stays
    dismissed; a reopened one stays reopened until its tasks are all ticked off again)."""
    finding = Finding.objects.select_for_update().get(pk=finding_id)
    statuses = set(Rectification.objects.filter(finding_id=finding_id).values_list("status", flat=True))
    if finding.status == FindingStatus.DISMISSED or not statuses:
        return
    if statuses == {TaskStatus.TICKED_OFF}:
        status = FindingStatus.RECTIFIED
    elif finding.status == FindingStatus.REOPENED:
        return
    else:
        status = FindingStatus.RECTIFYING
    if status != finding.status:
        Finding.objects.filter(pk=finding_id).update(status=status, version=F("version") + 1)
