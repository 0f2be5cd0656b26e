"""The case loop's measures for the monthly bulletin and the quarterly ranking (docs/measures.md, "Cases").

When a case belongs to a period:
- **due** (应结案) in a period: dispatched (the clock started), with its deadline in force (an approved extension
  moves it) inside the period; plus a case overdue from an earlier period that was still not closed when the
  period began (it is due again every period until it closes: open overdue cases stay in the denominator, so an
  on-time rate never reads 100 % while a unit's overdue cases sit open);
- **handled** (处置) by the department: fed back before the period's end (a rework clears the feedback, so a case
  reworked and not fed back again is not handled); **on time**: fed back by the deadline;
- **closed** (结案): closed before the period's end; **on time**: closed by the deadline;
- cancelled cases were never dispatched and never count; suspended (挂账) cases are open: due, not handled;
- a petition reopened by a 不满意 verdict is dispatched again with a new deadline and counts in the period of that
  deadline; reworks and approved extensions are read as of the build.
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from wudu.measures import Measure, Period, register

from .models import Case, CaseEvent, Evaluation, Level, Source, Status

SATISFIED = (Evaluation.SATISFIED, Evaluation.BASIC)


def due(p: Period) -> Q:
    started = Q(dispatched_at__isnull=False, dispatched_at__lt=p.end_at)
    in_period = Q(deadline__gte=p.start_at, deadline__lt=p.end_at)
    carried = Q(deadline__lt=p.start_at) & (Q(closed_at__isnull=True) | Q(closed_at__gte=p.start_at))
    return started & (in_period | carried) & ~Q(status=Status.CANCELLED)


def handled(p: Period) -> Q:
    return Q(fed_back_at__lt=p.end_at)


def handled_on_time(p: Period) -> Q:
    return Q(fed_back_at__lt=p.end_at, fed_back_at__lte=_deadline())


def closed(p: Period) -> Q:
    return Q(closed_at__lt=p.end_at)


def closed_on_time(p: Period) -> Q:
    return Q(closed_at__lt=p.end_at, closed_at__lte=_deadline())


def _deadline() -> F:
    return F("deadline")


def extended(p: Period) -> Q:
    return Q(Exists(CaseEvent.objects.filter(case=OuterRef("pk"), action="approve_extension")))


def created(p: Period) -> Q:
    return Q(created_at__gte=p.start_at, created_at__lt=p.end_at)


def verdicts(p: Period) -> Q:
    """The residents' verdicts given in the period: evaluation events (a petition reopened by 不满意 keeps its
    verdict on the event only, and the case takes a fresh one after the next round)."""
    return Q(action="evaluate", at__gte=p.start_at, at__lt=p.end_at)


def _cases(code, label, numerator, *, base=due, higher=True, definition="", order=0, volume=False,
           department=True, section="cases"):
    return Measure(code=code, label=label, section=section, model=Case, place_field="grid__code",
                   department_field="department" if department else None, base=base, numerator=numerator,
                   higher_is_better=higher, definition=definition, order=order, volume=volume)


def by_resident(p: Period) -> Q:
    """Verdicts the resident gave through the tracking link (the event names no staff actor)."""
    return verdicts(p) & Q(actor__isnull=True)


def by_callback(p: Period) -> Q:
    """Verdicts staff took down on a call back (the event names who called)."""
    return verdicts(p) & Q(actor__isnull=False)


def _verdicts(code, label, *, order, definition, section="satisfaction", source=None, volume=False, base=None):
    if base is None:
        base = verdicts if source is None else (lambda p: verdicts(p) & Q(case__source=source))
    return Measure(code=code, label=label, section=section, model=CaseEvent, place_field="case__grid__code",
                   department_field="case__department" if source is None else None, base=base,
                   numerator=lambda p: Q(data__evaluation__in=list(SATISFIED)), definition=definition, order=order,
                   volume=volume)


register(
    _cases("case.handling", _("处置率"), handled, order=10, volume=True,
           definition=_("部门已反馈处置结果的事件 ÷ 应结案事件（期内到期的，加上期初仍未办结的超期事件）。")),
    _cases("case.handling_on_time", _("按期处置率"), handled_on_time, order=11,
           definition=_("在处置时限内反馈的事件 ÷ 应结案事件。")),
    _cases("case.closing", _("结案率"), closed, order=12,
           definition=_("期末前已结案的事件 ÷ 应结案事件。")),
    _cases("case.closing_on_time", _("按期结案率"), closed_on_time, order=13,
           definition=_("在处置时限内结案的事件 ÷ 应结案事件；未结案的超期事件留在分母中。")),
    _cases("case.rework", _("返工率"), lambda p: Q(reworks__gt=0), higher=False, order=14,
           definition=_("核查未通过、被返工过的事件 ÷ 应结案事件。")),
    _cases("case.overdue_open", _("超期待处置率"), lambda p: Q(fed_back_at__isnull=True) | Q(fed_back_at__gte=p.end_at),
           higher=False, order=15,
           definition=_("期末仍未反馈处置结果的应结案事件（均已超过时限） ÷ 应结案事件。")),
    _cases("case.extension", _("延期率"), extended, higher=False, order=16,
           definition=_("获批延期的事件 ÷ 应结案事件。")),
    _cases("case.report_accuracy", _("上报准确率"), lambda p: ~Q(status=Status.CANCELLED), order=20,
           base=lambda p: created(p) & Q(source=Source.PATROL, level=Level.CENTER), department=False, volume=True,
           section="reports",
           definition=_("网格员上报指挥中心、未被注销的事件 ÷ 网格员期内上报指挥中心的事件。")),
    _cases("case.self_handled", _("自行处置率"), lambda p: Q(status=Status.SELF_HANDLED), order=21,
           base=lambda p: created(p) & Q(source=Source.PATROL), department=False, section="reports",
           definition=_("在楼院、网格内就地解决的事件 ÷ 网格员期内登记的全部事件。")),
    _verdicts("case.satisfaction", _("满意率"), order=30, volume=True,
              definition=_("评价为满意或基本满意的评价 ÷ 期内作出的全部评价（信访事项每轮评价各计一次，"
                           "不满意而重新办理的也计入）。")),
    # The same rate split by who gave the verdict: the resident's own, or staff on a call back.
    _verdicts("case.satisfaction_resident", _("居民自评满意率"), order=31, base=by_resident,
              definition=_("居民通过办理进度链接自行作出的评价中，满意或基本满意的 ÷ 期内居民自行作出的全部评价。")),
    _verdicts("case.satisfaction_callback", _("电话回访满意率"), order=32, base=by_callback,
              definition=_("工作人员电话回访后录入的评价中，满意或基本满意的 ÷ 期内回访录入的全部评价。")),
    _cases("hotline.response", _("热线响应率"), lambda p: Q(dispatched_at__lt=p.end_at) | Q(status=Status.CANCELLED),
           order=40, base=lambda p: created(p) & Q(source=Source.HOTLINE), department=False, section="hotline",
           volume=True, definition=_("期末前已派遣（或经审核注销）的热线诉求 ÷ 期内登记的热线诉求。")),
    _cases("hotline.resolution", _("热线解决率"), lambda p: Q(status=Status.CLOSED, closed_at__lt=p.end_at),
           order=41, base=lambda p: created(p) & Q(source=Source.HOTLINE), department=False, section="hotline",
           definition=_("期末前已结案的热线诉求 ÷ 期内登记的热线诉求。")),
    _verdicts("hotline.satisfaction", _("热线满意率"), order=42, section="hotline", source=Source.HOTLINE,
              definition=_("热线诉求中评价为满意或基本满意的评价 ÷ 期内对热线诉求作出的全部评价。")),
)
