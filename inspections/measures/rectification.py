"""The measures of rectification (docs/measures.md, "Inspections"), per place of the finding (a street's line adds
up its communities) or per owner department:

- 整改完成率: of the tasks whose deadline falls in the period, those ticked off (销号) by the period's end — a task
  reopened by a failed re-check or a problem that came back is no longer ticked off, and counts as not done;
- 销号可信度 (closure reliability): of the re-checks recorded in the period (passed or failed), those that found the
  rectification real. A unit re-checked nowhere reads "—", never 100 %."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wudu.measures import Measure, Period, register

from ..models import Recheck, RecheckResult, Rectification, TaskStatus


def due_in(p: Period) -> Q:
    return Q(deadline__gte=p.start, deadline__lt=p.end)


def ticked_off_by_end(p: Period) -> Q:
    return Q(status=TaskStatus.TICKED_OFF, ticked_off_at__lt=p.end_at)


def checked_in(p: Period) -> Q:
    return Q(result__in=[RecheckResult.PASSED, RecheckResult.FAILED], checked_at__gte=p.start_at,
             checked_at__lt=p.end_at)


register(
    Measure(code="inspection.rectification_completion", label=_("整改完成率"), section="inspections",
            model=Rectification, place_field="finding__place__code", department_field="owner_department",
            base=due_in, numerator=ticked_off_by_end, order=90, volume=True,
            definition=_("整改期限在期内的巡察整改任务中，期末前已销号的 ÷ 整改期限在期内的任务（被反向核查或问题反弹"
                         "重启的任务不计已销号）。")),
    Measure(code="inspection.closure_reliability", label=_("销号可信度"), section="inspections", model=Recheck,
            place_field="task__finding__place__code", department_field="task__owner_department",
            base=checked_in, numerator=lambda p: Q(result=RecheckResult.PASSED), order=91,
            definition=_("期内完成的反向核查中，核查属实的 ÷ 期内完成的反向核查（属实加虚假整改）；无核查记为“—”。")),
)
