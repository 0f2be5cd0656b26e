"""The demo's volunteers: 42 of the environmental organisation with verified hours from its past lectures; nothing
without the organisation; a second run adds nothing."""

import datetime

import pytest
from django.db.models import Sum

from grids.models import User
from outreach.demo import ENVIRONMENTAL_ORG, load_certificates_history, load_volunteer_history
from outreach.models import Certificate, HoursStatus, ServiceRecord, Volunteer, VolunteerMembership
from tests.outreach.hours_fixtures import at, event, organization

pytestmark = pytest.mark.django_db


def test_without_the_organisation_nothing_is_added(cast):
    assert load_volunteer_history(now=at(28, 12)) == {"volunteers": 0, "volunteer_check_ins": 0}
    assert not Volunteer.objects.exists()


def test_the_organisations_volunteers_and_their_verified_hours(cast):
    User.objects.create_superuser(username="admin", password="x-Demo-2026", real_name="管理员")
    org = organization(cast, ENVIRONMENTAL_ORG, key="D")
    for day in (2, 9, 16):
        event(cast, org, starts=at(day, 9))
    upcoming = event(cast, org, starts=at(30, 9))
    first = load_volunteer_history(now=at(28, 12))
    assert first["volunteers"] == 42 and VolunteerMembership.objects.filter(organization=org).count() == 42
    assert 12 <= first["volunteer_check_ins"] <= 30
    verified = ServiceRecord.objects.filter(status=HoursStatus.VERIFIED)
    assert verified.count() == first["volunteer_check_ins"]
    assert all(0 < r.minutes <= 120 for r in verified)
    assert not ServiceRecord.objects.filter(event=upcoming).exists()
    assert load_volunteer_history(now=at(28, 12) + datetime.timedelta(minutes=1))["volunteer_check_ins"] == 0
    assert Volunteer.objects.count() == 42


def test_the_most_active_volunteers_get_a_certificate_of_their_verified_hours_once(cast):
    User.objects.create_superuser(username="admin", password="x-Demo-2026", real_name="管理员")
    org = organization(cast, ENVIRONMENTAL_ORG, key="D")
    for day in (2, 9, 16, 23):
        event(cast, org, starts=at(day, 9))
    load_volunteer_history(now=at(28, 12))
    assert load_certificates_history(now=at(28, 13), top=3) == {"certificates": 3}
    minutes = dict(ServiceRecord.objects.filter(status=HoursStatus.VERIFIED).values("volunteer")
                   .annotate(total=Sum("minutes")).values_list("volunteer", "total"))
    certified = list(Certificate.objects.select_related("volunteer"))
    # The three with the most verified minutes, each certified for exactly those minutes, by the organisation.
    assert sorted(c.service_minutes for c in certified) == sorted(minutes.values())[-3:]
    assert all(c.service_minutes == minutes[c.volunteer_id] and c.organization == org for c in certified)
    assert len({c.number for c in certified}) == 3
    assert load_certificates_history(now=at(28, 14), top=3) == {"certificates": 0}
    assert Certificate.objects.count() == 3
