"""/api/v1/findings/: the same services as the pages, gated by the team's dated coverage, filtered, keyset pages, a
constant number of queries, evidence listed with gated addresses."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inspections.models import Finding
from tests.inspections.findings_helpers import cast_round, photo, record
from tests.scope.matrix import BACKEND

KEY = "6c5b1f0e-3f1c-4d1a-9a51-0d6a1a2b3c4d"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _as(client, cast, role):
    client.force_login(cast.user(role), backend=BACKEND)
    return client


def _body(cast, place="C1", **extra):
    return {"round": cast_round().pk, "place": cast.place(place).code, "category": "integrity", "title": "违规发放补贴",
            "facts": "2026 年三季度补贴发放名单与台账不符。", **extra}


def test_a_finding_is_created_once_listed_filtered_and_updated(client, cast):
    _as(client, cast, "inspector")
    url = reverse("api:finding-list")
    created = client.post(url, _body(cast), content_type="application/json", HTTP_IDEMPOTENCY_KEY=KEY)
    assert created.status_code == 201, created.content
    again = client.post(url, _body(cast), content_type="application/json", HTTP_IDEMPOTENCY_KEY=KEY)
    assert again.status_code == 201 and again.json()["id"] == created.json()["id"] and Finding.objects.count() == 1
    body = created.json()
    assert body["team_name"] == "第一巡察组" and body["rectification_due"]
    assert [row["id"] for row in client.get(url, {"category": "integrity"}).json()["results"]] == [body["id"]]
    assert client.get(url, {"category": "political"}).json()["results"] == []
    detail = reverse("api:finding-detail", args=[body["id"]])
    changed = client.patch(detail, {"title": "违规发放补贴（已核实）", "version": 1}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = client.patch(detail, {"title": "再改", "version": 1}, content_type="application/json")
    assert stale.status_code == 409


def test_outside_coverage_is_refused_and_bad_dates_answer_400(client, cast):
    _as(client, cast, "inspector")
    url = reverse("api:finding-list")
    # a place out of the team's sight is as missing as an unknown one
    outside = client.post(url, _body(cast, place="C2"), content_type="application/json")
    assert outside.status_code == 400 and "place" in outside.json()
    bad = client.post(url, _body(cast, found_on="2000-01-01"), content_type="application/json")
    assert bad.status_code == 400 and "found_on" in bad.json()
    assert not Finding.objects.exists()


def test_evidence_is_listed_with_gated_addresses(client, cast):
    finding = record(cast, files=[photo()])
    _as(client, cast, "community_official")
    evidence = client.get(reverse("api:finding-detail", args=[finding.pk])).json()["evidence"]
    assert len(evidence) == 1
    address = evidence[0]["file"]
    assert client.get(address).status_code == 200
    _as(client, cast, "department_staff")
    assert client.get(address).status_code == 404
    assert client.get(reverse("api:finding-detail", args=[finding.pk])).status_code == 404


def test_evidence_is_added_through_the_api(client, cast):
    finding = record(cast)
    _as(client, cast, "inspector")
    response = client.post(reverse("api:finding-evidence", args=[finding.pk]), {"files": [photo()]})
    assert response.status_code == 200 and len(response.json()["evidence"]) == 1


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_keeps_a_constant_number_of_queries(client, cast, django_assert_num_queries):
    record(cast, files=[photo("blue")])
    _as(client, cast, "inspection_office")
    url = reverse("api:finding-list")
    few = _count(client, url)
    for n in range(6):
        record(cast, title=f"问题{n}", files=[photo(("red", "green")[n % 2])])
    with django_assert_num_queries(few):
        response = client.get(url)
    assert len(response.json()["results"]) == 7
