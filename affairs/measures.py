"""The measures of community services (docs/measures.md, "Community services"), counted for the handling unit
(`Application.unit_place`: a community, a street, or the district for a department's application) and for the
department that holds a department's application.

When an application belongs to a period:
- **due** (应办结): accepted (受理 starts the clock) with its time limit (`due_at`) inside the period, plus one
  overdue from an earlier period that was still undecided when the period began (due again every period until it
  is decided, as for cases); an application refused before acceptance (不予受理) never had a clock and is never due;
- **decided** (办结): approved or refused (`decided_at`) before the period's end; **on time**: by its time limit;
- **submitted** / **decided in** the period: by `submitted_at` / `decided_at`; ratings by when they were given;
  a rectification by its own time limit (carried while open and overdue, as above).
Counters (`material_requests`) and results are read as of the build.
"""

from __future__ import annotations

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from wudu.measures import Measure, Period, register

from .models import BAD_RATINGS, Application, Mode, Rating, Rectification, ResultKind

SECTION = "affairs"


def due(p: Period) -> Q:
    started = Q(accepted_at__isnull=False, accepted_at__lt=p.end_at)
    in_period = Q(due_at__gte=p.start_at, due_at__lt=p.end_at)
    carried = Q(due_at__lt=p.start_at) & (Q(decided_at__isnull=True) | Q(decided_at__gte=p.start_at))
    return started & (in_period | carried)


def decided(p: Period) -> Q:
    return Q(decided_at__lt=p.end_at)


def decided_on_time(p: Period) -> Q:
    return Q(decided_at__lt=p.end_at, decided_at__lte=F("due_at"))


def submitted_in(p: Period) -> Q:
    return Q(submitted_at__gte=p.start_at, submitted_at__lt=p.end_at)


def decided_in(p: Period) -> Q:
    return Q(decided_at__gte=p.start_at, decided_at__lt=p.end_at)


def fully_online(p: Period) -> Q:
    """Nothing to do in person: an item done fully online, whose result is not collected at a counter."""
    return Q(item__mode=Mode.ONLINE) & ~Q(result_kind=ResultKind.COLLECT)


def one_trip(p: Period) -> Q:
    """The applicant comes in person once: the item says so (online, then once), or the result is collected."""
    return Q(item__mode=Mode.ONCE) | Q(result_kind=ResultKind.COLLECT)


def rated_in(p: Period) -> Q:
    return Q(at__gte=p.start_at, at__lt=p.end_at)


def rectification_due(p: Period) -> Q:
    in_period = Q(due_at__gte=p.start_at, due_at__lt=p.end_at)
    carried = Q(due_at__lt=p.start_at) & (Q(answered_at__isnull=True) | Q(answered_at__gte=p.start_at))
    return in_period | carried


def _applications(code, label, numerator, *, base=due, higher=True, order, definition, volume=False):
    return Measure(code=code, label=label, section=SECTION, model=Application, place_field="unit_place__code",
                   department_field="department", base=base, numerator=numerator, higher_is_better=higher,
                   definition=definition, order=order, volume=volume)


register(
    _applications("affairs.decided", _("办件办结率"), decided, order=100, volume=True,
                  definition=_("期末前已作出决定（准予或不予办理）的申请（办件量） ÷ 应办结申请（承诺时限在期内的已受理申请，"
                               "加上期初仍未办结的超期申请）。")),
    _applications("affairs.decided_on_time", _("按时办结率"), decided_on_time, order=101,
                  definition=_("在承诺时限（工作日）内作出决定的申请 ÷ 应办结申请；未办结的超期申请留在分母中。")),
    _applications("affairs.fully_online", _("全程网办率"), fully_online, base=submitted_in, order=102,
                  definition=_("期内提交的申请中，事项全程网办且不需到现场领取结果的 ÷ 期内提交的申请。")),
    _applications("affairs.trips", _("件均跑动次数"), one_trip, base=decided_in, higher=False, order=103,
                  definition=_("期内办结的申请中，需到现场一次的（事项为“网上申请，到现场一次”，或结果须到现场领取）"
                               " ÷ 期内办结的申请。网上申请至多跑一次（只能现场办理的事项不受理网上申请，补正材料在网上"
                               "提交），故此比值即每件申请平均到现场的次数。")),
    _applications("affairs.repeat_requests", _("多次补正率"), lambda p: Q(material_requests__gt=1), base=decided_in, higher=False, order=104,
                  definition=_("期内办结的申请中，补正告知超过一次的 ÷ 期内办结的申请（一次性告知：越低越好）。")),
    Measure(code="affairs.good_ratings", label=_("好评率"), section=SECTION, model=Rating,
            place_field="application__unit_place__code", department_field="application__department", base=rated_in,
            numerator=lambda p: ~Q(level__in=list(BAD_RATINGS)), order=105,
            definition=_("期内评价中，非常满意、满意或基本满意的 ÷ 期内申请人作出的全部评价。")),
    Measure(code="affairs.bad_ratings", label=_("差评率"), section=SECTION, model=Rating,
            place_field="application__unit_place__code", department_field="application__department", base=rated_in,
            numerator=lambda p: Q(level__in=list(BAD_RATINGS)), higher_is_better=False, order=106,
            definition=_("期内评价中，不满意或非常不满意的（差评） ÷ 期内申请人作出的全部评价。")),
    Measure(code="affairs.rectified_on_time", label=_("差评按时整改率"), section=SECTION, model=Rectification,
            place_field="application__unit_place__code", department_field="application__department",
            base=rectification_due, numerator=lambda p: Q(answered_at__lt=p.end_at, answered_at__lte=F("due_at")),
            order=107,
            definition=_("整改时限在期内的差评整改（加上期初仍未答复的超期整改）中，在时限内答复的 ÷ 应答复的差评整改。")),
)
