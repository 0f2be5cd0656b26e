"""The measure of volunteer hours (docs/measures.md, "Volunteer hours"): of the service hours recorded in the period
(check-ins at events that started in it), those verified, per place of the event's venue.

Which place a record counts for: the event's venue, not the recording organisation's place. 谁组织谁记录 says who
records and certifies an hour, not where it was served; the organisations that record most hours are registered at
the district or a street (the environmental association of the seed is a district organisation serving in every
community), so counting by the organisation's place would put nearly every hour on the district's line and none on
a community's. A community's bulletin line is meant to show the service done in the community, which is where the
volunteers checked in (the venue is a grid, community or street of the hierarchy, as for the events' measures).

What is counted: service records only (服务时长, each from a check-in at an event). Honour hours (荣誉时长, entered
by an administrator, with no event) never count: they have no venue and are no evidence of service. A pending or
declined record is in the denominator, not in the numerator, so unverified hours can never raise the figure.

The measures framework counts rows (numerator ÷ denominator), never sums: the figure is verified records (人次)
over recorded ones; the hours themselves are on each record of the drill-down. No measure counts app usage: a
service record is an hour of service at an event, evidenced by the check-in, not a use of the app."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wudu.measures import Measure, Period, register

from ..models import HoursKind, HoursStatus, ServiceRecord


def recorded(p: Period) -> Q:
    """Service records of events that started in the period (honour hours have no event and never count)."""
    return Q(kind=HoursKind.SERVICE, event__starts_at__gte=p.start_at, event__starts_at__lt=p.end_at)


register(
    Measure(code="outreach.hours_verified", label=_("志愿服务时长核实率"), section="outreach", model=ServiceRecord,
            place_field="event__venue__code", base=recorded,
            numerator=lambda p: Q(status=HoursStatus.VERIFIED), order=73,
            definition=_("期内开始的活动中签到产生的志愿服务时长记录里，经记录组织确认的 ÷ 全部服务时长记录"
                         "（待确认、未通过的计入分母；荣誉时长不计）；按活动地点计入社区。")),
)
