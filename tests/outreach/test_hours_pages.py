"""The volunteers' pages: the public check-in (no account), the organiser's attendance, the lists (query counts
pinned at two sizes), and the API's lists."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from outreach import services
from outreach.models import HoursStatus, ServiceRecord
from tests.outreach.hours_fixtures import VENUE, event, organization, volunteer
from tests.scope.matrix import BACKEND

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(cast):
    """A lecture that started ten minutes ago."""
    return event(cast, organization(cast), starts=timezone.now() - timezone.timedelta(minutes=10))


def _post(client, code, mobile, act="in", point=VENUE):
    return client.post(reverse("outreach_hours:check_in"), {"code": code, "mobile": mobile, "act": act,
                                                            "lng": point[0] if point else "",
                                                            "lat": point[1] if point else ""})


def test_public_check_in_and_out_without_an_account(client, cast, live):
    vol = volunteer(cast)
    page = client.get(reverse("outreach_hours:check_in"), {"c": services.checkin_code(live)})
    assert page.status_code == 200 and services.checkin_code(live) in page.content.decode()
    device = page.cookies["wudu_vdev"].value
    response = _post(client, services.checkin_code(live), vol.mobile)
    assert response.status_code == 302
    record = ServiceRecord.objects.get()
    assert record.device == services.device_hash(device) and device not in record.device
    again = _post(client, services.checkin_code(live), vol.mobile)
    assert again.status_code == 302 and ServiceRecord.objects.count() == 1
    out = _post(client, services.checkin_code(live), vol.mobile, act="out")
    assert out.status_code == 302
    followed = client.get(out["Location"])
    assert "已签退" in followed.content.decode()


def test_public_check_in_with_a_wrong_code_says_so(client, cast, live):
    vol = volunteer(cast)
    response = _post(client, "000000" if services.checkin_code(live) != "000000" else "111111", vol.mobile)
    assert response.status_code == 400 and "签到码无效" in response.content.decode()
    assert not ServiceRecord.objects.exists()


def test_public_check_in_far_from_the_venue_is_refused(client, cast, live):
    response = _post(client, services.checkin_code(live), volunteer(cast).mobile, point=(113.2, 34.7))
    assert response.status_code == 400 and "超出500米" in response.content.decode()


def _sign_in(client, user):
    client.force_login(user, backend=BACKEND)


def test_attendance_page_shows_the_code_and_countersigns_all(client, cast, live):
    people = [volunteer(cast, f"队员{i}") for i in range(2)]
    code = services.checkin_code(live)
    for person in people:
        services.volunteer_check_in(code=code, mobile=person.mobile)
        services.volunteer_check_out(code=code, mobile=person.mobile)
    _sign_in(client, cast.user("community_official"))
    page = client.get(reverse("outreach_hours:attendance", args=[live.pk]))
    assert page.status_code == 200 and code in page.content.decode() and "全部确认" in page.content.decode()
    qr = client.get(reverse("outreach_hours:attendance_qr", args=[live.pk]))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/png"
    signed = client.post(reverse("outreach_hours:countersign", args=[live.pk]), {"all": "1"})
    assert signed.status_code == 302
    assert ServiceRecord.objects.filter(status=HoursStatus.VERIFIED).count() == 2


def test_attendance_page_is_missing_for_a_grid_worker_below_the_organisation(client, cast, live):
    _sign_in(client, cast.user("grid_worker"))  # reads (G1 is not the organisation's place C1): 404
    assert client.get(reverse("outreach_hours:attendance", args=[live.pk])).status_code == 404


def test_a_reader_who_may_not_sign_gets_no_buttons_and_403(client, cast, live):
    vol = volunteer(cast)
    code = services.checkin_code(live)
    services.volunteer_check_in(code=code, mobile=vol.mobile)
    record = services.volunteer_check_out(code=code, mobile=vol.mobile)
    _sign_in(client, cast.user("command_center"))
    page = client.get(reverse("outreach_hours:attendance", args=[live.pk]))
    assert page.status_code == 200 and "全部确认" not in page.content.decode()
    refused = client.post(reverse("outreach_hours:countersign", args=[live.pk]), {"record": record.pk})
    assert refused.status_code == 403
    assert ServiceRecord.objects.get().status == HoursStatus.PENDING


def _records(cast, org, n):
    for i in range(n):
        vol = volunteer(cast, f"列{i}")
        services.honour_hours_enter(actor=cast.user("community_official"), volunteer=vol, organization=org,
                                    minutes=30, reason="表彰", approver=cast.user("street_official"))


@pytest.mark.parametrize("n", [2, 12])
def test_lists_query_counts_do_not_grow(client, cast, django_assert_num_queries, django_assert_max_num_queries, n,
                                        settings):
    settings.HOURS_BURST_COUNT = 2  # every honour record flagged: the review list has n rows
    _records(cast, organization(cast), n)
    _sign_in(client, cast.user("community_official"))
    # the session, the user, the grants, the page of rows (mobile visibility and minutes in the same query)
    with django_assert_num_queries(4):
        response = client.get(reverse("outreach_hours:volunteers"))
    assert response.status_code == 200 and len(response.context["rows"]) == n
    with django_assert_num_queries(4):
        response = client.get(reverse("outreach_hours:review"))
    assert len(response.context["rows"]) == n
    vol = response.context["rows"][0].volunteer
    with django_assert_max_num_queries(12):
        assert client.get(reverse("outreach_hours:volunteer", args=[vol.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        api = client.get(reverse("api:volunteer-list"))
    assert api.status_code == 200
    with django_assert_max_num_queries(12):
        api = client.get(reverse("api:hours-list"))
    assert len(api.json()["results"]) == n


def test_the_volunteer_list_masks_the_mobile_for_the_grid_worker(client, cast):
    vol = volunteer(cast)
    _sign_in(client, cast.user("grid_worker"))
    body = client.get(reverse("outreach_hours:volunteers")).content.decode()
    assert vol.name in body and vol.mobile not in body and f"{vol.mobile[:3]}****{vol.mobile[-4:]}" in body
    _sign_in(client, cast.user("instructor"))
    assert vol.mobile in client.get(reverse("outreach_hours:volunteers")).content.decode()


def test_department_staff_do_not_get_the_volunteer_pages(client, cast):
    _sign_in(client, cast.user("department_staff"))
    assert client.get(reverse("outreach_hours:volunteers")).status_code == 403


def test_api_countersign_refuses_the_volunteer_themself(client, cast, live):
    official = cast.user("community_official")
    vol = volunteer(cast, user=official)
    code = services.checkin_code(live)
    services.volunteer_check_in(code=code, mobile=vol.mobile)
    record = services.volunteer_check_out(code=code, mobile=vol.mobile)
    _sign_in(client, official)
    response = client.post(reverse("api:hours-countersign", args=[record.pk]))
    assert response.status_code == 400 and "本人" in response.content.decode()
    declined = client.post(reverse("api:hours-decline", args=[record.pk]), {"reason": ""},
                           content_type="application/json")
    assert declined.status_code == 400


def test_public_check_in_is_rate_limited_per_address(client, cast, live, settings):
    settings.VOLUNTEER_CHECKIN_PER_IP = "2/h"
    vol = volunteer(cast)
    assert _post(client, "999999", vol.mobile).status_code == 400
    assert _post(client, "999998", vol.mobile).status_code == 400
    refused = _post(client, services.checkin_code(live), vol.mobile)
    assert refused.status_code == 429 and not ServiceRecord.objects.exists()



def test_the_event_page_links_to_the_attendance_for_those_who_read_the_hours(client, cast, live):
    attendance = reverse("outreach_hours:attendance", args=[live.pk])
    _sign_in(client, cast.user("community_official"))  # the organisation's office (C1)
    page = client.get(reverse("outreach_events:detail", args=[live.pk])).content.decode()
    assert f'href="{attendance}"' in page
    client.logout()
    _sign_in(client, cast.user("grid_worker"))  # reads the event at G1, not the organisation's hours
    page = client.get(reverse("outreach_events:detail", args=[live.pk]))
    assert page.status_code == 200 and attendance not in page.content.decode()
