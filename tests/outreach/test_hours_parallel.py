"""Real parallel connections on PostgreSQL: a check-in sent several times at once (a double tap, a retry on a weak
signal) keeps one record and every copy gets it back; a registration of the same mobile at once finds one."""

import pytest
from django.db import connection

from outreach import services
from outreach.models import ServiceRecord, Volunteer
from tests.cast import build_cast
from tests.outreach.hours_fixtures import at, event, organization, volunteer
from tests.test_concurrency import _race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real parallel connections (PostgreSQL)"),
]


@pytest.mark.django_db(transaction=True)
def test_a_check_in_sent_four_times_at_once_saves_one_record_and_returns_it_to_all():
    cast = build_cast()
    lecture = event(cast, organization(cast), starts=at(20, 10))
    person = volunteer(cast)
    code = services.checkin_code(lecture, now=at(20, 9, 58))

    def check_in(i):
        return services.volunteer_check_in(code=code, mobile=person.mobile, device=services.device_hash("p"),
                                           lng=113.1, lat=34.7, now=at(20, 9, 58))

    results = _race(check_in, n=4)
    assert [kind for kind, _ in results] == ["ok"] * 4, results
    assert len({record.pk for _, record in results}) == 1
    assert ServiceRecord.objects.filter(volunteer=person, event=lecture).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_mobile_registered_twice_at_once_is_one_volunteer():
    cast = build_cast()

    def register(i):
        return services.volunteer_register(actor=cast.admin, home=cast.places["G1"], name=f"同号{i}",
                                           mobile="13866667777")

    results = _race(register, n=3)
    assert [kind for kind, _ in results] == ["ok"] * 3, results
    assert len({v.pk for _, v in results}) == 1 and Volunteer.objects.filter(mobile="13866667777").count() == 1
