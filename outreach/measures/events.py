"""The measures of outreach events (docs/measures.md, "Outreach"): events held against events announced, and how
the audience came out, per place of the venue (a community's line counts the events at the community and its
grids).

A measure here counts events (rows), never people: the audience itself is a figure of each event's report. The
rate of events held is an honest count of what was announced and then reported; an announced event left without a
report counts as not held. No measure counts app usage."""

from __future__ import annotations

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from wudu.measures import Measure, Period, register

from ..models import AudienceCount, Event, EventStatus

ANNOUNCED = (EventStatus.PUBLISHED, EventStatus.HELD)


def announced(p: Period) -> Q:
    """Events published (or held) that started in the period: drafts and cancelled events never count."""
    return Q(status__in=ANNOUNCED, starts_at__gte=p.start_at, starts_at__lt=p.end_at)


def held(p: Period) -> Q:
    return Q(status=EventStatus.HELD, starts_at__gte=p.start_at, starts_at__lt=p.end_at)


def _events(code, label, numerator, *, base, order, definition, volume=False):
    return Measure(code=code, label=label, section="outreach", model=Event, place_field="venue__code", base=base,
                   numerator=numerator, definition=definition, order=order, volume=volume)


register(
    _events("outreach.events_held", _("活动举办率"), lambda p: Q(status=EventStatus.HELD), base=announced, order=70,
            volume=True,
            definition=_("期内开始的已发布活动中，已举办并填写活动简报的 ÷ 期内开始的已发布活动（草稿、已取消的不计）。")),
    _events("outreach.audience_reached", _("受众达标率"), lambda p: Q(actual_audience__gte=F("planned_audience")),
            base=lambda p: held(p) & Q(planned_audience__gt=0), order=71,
            definition=_("实际受众达到计划人数的活动 ÷ 期内已举办且定有计划人数的活动。")),
    _events("outreach.audience_counted", _("受众实数率"),
            lambda p: Q(audience_counted_by__in=[AudienceCount.HEADCOUNT, AudienceCount.REGISTRATION]), base=held,
            order=72, definition=_("受众人数按现场点数或签到登记得出（而非估算）的活动 ÷ 期内已举办的活动。")),
)
