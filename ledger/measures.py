"""The ledger's measures (docs/measures.md, "Patrol" and "Spot checks"): counted over the daily reports (日报告,
one row per grid and day, built at 21:00 and again the next night) and the covert spot checks (暗访督导).

Patrol is work done in the grid (walked, visited, time on the ground), not app usage: check-ins, logins and
time online are not measures (national rules of 2023 and 2026)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from grids.models import Level
from wudu.measures import Measure, Period, register

from .models import DailyReport, SpotCheck


def grid_days(p: Period) -> Q:
    return Q(place__level=Level.GRID, date__gte=p.start, date__lt=p.end)


def checked(p: Period) -> Q:
    return Q(checked_on__gte=p.start, checked_on__lt=p.end)


register(
    Measure(code="patrol.coverage", label=_("巡查覆盖率"), section="patrol", model=DailyReport,
            place_field="place__code", base=grid_days, numerator=lambda p: Q(patrols__gt=0), order=50, volume=True,
            definition=_("有巡查记录的网格日 ÷ 网格日（网格数 × 天数，按每日日报告计）。")),
    Measure(code="patrol.time", label=_("巡查时长达标率"), section="patrol", model=DailyReport,
            place_field="place__code", base=grid_days,
            numerator=lambda p: Q(patrol_seconds__gte=Coalesce(
                "place__patrol_minimum_minutes", Value(settings.MIN_DAILY_PATROL_MINUTES)) * 60), order=51,
            definition=_("巡查时长达到该网格每日最低要求（网格未单独设定时按全区 MIN_DAILY_PATROL_MINUTES，默认 60 分钟）"
                         "的网格日 ÷ 网格日。")),
    Measure(code="spot_check.pass", label=_("暗访达标率"), section="spot_checks", model=SpotCheck,
            place_field="grid__code", base=checked,
            numerator=lambda p: Q(score__gte=settings.SPOT_CHECK_PASS_SCORE), order=60, volume=True, above_grid_only=True,
            definition=_("评分达到达标线（SPOT_CHECK_PASS_SCORE，默认 80 分）的暗访 ÷ 期内暗访次数。")),
)
