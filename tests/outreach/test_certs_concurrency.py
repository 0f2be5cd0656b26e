"""Certificate numbers under parallel requests (PostgreSQL, real connections): no gaps, no duplicates, and the
same request sent twice at once gives one certificate."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from outreach import services
from outreach.models import Certificate, CertificateCounter, VolunteerOrganization
from tests.cast import build_cast
from tests.outreach import certs_world as w
from tests.test_concurrency import _race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real parallel connections (PostgreSQL)"),
]
PERIOD = (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))


def _team(cast, volunteers: int):
    org = w.org(cast.places["C1"])
    people = []
    for index in range(volunteers):
        who = w.volunteer(cast.places["G1"], f"志愿者{index}")
        w.record(who, org, datetime.date(2026, 3, 1 + index % 28), 60 + index)
        people.append(who.pk)
    return org.pk, people


@pytest.mark.django_db(transaction=True)
def test_parallel_issues_take_consecutive_numbers():
    cast = build_cast()
    n = 8
    org_pk, people = _team(cast, n + 1)
    official = cast.user("community_official")
    from outreach.models import Volunteer

    def issue(i):
        org = VolunteerOrganization.objects.get(pk=org_pk)
        # one in n is refused half-way (its volunteer has a pending record): its number must come back
        who = Volunteer.objects.get(pk=people[i])
        return services.certificate_issue(actor=official, organization=org, volunteer=who,
                                          period_from=PERIOD[0], period_to=PERIOD[1]).number

    refused = Volunteer.objects.get(pk=people[3])
    w.record(refused, VolunteerOrganization.objects.get(pk=org_pk), datetime.date(2026, 5, 5), 30, status="pending")
    results = _race(issue, n)
    ok = sorted(value for kind, value in results if kind == "ok")
    errors = [value for kind, value in results if kind == "error"]
    assert len(ok) == n - 1 and len(errors) == 1 and "尚未确认" in errors[0].messages[0], results
    year = timezone.localdate().year
    assert ok == [f"WD-{year}-{i:06d}" for i in range(1, n)]  # no gap, no duplicate
    assert CertificateCounter.objects.get(year=year).last == n - 1


@pytest.mark.django_db(transaction=True)
def test_the_same_request_sent_at_once_gives_one_certificate():
    cast = build_cast()
    org_pk, people = _team(cast, 1)
    official = cast.user("community_official")
    from outreach.models import Volunteer

    def issue(i):  # two tabs, two keys: the records decide
        return services.certificate_issue(
            actor=official, organization=VolunteerOrganization.objects.get(pk=org_pk),
            volunteer=Volunteer.objects.get(pk=people[0]), period_from=PERIOD[0], period_to=PERIOD[1],
            idempotency_key=f"1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4be{i}").pk

    results = _race(issue, 4)
    assert all(kind == "ok" for kind, _ in results), results
    assert len({value for _, value in results}) == 1
    assert Certificate.objects.count() == 1
    assert CertificateCounter.objects.get().last == 1  # the losers' numbers went back


@pytest.mark.django_db
def test_the_log_of_verifications_is_append_only(cast):
    from django.db import transaction

    from outreach.models import CertificateVerification

    org = w.org(cast.places["C1"])
    who = w.volunteer(cast.places["G1"])
    w.record(who, org, datetime.date(2026, 3, 1), 60)
    certificate = services.certificate_issue(actor=cast.user("community_official"), organization=org, volunteer=who,
                                             period_from=PERIOD[0], period_to=PERIOD[1])
    look = services.certificate_verification_log(certificate=certificate, client_ip="10.1.2.3", user_agent="Mobile")
    assert look.ip_hash and "10.1.2.3" not in look.ip_hash and look.agent == "phone"
    for change in (lambda: CertificateVerification.objects.filter(pk=look.pk).update(agent="bot"),
                   lambda: CertificateVerification.objects.filter(pk=look.pk).delete()):
        with pytest.raises(Exception, match="append_only"), transaction.atomic():
            change()
    assert CertificateVerification.objects.get(pk=look.pk).agent == "phone"
