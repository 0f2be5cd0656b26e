"""The demo's volunteers: 42 of the environmental organisation with verified hours from its past lectures; nothing
without the organisation; a second run adds nothing."""

import datetime

import pytest

from grids.models import User
from outreach.demo import ENVIRONMENTAL_ORG, load_volunteer_history
from outreach.models import HoursStatus, ServiceRecord, Volunteer, VolunteerMembership
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
