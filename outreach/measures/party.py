"""outreach's measures for the bulletins and rankings (docs/measures.md, "Party life").

三会一课按期完成率: of the 三会一课 meetings due in the period (their due date, the last day of their month or
quarter, falls in it), those held by their due date. A meeting never held stays in the denominator, so a branch that
skips meetings cannot read 100 %; a meeting held late counts as held, not as on time. A community's party committee
(党委) or general branch (党总支) counts its monthly committee meeting and its quarterly lesson; a community's figure
is its own organisation's meetings and its grids', each meeting one row, so counted once. 主题党日 is recorded and
shown, but not measured here."""

from __future__ import annotations

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from wudu.measures import Measure, Period, register

from ..models import ON_TIME_KINDS, BranchMeeting


def due_in(p: Period) -> Q:
    return Q(kind__in=ON_TIME_KINDS, due_on__gte=p.start, due_on__lt=p.end)


register(
    Measure(code="party.meetings_on_time", label=_("三会一课按期完成率"), section="party", model=BranchMeeting,
            place_field="organization__place__code", base=due_in,
            numerator=lambda p: Q(held_on__isnull=False, held_on__lte=F("due_on")), order=80, volume=True,
            definition=_("期内到期的三会一课（党员大会、党课按季度，支委会、党小组会按月，截止日为期末；社区党委、"
                         "党总支为每月委员会会议和每季度党课）中，在截止日前（含）召开并记录的次数 ÷ 期内到期的次数；"
                         "逾期召开不计按期，未召开的仍计入分母。社区的数字含社区党组织及其网格党组织，每次会议只计一次。")),
)
