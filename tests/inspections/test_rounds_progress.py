"""The public progress page of a round (/xunchagongkai/<round>/) opens only once the inspection office publishes it
(公开整改进展) and closes again when withdrawn (撤回公开): the service (versioned, idempotent, the office only), the
round page's status, link and buttons, and the public page's 404 before and after."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from grids.models import Role
from inspections.models import Disclosure, Finding, Round
from inspections.services.rounds import round_progress_publish, round_progress_withdraw
from tests.inspections.rounds_fixtures import a_finding, a_round, a_team, office, person
from tests.scope.matrix import BACKEND
from wudu.errors import Conflict

pytestmark = pytest.mark.django_db


def _public_round(cast):
    round_ = a_round(cast, name="公开测试轮次")
    team = a_team(cast, round_, person("pub_leader", "公开组长"), places=("C2",))
    shown = a_finding(team, cast.place("C2"))
    Finding.objects.filter(pk=shown.pk).update(disclosure=Disclosure.PUBLIC, public_summary="某社区台账不全")
    hidden = a_finding(team, cast.place("C2"))
    Finding.objects.filter(pk=hidden.pk).update(title="内部问题不公开")
    return round_


def _public(client, round_):
    return client.get(reverse("inspection_public:progress", args=[round_.pk]))


def test_the_public_page_is_closed_until_the_office_publishes_it(client, cast):
    round_ = _public_round(cast)
    assert _public(client, round_).status_code == 404
    round_progress_publish(actor=office(cast), round=round_)
    page = _public(client, round_)
    html = page.content.decode()
    assert page.status_code == 200 and "某社区台账不全" in html and "内部问题不公开" not in html
    round_progress_withdraw(actor=office(cast), round=Round.objects.get(pk=round_.pk))
    assert _public(client, round_).status_code == 404


def test_publishing_twice_changes_nothing_and_a_stale_version_is_a_conflict(cast):
    round_ = _public_round(cast)
    seen = round_.version
    published = round_progress_publish(actor=office(cast), round=round_, expected_version=seen)
    at = published.progress_published_at
    assert at is not None and published.progress_published_by == office(cast) and published.version == seen + 1
    again = round_progress_publish(actor=office(cast), round=Round.objects.get(pk=round_.pk), expected_version=seen)
    assert again.progress_published_at == at and again.version == seen + 1  # a retry: no second write, no Conflict
    with pytest.raises(Conflict):  # withdrawing with the version read before it was published: refused
        stale = Round.objects.get(pk=round_.pk)
        round_progress_withdraw(actor=office(cast), round=stale, expected_version=seen)
    assert Round.objects.get(pk=round_.pk).progress_published_at == at


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.DISTRICT_OFFICIAL, Role.COMMUNITY_OFFICIAL])
def test_only_the_inspection_office_publishes(cast, role):
    round_ = _public_round(cast)
    with pytest.raises(PermissionDenied):
        round_progress_publish(actor=cast.user(role), round=round_)
    assert Round.objects.get(pk=round_.pk).progress_published_at is None


def test_the_office_publishes_and_withdraws_on_the_round_page(client, cast):
    round_ = _public_round(cast)
    client.force_login(office(cast), backend=BACKEND)
    url = reverse("inspections:round", args=[round_.pk])
    action = reverse("inspections:round_progress", args=[round_.pk])
    html = client.get(url).content.decode()
    assert 'data-progress-public="no"' in html and "整改进展未公开" in html and "公开整改进展" in html
    posted = {"action": "publish", "version": round_.version}
    assert client.post(action, posted).status_code == 302
    assert client.post(action, posted).status_code == 302  # a double click: still published, no error
    html = client.get(url).content.decode()
    public_url = reverse("inspection_public:progress", args=[round_.pk])
    assert 'data-progress-public="yes"' in html and f'href="{public_url}"' in html and "撤回公开" in html
    assert _public(client, round_).status_code == 200
    fresh = Round.objects.get(pk=round_.pk)
    page = client.post(action, {"action": "withdraw", "version": fresh.version}, follow=True)
    assert "已撤回公开" in page.content.decode()
    assert Round.objects.get(pk=round_.pk).progress_published_at is None
    assert _public(client, round_).status_code == 404


def test_others_see_the_status_but_no_buttons_and_are_refused(client, cast):
    round_ = _public_round(cast)
    round_progress_publish(actor=office(cast), round=round_)
    client.force_login(cast.user(Role.DISTRICT_OFFICIAL), backend=BACKEND)
    html = client.get(reverse("inspections:round", args=[round_.pk])).content.decode()
    assert 'data-progress-public="yes"' in html and "data-progress-form" not in html
    refused = client.post(reverse("inspections:round_progress", args=[round_.pk]),
                          {"action": "withdraw", "version": 2})
    assert refused.status_code == 403
    assert Round.objects.get(pk=round_.pk).progress_published_at is not None
    client.force_login(cast.user(Role.GRID_WORKER), backend=BACKEND)  # does not read rounds: as if none
    assert client.post(reverse("inspections:round_progress", args=[round_.pk]),
                       {"action": "withdraw", "version": 2}).status_code == 404
