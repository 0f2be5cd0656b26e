"""The rectification task's steps, each described once (the case loop's pattern, cases/workflow.py): who takes it
— the district's inspection office, the finding's team, the owner unit — from which statuses, to which, and what
it asks for. The HTML form (forms.tasks.StepForm), the API input (api.tasks) and the service (services.tasks) all
read this table; adding a step is one `Step(...)` here plus its service function.

The three sides are kept apart: the owner unit reports progress and submits; the team verifies, ticks off or sends
back — never a person of the owner unit, whatever other role they hold (`units.is_owner`); the office assigns,
reassigns and extends. Steps written by other areas (the ladder's escalate and acknowledge, a re-check's or a
recurrence's reopening) are rows without actors: they name the step on a timeline, nobody takes them here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from wudu import scope
from wudu.scope import Grant, Role

from . import units
from .models import OPEN_STATUSES, Rectification, TaskStatus

OFFICE, TEAM, OWNER = "office", "team", "owner"
ACTORS = (OFFICE, TEAM, OWNER)
# Who acts for an owner unit in the gate: the officials of a place's office, a department's staff.
OWNER_ROLES = (*scope.OFFICIALS, Role.DEPARTMENT_STAFF)

# The inputs a step may ask for besides its note (the form and the API each know how to take them).
INPUTS = ("deadline", "owner", "responsible", "evidence")
NOTE_MAX = 1000


@dataclass(frozen=True)
class Step:
    name: str  # TaskStep.action
    label: str
    actors: tuple[str, ...]  # of ACTORS; empty: written by another area's service, never offered
    from_statuses: tuple[str, ...]
    to_status: str | None  # None: the status does not change
    note_required: bool = False
    note_label: str = ""
    inputs: tuple[str, ...] = ()  # of INPUTS
    style: str = "primary"
    # Never taken by a person of the task's owner unit (the team verifies what the owner did).
    not_by_owner: bool = False
    # The evidence its category asks for must be present (rules.required_evidence).
    needs_evidence: bool = False

    def target(self, task: Rectification) -> str:
        return self.to_status or task.status


OPEN = tuple(OPEN_STATUSES)
WORKING = (TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS, TaskStatus.REOPENED)

STEPS: dict[str, Step] = {step.name: step for step in (
    Step("assign", _("交办"), (OFFICE, TEAM), (), TaskStatus.ASSIGNED, note_label=_("交办意见"),
         inputs=("owner", "responsible", "deadline")),
    Step("progress", _("报告整改进展"), (OWNER,), WORKING, TaskStatus.IN_PROGRESS, note_required=True,
         note_label=_("整改进展"), inputs=("evidence",), style="primary"),
    Step("submit", _("提交核验"), (OWNER,), WORKING, TaskStatus.SUBMITTED, note_label=_("整改情况说明"),
         style="success", needs_evidence=True),
    Step("verify", _("核验销号"), (TEAM,), (TaskStatus.SUBMITTED,), TaskStatus.TICKED_OFF, note_label=_("核验意见"),
         style="success", not_by_owner=True, needs_evidence=True),
    Step("reject", _("退回整改"), (TEAM,), (TaskStatus.SUBMITTED,), TaskStatus.IN_PROGRESS, note_required=True,
         note_label=_("退回原因"), style="danger", not_by_owner=True),
    Step("reassign", _("调整责任"), (OFFICE, TEAM), OPEN, None, note_required=True, note_label=_("调整原因"),
         inputs=("owner", "responsible", "deadline"), style="warning"),
    Step("extend", _("延长期限"), (OFFICE,), OPEN, None, note_required=True, note_label=_("延期理由"),
         inputs=("deadline",), style="warning"),
    # Written by the other areas (the ladder, re-checks, recurrence): named here for the timelines.
    Step("escalate", _("督办升级"), (), OPEN, None),
    Step("acknowledge", _("签收督办文书"), (), OPEN, None),
    Step("recheck_failed", _("核查未通过，重新整改"), (), (TaskStatus.TICKED_OFF,), TaskStatus.REOPENED),
    Step("recurred", _("问题反弹，重新整改"), (), (TaskStatus.TICKED_OFF,), TaskStatus.REOPENED),
)}

# The steps a person takes on an existing task (the detail page's buttons, the API's steps action).
TAKEN = tuple(name for name, step in STEPS.items() if step.actors and name != "assign")


def step_label(action: str) -> str:
    step = STEPS.get(action)
    return str(step.label) if step else action


def acting_grant(user, task: Rectification, step: Step) -> Grant | None:
    """The grant under which `user` takes `step` on `task` (an unsaved task carrying its finding, for assign), or
    None. The office acts by its membership, the team by its dated coverage of the finding's place, the owner unit
    by being of it and holding a grant that reaches the task. A superuser is none of the three."""
    if not getattr(user, "is_authenticated", False) or not step.actors:
        return None
    owner = task.pk is not None and units.is_owner(user, task)
    if step.not_by_owner and owner:
        return None
    for actor in step.actors:
        grant = None
        if actor == OFFICE:
            grant = scope.grant_to_act(user, task, "rectification", [Role.INSPECTION_OFFICE])
        elif actor == TEAM:
            grant = units.team_grant(user, task)
        elif actor == OWNER and owner:
            grant = scope.grant_to_act(user, task, "rectification", OWNER_ROLES)
        if grant is not None and grant is not scope.SUPERUSER_GRANT:
            return grant
    return None


def may_take(user, task: Rectification, step: Step) -> bool:
    return task.status in step.from_statuses and acting_grant(user, task, step) is not None


def available_steps(user, task: Rectification) -> list[Step]:
    """The steps this user may take on this task now (what the detail page offers)."""
    return [STEPS[name] for name in TAKEN if may_take(user, task, STEPS[name])]


def may_assign(user, finding) -> bool:
    return acting_grant(user, Rectification(finding=finding), STEPS["assign"]) is not None


def holder(task: Rectification) -> str:
    """Whose move it is: the owner unit while it works, the team once submitted, nobody once ticked off."""
    if task.status == TaskStatus.SUBMITTED:
        return TEAM
    return "" if task.status == TaskStatus.TICKED_OFF else OWNER
