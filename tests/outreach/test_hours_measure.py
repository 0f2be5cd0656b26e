"""The measure of verified volunteer hours (outreach/measures/hours.py), worked by hand: an organisation of the
district serving in two communities; the records count for the community of the event's venue."""

from __future__ import annotations

import pytest

from bulletins.figures import live_figures, numerator_rows
from grids.models import Level
from outreach import services
from outreach.models import HoursStatus, ServiceRecord
from tests.outreach.hours_fixtures import at, check_in, check_out, event, organization, volunteer
from wudu import measures
from wudu.measures import Period

pytestmark = pytest.mark.django_db


def test_verified_service_records_count_for_the_community_of_the_venue(cast):
    org = organization(cast, key="D")  # registered at the district, serving in 董庄社区 (C1) and 健康社区 (C2)
    in_c1 = event(cast, org, starts=at(20, 10), venue_key="G1")
    in_c2 = event(cast, org, starts=at(21, 10), venue_key="G2", point=None)
    people = [volunteer(cast, name) for name in ("甲", "乙", "丙", "丁")]
    for person in people[:3]:  # three check-ins in C1
        check_in(in_c1, person, at(20, 10), device=person.name)
        check_out(in_c1, person, at(20, 12))
    check_in(in_c2, people[3], at(21, 10), point=None)
    check_out(in_c2, people[3], at(21, 12), point=None)
    # The recording organisation's decisions: 甲 and 乙 verified, 丙 left pending, 丁 declined.
    ServiceRecord.objects.filter(volunteer__in=people[:2]).update(status=HoursStatus.VERIFIED)
    ServiceRecord.objects.filter(volunteer=people[3]).update(status=HoursStatus.DECLINED)
    # Honour hours (verified, even for the C1 event) and an October event's verified check-in never count.
    honour = services.honour_hours_enter(
        actor=cast.admin, volunteer=people[2], organization=org, minutes=600, reason="表彰", event=in_c1,
        approver=cast.user("district_official"), now=at(25, 9))
    ServiceRecord.objects.filter(pk=honour.pk).update(status=HoursStatus.VERIFIED)
    october = event(cast, org, starts=at(20, 10).replace(month=10), venue_key="G1")
    check_in(october, people[2], at(20, 10).replace(month=10))
    ServiceRecord.objects.filter(event=october).update(status=HoursStatus.VERIFIED)

    measure = measures.get("outreach.hours_verified")
    november = Period.month(2026, 11)
    by_community = live_figures(measure, cast.place("D").code, november, Level.COMMUNITY)
    assert by_community == {cast.place("C1").code: [2, 3], cast.place("C2").code: [0, 1]}
    # The district's line: everything under it, still without the honour hours.
    assert live_figures(measure, cast.place("D").code, november, Level.DISTRICT) == {cast.place("D").code: [2, 4]}
    drill = numerator_rows(measure, cast.place("C1").code, november)
    assert sorted(r.volunteer.name for r in drill) == ["乙", "甲"]
    assert sum(r.minutes for r in drill) == 240  # 2 × 120 verified minutes of service
