"""Who may take each step of a case. The states and transitions themselves are on `Case` (django-fsm); this
table adds the roles that own each step, what the step needs, and how it reads in the UI. The scope gate
decides whether a user holds one of those roles *for this case* (its grid, and for departments, its
department)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import can_proceed

from wudu import scope
from wudu.scope import Grant, Role

from .models import Case, Source, Status

GRID_STAFF = scope.GRID_STAFF
CENTER = (Role.COMMAND_CENTER,)
DEPARTMENT = (Role.DEPARTMENT_STAFF,)
ASSIGNERS = (Role.COMMAND_CENTER, *scope.OFFICIALS)

# How staff enter a case, the usual way first, and whose grant at the grid allows each: grid staff report from
# their grid (patrol), the command center registers hotline calls in its district, and the command center or
# an official above the grid assigns one (filed at once, without the acceptance step).
ENTRY: dict[str, tuple[str, ...]] = {
    Source.PATROL: GRID_STAFF,
    Source.HOTLINE: CENTER,
    Source.ASSIGNED: ASSIGNERS,
}


@dataclass(frozen=True)
class Step:
    name: str  # the action users and the API name
    label: str
    roles: tuple[str, ...]
    methods: tuple[str, ...]  # Case transitions it may take (the first one whose conditions hold)
    note_required: bool = False
    note_label: str = ""
    style: str = "primary"
    resident: bool = False  # also open to the resident through the tracking link


STEPS: dict[str, Step] = {step.name: step for step in (
    Step("settle", _("就地解决"), GRID_STAFF, ("settle",), note_required=True, note_label=_("处置结果"),
         style="success"),
    Step("escalate", _("上报指挥中心"), GRID_STAFF, ("escalate",), note_label=_("上报说明")),
    Step("accept", _("立案"), CENTER, ("accept",), note_label=_("立案意见")),
    Step("cancel", _("注销"), CENTER, ("cancel",), note_required=True, note_label=_("注销原因"), style="danger"),
    Step("dispatch", _("派遣"), CENTER, ("dispatch",), note_label=_("派遣意见")),
    Step("sign", _("签收"), DEPARTMENT, ("sign",), note_label=_("签收说明")),
    Step("send_back", pgettext_lazy("step", "退回"), DEPARTMENT, ("send_back",), note_required=True, note_label=_("退回原因"),
         style="warning"),
    Step("request_extension", _("申请延期"), DEPARTMENT, ("request_extension",), note_required=True,
         note_label=_("延期理由"), style="warning"),
    Step("approve_extension", _("同意延期"), CENTER, ("approve_extension",), note_label=_("审批意见")),
    Step("refuse_extension", _("不同意延期"), CENTER, ("refuse_extension",), note_required=True,
         note_label=_("不同意的理由"), style="warning"),
    Step("suspend", pgettext_lazy("step", "挂账"), DEPARTMENT, ("suspend",), note_required=True, note_label=_("暂不能解决的原因"),
         style="secondary"),
    Step("feed_back", _("反馈结果"), DEPARTMENT, ("feed_back",), note_required=True, note_label=_("处置结果"),
         style="success"),
    Step("verify", _("核查通过"), GRID_STAFF + CENTER, ("close", "close_pending_evaluation"),
         note_label=_("核查情况"), style="success"),
    Step("rework", _("返工"), GRID_STAFF + CENTER, ("rework",), note_required=True, note_label=_("返工原因"),
         style="danger"),
    Step("evaluate", pgettext_lazy("step", "评价"), CENTER, ("evaluate", "reopen"), note_label=_("评价意见"), resident=True),
    Step("supervise", pgettext_lazy("step", "督办"), CENTER, ("supervise",), note_label=_("督办意见"), style="danger"),
)}


# Events that no one takes as a step: written by the system, named on the timelines.
SYSTEM_EVENTS = {
    "create": _("登记"),
    "recalendar": _("按正式放假安排重算时限"),
}


def event_label(action: str) -> str:
    """How a case event reads on a timeline: its step's label, or a system event's name."""
    step = STEPS.get(action)
    return step.label if step else SYSTEM_EVENTS.get(action, SYSTEM_EVENTS["create"])


def method_for(case: Case, step: Step, **params):
    """The bound transition the step takes on this case now, or None when the case is not in a state for it."""
    if step.name == "evaluate":
        # A petitioner's 不满意 reopens the petition; any other verdict closes the evaluation.
        name = "reopen" if case.is_petition and params.get("evaluation") == "unsatisfied" else "evaluate"
        method = getattr(case, name)
        return method if can_proceed(method) else None
    for name in step.methods:
        method = getattr(case, name)
        if can_proceed(method):
            return method
    return None


def acting_grant(user, case: Case, step: Step) -> Grant | None:
    """The grant under which the user takes this step on this case (None: they may not)."""
    return scope.grant_to_act(user, case, "case", step.roles)


def may_act(user, case: Case, step: Step) -> bool:
    return acting_grant(user, case, step) is not None


def available_steps(user, case: Case) -> list[Step]:
    """The steps this user may take on this case in its present state (what the case page offers)."""
    out = []
    for step in STEPS.values():
        if step.name == "supervise" and case.supervised:
            continue
        if method_for(case, step) is not None and may_act(user, case, step):
            out.append(step)
    return out


def entry_grant(user, source: str, grid) -> Grant | None:
    """The one grant that lets the user enter a case of this source at this grid (its role is recorded)."""
    roles = ENTRY.get(source)
    return None if roles is None else scope.grant_to_create(user, "case", grid, roles=roles)


def entry_sources(user, grid=None) -> list[str]:
    """The sources this user may enter a case with, the usual way first: at this grid, or (no grid) anywhere
    their grants reach. The page offers these, the API defaults to the first, the service accepts only a source
    whose grant reaches the grid. Empty: the user enters no cases (a system administrator without another role:
    entry is the grid's, the command center's and the officials' work)."""
    if grid is None:
        return [source for source, roles in ENTRY.items() if scope.has_role(user, *roles)]
    return [source for source in ENTRY if entry_grant(user, source, grid) is not None]


def holder_roles(status: str) -> tuple[str, ...]:
    """Whose move it is (for queues and notices)."""
    if status in (Status.LOCAL,):
        return GRID_STAFF
    if status in (Status.DISPATCHED, Status.HANDLING):
        return DEPARTMENT
    if status == Status.FED_BACK:
        return GRID_STAFF + CENTER
    return CENTER
