"""The demo's year of events (outreach/demo.py, through the services) and the events' measures for the bulletins."""

from __future__ import annotations

import datetime

from django.utils import timezone

from bulletins.figures import live_figures
from grids.models import Level, Role, User
from outreach import services
from outreach.demo import ENVIRONMENTAL_ORG, EventHistory
from outreach.models import Event, EventStatus, VolunteerOrganization
from wudu import measures
from wudu.measures import Period

HOUR = datetime.timedelta(hours=1)


def test_the_history_adds_a_year_of_events_through_the_services_once(cast):
    User.objects.create_superuser(username="admin", password="x", real_name="系统管理员")
    result = EventHistory().load()
    assert result["events"] > 150
    org = VolunteerOrganization.objects.get(name=ENVIRONMENTAL_ORG, place=cast.place("D"))
    lectures = Event.objects.filter(volunteer_organization=org)
    first = timezone.localdate() - datetime.timedelta(days=330)
    months = {f"{timezone.localtime(e.starts_at):%Y-%m}" for e in lectures.filter(starts_at__date__gte=first)}
    assert 6 <= lectures.filter(starts_at__date__gte=first).count() / len(months) <= 7.5  # the seed's ~6–7 a month
    assert lectures.filter(counts_as_service=True).count() == lectures.count()
    assert Event.objects.filter(kind="performance").exclude(stream_url="").exists()
    held = Event.objects.filter(status=EventStatus.HELD)
    assert held.count() > 100 and not held.filter(ends_at__gt=timezone.now()).exists()
    assert not Event.objects.filter(status=EventStatus.PUBLISHED, starts_at__gt=timezone.now(),
                                    back_entry_reason__gt="").exists()
    for event in Event.objects.exclude(back_entry_reason="").exclude(status=EventStatus.DRAFT):
        assert event.back_entry_approved_by_id not in (None, event.created_by_id)
    assert EventHistory().load() == {}


def test_events_held_counts_announced_events_that_were_reported(cast):
    official = cast.user(Role.DISTRICT_OFFICIAL)
    period = Period.last_closed(Period.MONTH)
    start = period.start_at + datetime.timedelta(days=3, hours=9)

    def event(place, planned, audience=None, how="headcount", publish=True):
        e = services.event_create(actor=cast.admin, kind="lecture", title="宣讲", venue=cast.place(place),
                                  starts_at=start, ends_at=start + 2 * HOUR, planned_audience=planned)
        if publish:
            e = services.event_publish(actor=official, event=e, now=start - 48 * HOUR)
        if audience is not None:
            e = services.event_report(actor=official, event=e, actual_audience=audience, audience_counted_by=how,
                                      report="简报")
        return e

    event("G1", 50, 60)                  # held, reached, counted
    event("C1", 50, 30, how="estimate")  # held, not reached, estimated
    event("C1", 40)                      # announced, never reported
    event("G1b", 40, publish=False)      # a draft: never counts
    event("C2", 20, 25)                  # the other community
    community = cast.place("C1").code
    code_length = len(community)
    held = live_figures(measures.get("outreach.events_held"), cast.place("S1").code, period, Level.COMMUNITY)
    assert held[community] == [2, 3]
    assert held[cast.place("C2").code] == [1, 1]
    reached = live_figures(measures.get("outreach.audience_reached"), cast.place("S1").code, period, Level.COMMUNITY)
    assert reached[community] == [1, 2]
    counted = live_figures(measures.get("outreach.audience_counted"), cast.place("S1").code, period, Level.COMMUNITY)
    assert counted[community] == [1, 2] and len(community) == code_length
