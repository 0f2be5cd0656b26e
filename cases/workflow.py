"""The case steps, each described once. The states and transitions are on `Case` (django-fsm); this table adds,
per step, who takes it, what it asks for (note, extra inputs, photos), how its inputs become the transition's
arguments, who is told, and what the resident sees. The HTML form (`forms.StepForm`), the API input
(`api.step_input`), the service (`services._step`) and the notices (`notify.after_event`) all read it: adding a
step is a transition on the model and one `Step(...)` here (docs/architecture.md, "Add a case step").

The scope gate decides whether a user holds one of a step's roles *for this case* (its grid, and for
departments, its department)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import can_proceed

from wudu import scope
from wudu.scope import Grant, Role

from . import calendar
from .models import Case, CaseEvent, Evaluation, EvaluationChannel, LimitUnit, Source, Status

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

MAX_EXTENSION_DAYS = 30
NOTE_MAX = CaseEvent._meta.get_field("note").max_length
EVALUATION_COMMENT_MAX = Case._meta.get_field("evaluation_comment").max_length

# The inputs a step may ask for besides its note and photos. The form and the API each know how to take one
# of these from a person (forms.STEP_INPUTS, api.STEP_INPUTS); a step names the ones it needs.
INPUTS = ("department", "deadline", "days", "evaluation")


@dataclass(frozen=True)
class Prepared:
    """What a step's inputs become: the transition's keyword arguments, and what its event remembers."""

    arguments: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    name: str  # the action users and the API name
    label: str
    roles: tuple[str, ...]
    methods: tuple[str, ...]  # Case transitions it may take (the first one whose conditions hold)
    note_required: bool = False
    note_label: str = ""
    note_max: int = NOTE_MAX
    style: str = "primary"
    inputs: tuple[str, ...] = ()  # of INPUTS
    photos: bool = False  # the step may carry photos (the form offers them)
    resident: bool = False  # also open to the resident through the tracking link
    # The note shows (redacted) on the resident's tracking page: the result, why it was cancelled, what the check
    # found, their own verdict. Every other note (return and extension reasons, internal opinions) stays inside.
    resident_sees_note: bool = False
    # Who is told, and what: the roles holding the case after the step, and the message (%(ref)s,
    # %(category)s, %(department)s); the person who reported the case, and what they hear.
    tell: tuple[str, ...] = ()
    message: str = ""
    tell_reporter: str = ""
    tell_resident: str = ""  # an SMS to the resident's mobile (%(ref)s, %(link)s)
    records: tuple[str, ...] = ()  # case fields the event keeps ("department", "deadline")
    # (case, now, inputs) -> Prepared: validates the inputs against the case; None: the step takes none.
    prepare: Callable[[Case, datetime.datetime, dict], Prepared] | None = None
    # (case, inputs) -> the transition's name, where the inputs decide it; None: the first of `methods` that holds.
    choose: Callable[[Case, dict], str] | None = None
    # (case) -> True where only the resident, through the tracking link, may take the step (no staff role).
    resident_only: Callable[[Case], bool] | None = None
    # Never taken by the staff of the department that handled the case (a unit does not rate its own work).
    not_by_handler: bool = False
    # How the staff page offers the step (button, heading, message), where that differs from how its event reads
    # on a timeline: staff do not give a verdict, they record the resident's words from a call back.
    staff_label: str = ""

    @property
    def offered_as(self) -> str:
        return self.staff_label or self.label


def _dispatch(case: Case, now: datetime.datetime, inputs: dict) -> Prepared:
    department, deadline = inputs.get("department") or case.category.department, inputs.get("deadline")
    if department is None:
        raise ValidationError({"department": _g("请选择处置部门。")}, code="required")
    if department.district_id != case.category.district_id:
        raise ValidationError({"department": _g("该部门不属于本区。")}, code="other_district")
    limit, provisional = None, False
    if deadline is None:
        # The event keeps the limit, so that the deadline can be counted again on the official calendar.
        limit = {"amount": case.category.time_limit, "unit": case.category.limit_unit}
        deadline, provisional = calendar.deadline(now, limit["amount"], limit["unit"])
    elif deadline <= now:
        raise ValidationError({"deadline": _g("处置时限不能早于现在。")}, code="past_deadline")
    elif deadline > now + datetime.timedelta(days=366):
        raise ValidationError({"deadline": _g("处置时限不能超过一年。")}, code="far_deadline")
    return Prepared(
        dict(department=department, deadline=deadline, due_soon_at=calendar.due_soon_at(now, deadline),
             provisional=provisional),
        {"department": department.name, "deadline": deadline.isoformat(), **({"limit": limit} if limit else {})})


def _request_extension(case: Case, now: datetime.datetime, inputs: dict) -> Prepared:
    days = inputs.get("days")
    if not days or not 1 <= int(days) <= MAX_EXTENSION_DAYS:
        raise ValidationError({"days": _g("延期天数应为 1 到 %(n)d 个工作日。") % {"n": MAX_EXTENSION_DAYS}},
                              code="invalid_days")
    return Prepared(dict(days=int(days)), {"days": int(days)})


def _approve_extension(case: Case, now: datetime.datetime, inputs: dict) -> Prepared:
    new_deadline, provisional = calendar.deadline(case.deadline, case.extension_days, LimitUnit.WORKING_DAYS)
    return Prepared(dict(deadline=new_deadline, due_soon_at=calendar.due_soon_at(case.dispatched_at, new_deadline),
                         provisional=provisional or case.deadline_provisional),
                    {"days": case.extension_days, "deadline": new_deadline.isoformat()})


def _evaluate(case: Case, now: datetime.datetime, inputs: dict) -> Prepared:
    evaluation = inputs.get("evaluation") or ""
    if evaluation not in Evaluation.values:
        raise ValidationError({"evaluation": _g("请选择满意、基本满意或不满意。")}, code="required")
    # Staff take a verdict down on a call back to the resident: the case says so, and who called.
    by = inputs.get("by")
    channel = EvaluationChannel.PHONE if by is not None else EvaluationChannel.RESIDENT
    return Prepared(dict(evaluation=evaluation, comment=inputs.get("note", ""), channel=channel, by=by),
                    {"evaluation": evaluation, "channel": channel})


def _petition(case: Case) -> bool:
    return case.is_petition


def _evaluate_method(case: Case, inputs: dict) -> str:
    # A petitioner's 不满意 reopens the petition; any other verdict closes the evaluation.
    return "reopen" if case.is_petition and inputs.get("evaluation") == Evaluation.UNSATISFIED else "evaluate"


STEPS: dict[str, Step] = {step.name: step for step in (
    Step("settle", _("就地解决"), GRID_STAFF, ("settle",), note_required=True, note_label=_("处置结果"),
         style="success", photos=True),
    Step("escalate", _("上报指挥中心"), GRID_STAFF, ("escalate",), note_label=_("上报说明"),
         tell=CENTER, message=_("新上报事件 %(ref)s：%(category)s，待受理")),
    Step("accept", _("立案"), CENTER, ("accept",), note_label=_("立案意见")),
    Step("cancel", _("注销"), CENTER, ("cancel",), note_required=True, note_label=_("注销原因"), style="danger",
         resident_sees_note=True, tell_reporter=_("您上报的事件 %(ref)s 已注销")),
    Step("dispatch", _("派遣"), CENTER, ("dispatch",), note_label=_("派遣意见"), inputs=("department", "deadline"),
         prepare=_dispatch, records=("department", "deadline"),
         tell=DEPARTMENT, message=_("新派遣事件 %(ref)s：%(category)s，请签收")),
    Step("sign", _("签收"), DEPARTMENT, ("sign",), note_label=_("签收说明")),
    Step("send_back", pgettext_lazy("step", "退回"), DEPARTMENT, ("send_back",), note_required=True,
         note_label=_("退回原因"), style="warning",
         tell=CENTER, message=_("事件 %(ref)s 被%(department)s退回，待重新派遣")),
    Step("request_extension", _("申请延期"), DEPARTMENT, ("request_extension",), note_required=True,
         note_label=_("延期理由"), style="warning", inputs=("days",), prepare=_request_extension,
         tell=CENTER, message=_("事件 %(ref)s：%(department)s申请延期，待审批")),
    Step("approve_extension", _("同意延期"), CENTER, ("approve_extension",), note_label=_("审批意见"),
         prepare=_approve_extension, records=("deadline",),
         tell=DEPARTMENT, message=_("事件 %(ref)s 的延期申请已同意")),
    Step("refuse_extension", _("不同意延期"), CENTER, ("refuse_extension",), note_required=True,
         note_label=_("不同意的理由"), style="warning",
         tell=DEPARTMENT, message=_("事件 %(ref)s 的延期申请未同意")),
    Step("suspend", pgettext_lazy("step", "挂账"), DEPARTMENT, ("suspend",), note_required=True,
         note_label=_("暂不能解决的原因"), style="secondary",
         tell=CENTER, message=_("事件 %(ref)s 被%(department)s挂账")),
    Step("feed_back", _("反馈结果"), DEPARTMENT, ("feed_back",), note_required=True, note_label=_("处置结果"),
         style="success", photos=True, resident_sees_note=True,
         tell=GRID_STAFF + CENTER, message=_("事件 %(ref)s 已反馈处置结果，待核查")),
    Step("verify", _("核查通过"), GRID_STAFF + CENTER, ("close", "close_pending_evaluation"),
         note_label=_("核查情况"), style="success", photos=True, resident_sees_note=True,
         tell_reporter=_("您上报的事件 %(ref)s 已结案"),
         tell_resident=_("【网格通】您的诉求 %(ref)s 已办结，请评价：%(link)s")),
    Step("rework", _("返工"), GRID_STAFF + CENTER, ("rework",), note_required=True, note_label=_("返工原因"),
         style="danger", photos=True,
         tell=DEPARTMENT, message=_("事件 %(ref)s 核查未通过，请返工")),
    # Staff (the command center, never the unit that handled the case) record a verdict from a call back, marked as
    # such; a petition's verdict is the petitioner's own, given through the tracking link.
    Step("evaluate", pgettext_lazy("step", "评价"), CENTER, ("evaluate", "reopen"), note_label=_("群众的原话"),
         staff_label=_("记录回访评价"),
         note_max=EVALUATION_COMMENT_MAX, inputs=("evaluation",), resident=True, resident_sees_note=True,
         prepare=_evaluate, choose=_evaluate_method, resident_only=_petition, not_by_handler=True),
    Step("urge", _("催办"), CENTER, ("urge",), note_label=_("催办意见"), style="warning",
         tell=DEPARTMENT, message=_("事件 %(ref)s 被指挥中心催办，请尽快处置")),
    Step("supervise", pgettext_lazy("step", "督办"), CENTER, ("supervise",), note_label=_("督办意见"), style="danger",
         prepare=lambda case, now, inputs: Prepared(dict(on=True)),
         tell=DEPARTMENT, message=_("事件 %(ref)s 已被督办，请加快处置")),
)}


@dataclass(frozen=True)
class Chain:
    """Steps a person takes in one go (立案并派遣: accept, then dispatch): one transaction, each link a step of
    STEPS taken by the service as if alone (its own gate check, state check and event), the note and inputs going
    to the links that take them. It reads like a Step to the form and the API input; it records no event of its
    own, so timelines and notices stay those of its links."""

    name: str
    label: str
    links: tuple[str, ...]
    style: str = "primary"

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(STEPS[name] for name in self.links)

    @property
    def roles(self) -> tuple[str, ...]:
        return self.steps[0].roles

    @property
    def inputs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(name for step in self.steps for name in step.inputs))

    # The note is the last link's (派遣意见): the earlier ones are taken without a note of their own.
    @property
    def note_label(self) -> str:
        return self.steps[-1].note_label

    @property
    def note_required(self) -> bool:
        return self.steps[-1].note_required

    @property
    def note_max(self) -> int:
        return self.steps[-1].note_max

    photos = False
    resident = False

    @property
    def offered_as(self) -> str:
        return self.label


CHAINS: dict[str, Chain] = {chain.name: chain for chain in (
    Chain("accept_dispatch", _("立案并派遣"), ("accept", "dispatch")),
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


def resident_sees_note(action: str) -> bool:
    """Whether the note of an event with this action shows on the resident's tracking page."""
    step = STEPS.get(action)
    return step is not None and step.resident_sees_note


