"""The handling of an application as a step table: each row says from which states a step is taken, where it
leads, who takes it and what it needs. `affairs.services.application_act` performs any row; the staff page offers
the rows open to the reader; the tracking page shows what each step means to the applicant.

一次性告知 (tell everything missing at once) is `check_material_request`: the first request names every missing
or wrong material; a later one may name only a material the first could not have named (not named before, and
uploaded after the last request), and is flagged for the measure."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wudu import scope
from wudu.scope import OFFICIALS, Role

from .models import Application, ApplicationStep, Status

HANDLER = "handler"  # the handling unit (its place's officials, or its department's staff)
APPLICANT = "applicant"  # the holder of the tracking link


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    by: str = HANDLER
    needs: tuple[str, ...] = ()  # inputs that must not be empty


STEPS: dict[str, Step] = {s.name: s for s in (
    Step("receive", gettext_lazy("接收"), (Status.SUBMITTED,), Status.RECEIVED),
    Step("request_materials", gettext_lazy("一次性告知补正材料"), (Status.RECEIVED, Status.RESUBMITTED),
         Status.MATERIALS_REQUESTED, needs=("materials",)),
    Step("resubmit", gettext_lazy("补正材料"), (Status.MATERIALS_REQUESTED,), Status.RESUBMITTED, by=APPLICANT),
    Step("accept", gettext_lazy("受理"), (Status.RECEIVED, Status.RESUBMITTED), Status.ACCEPTED),
    Step("process", gettext_lazy("开始办理"), (Status.ACCEPTED,), Status.PROCESSING),
    Step("transfer", gettext_lazy("转办"), (Status.ACCEPTED, Status.PROCESSING), Status.PROCESSING,
         needs=("unit", "note")),
    Step("approve", gettext_lazy("准予办理"), (Status.PROCESSING,), Status.APPROVED, needs=("result_kind", "result")),
    Step("refuse", gettext_lazy("不予办理"), (Status.RECEIVED, Status.RESUBMITTED, Status.ACCEPTED, Status.PROCESSING),
         Status.REFUSED, needs=("reason", "basis")),
    Step("close", gettext_lazy("办结归档"), (Status.APPROVED, Status.REFUSED), Status.CLOSED),
)}

NEED_MESSAGES = {
    "materials": gettext_lazy("请勾选需要补正的全部材料（一次性告知）。"),
    "unit": gettext_lazy("请选择转办的单位或部门。"),
    "note": gettext_lazy("请说明转办原因。"),
    "result_kind": gettext_lazy("请选择办理结果：出具证明或到现场领取。"),
    "result": gettext_lazy("请填写办理结果（证明内容或领取地点、时间）。"),
    "reason": gettext_lazy("不予办理须说明理由。"),
    "basis": gettext_lazy("不予办理须写明依据。"),
}


def handler_grant(user, application: Application) -> scope.Grant | None:
    """The grant under which `user` handles the application: a department's staff for a department's application,
    an official of the handling place itself otherwise (not the levels above: they read, the unit handles)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    for grant in scope.grants_for(user):
        if application.department_id:
            if grant.role == Role.DEPARTMENT_STAFF and grant.department_id == application.department_id:
                return grant
        elif grant.role in OFFICIALS and grant.place_id == application.unit_place_id:
            return grant
    if user.is_superuser:
        return scope.SUPERUSER_GRANT
    return None


def steps_open(application: Application) -> list[Step]:
    return [s for s in STEPS.values() if s.by == HANDLER and application.status in s.sources]


def check_step(step: Step, application: Application, inputs: dict) -> None:
    if application.status not in step.sources:
        raise ValidationError(_("当前状态（%(status)s）不能进行“%(step)s”。")
                              % {"status": application.status_label, "step": step.label}, code="wrong_status")
    missing = {need: NEED_MESSAGES[need] for need in step.needs if not inputs.get(need)}
    if missing:
        raise ValidationError(missing, code="required")


def check_material_request(application: Application, requirement_ids: list[int]) -> bool:
    """Refuse a request for materials that breaks 一次性告知; return whether it is a second (flagged) request.

    A first request may name any material. A later one may name only materials that no earlier request named AND
    whose current upload came after the last request (a new file that turned out wrong); anything else the first
    request could have named, and asking now would send the applicant round again."""
    earlier = list(ApplicationStep.objects.filter(application=application, action="request_materials")
                   .order_by("at", "id"))
    if not earlier:
        return False
    named = {int(i) for step in earlier for i in step.materials}
    last_at = earlier[-1].at
    fresh = set(application.materials.filter(replaced_at__isnull=True, uploaded_at__gt=last_at)
                .values_list("requirement_id", flat=True))
    bad = [i for i in requirement_ids if i in named or i not in fresh]
    if bad:
        names = list(application.item.materials.filter(pk__in=bad).values_list("name", flat=True))
        raise ValidationError(
            _("一次性告知：%(names)s 在上次补正告知时即可一并告知，不能再次要求补正。只有上次告知后新提交且有误的材料才能再次告知。")
            % {"names": "、".join(names)}, code="not_at_once")
    return True