def method_for(case: Case, step: Step, inputs: dict | None = None):
    """The bound transition the step takes on this case now, or None when the case is not in a state for it
    (the transitions' conditions say, e.g., that a case is supervised only once)."""
    if step.choose is not None:
        method = getattr(case, step.choose(case, inputs or {}))
        return method if can_proceed(method) else None
    for name in step.methods:
        method = getattr(case, name)
        if can_proceed(method):
            return method
    return None


def acting_grant(user, case: Case, step: Step) -> Grant | None:
    """The grant under which the user takes this step on this case (None: they may not)."""
    if step.resident_only is not None and step.resident_only(case):
        return None
    if step.not_by_handler and case.department_id is not None and any(
            grant.role in DEPARTMENT and grant.department_id == case.department_id for grant in scope.grants_for(user)):
        return None
    return scope.grant_to_act(user, case, "case", step.roles)


def may_act(user, case: Case, step: Step) -> bool:
    return acting_grant(user, case, step) is not None


def available_steps(user, case: Case) -> list[Step]:
    """The steps this user may take on this case in its present state (what the case page offers)."""
    out = []
    for step in STEPS.values():
        if method_for(case, step) is not None and may_act(user, case, step):
            out.append(step)
    return out


def available_chains(user, case: Case) -> list[Chain]:
    """The chains the user may start on this case now: its first link is open to them, and they hold the roles of
    every later link (whose state is checked when it is reached, inside the same transaction)."""
    out = []
    for chain in CHAINS.values():
        first, *rest = chain.steps
        if method_for(case, first) is not None and may_act(user, case, first) and all(
                scope.has_role(user, *step.roles) for step in rest):
            out.append(chain)
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
