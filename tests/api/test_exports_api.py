"""/api/v1/exports/: ask for an export by its kind, follow it, download it; every job its owner's only (issue 15)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from grids.models import Role
from wudu.models import ExportJob
from wudu.signals import access_event

URL = "/api/v1/exports/"


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"


@pytest.fixture
def events():
    seen = []

    def receive(sender, **kwargs):
        seen.append(kwargs)

    access_event.connect(receive)
    yield seen
    access_event.disconnect(receive)


def ledger_of(cast, key="C1", **more):
    return {"kind": "ledger.xlsx", "params": {"place": cast.place(key).code, "date_from": "2026-11-01",
                                              "date_to": "2026-11-07", **more}}


def test_an_export_asked_over_the_api_runs_as_the_pages_job_and_only_its_owner_downloads_it(
        cast, api_as, django_capture_on_commit_callbacks, events):
    owner = api_as(Role.COMMUNITY_OFFICIAL)
    with django_capture_on_commit_callbacks(execute=True):
        answer = owner.post(URL, ledger_of(cast), format="json")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["kind"] == "ledger.xlsx" and body["status"] == "queued"  # answered before the task, after commit
    assert body["label"].startswith("董庄社区网格工作走访台账（2026-11-01 至 2026-11-07）") and "Excel" in body["label"]
    assert body["params"]["place"] == cast.place("C1").code and "_title" not in body["params"]
    job = ExportJob.objects.get(pk=body["id"])
    assert job.owner == cast.user(Role.COMMUNITY_OFFICIAL) and job.params["_title"]  # the page's own parameters

    status = owner.get(f"{URL}{job.pk}/").json()
    assert status["status_label"] == "已完成" and status["percent"] == 100 and status["download"] == f"{URL}{job.pk}/download/"
    assert [row["id"] for row in owner.get(URL).json()["results"]] == [job.pk]
    response = owner.get(status["download"])
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert "走访台账" in str(sheet["A1"].value)
    [event] = [e for e in events if e["kind"] == "export"]  # recorded at the download, as on the page
    assert event["detail"]["format"] == "xlsx" and event["detail"]["filter"]["place"] == cast.place("C1").code

    # Anyone else — another official, the system administrator, a superuser — finds no such job.
    for other in (api_as(Role.STREET_OFFICIAL), api_as(Role.SYSTEM_ADMIN), api_as(cast.admin)):
        assert other.get(URL).json()["results"] == []
        for url in (f"{URL}{job.pk}/", f"{URL}{job.pk}/download/"):
            assert other.get(url).status_code == 404
    assert owner.get(f"{URL}{job.pk + 1000}/download/").status_code == 404


def test_the_same_request_while_it_waits_answers_that_job(cast, api_as):
    owner = api_as(Role.COMMUNITY_OFFICIAL)
    first = owner.post(URL, ledger_of(cast), format="json")  # no commit in this test: it stays queued
    again = owner.post(URL, ledger_of(cast), format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and again.json()["status"] == "queued"
    assert again.json()["download"] == ""
    assert owner.get(f"{URL}{first.json()['id']}/download/").status_code == 404  # not done yet
    assert ExportJob.objects.count() == 1


def test_what_the_page_would_refuse_the_api_refuses_in_words_and_makes_nothing(cast, api_as, settings):
    official = api_as(Role.COMMUNITY_OFFICIAL)
    other_street = official.post(URL, ledger_of(cast, key="C3"), format="json")
    assert other_street.status_code == 400 and "地点不存在或无权访问。" in str(other_street.json())
    backwards = official.post(URL, ledger_of(cast, date_from="2026-11-09"), format="json")
    assert backwards.status_code == 400 and "开始日期不能晚于结束日期。" in str(backwards.json())
    unknown = official.post(URL, {"kind": "test.secret", "params": {}}, format="json")
    assert unknown.status_code == 400 and "kind" in unknown.json()
    # A bulletin that is not there (or hidden: the same answer).
    assert official.post(URL, {"kind": "bulletins.pdf", "params": {"bulletin": 999999}},
                         format="json").status_code == 404
    assert official.post(URL, {"kind": "bulletins.pdf", "params": {"bulletin": "x"}}, format="json").status_code == 400
    settings.EXPORT_MAX_ACTIVE_PER_USER = 1
    assert official.post(URL, ledger_of(cast), format="json").status_code == 201
    too_many = official.post(URL, ledger_of(cast, date_to="2026-11-08"), format="json")
    assert too_many.status_code == 400 and "正在生成" in str(too_many.json())
    assert ExportJob.objects.count() == 1


@pytest.mark.parametrize("size", [1, 4])
def test_my_exports_cost_the_same_queries_however_many(cast, token_client, size, django_assert_num_queries):
    user = cast.user(Role.DISTRICT_OFFICIAL)
    for n in range(size):
        ExportJob.objects.create(owner=user, kind="ledger.xlsx", params={"n": n}, params_key=str(n), label=f"导出{n}",
                                 created_at="2026-11-01T00:00:00Z", expires_at="2026-11-04T00:00:00Z")
    client = token_client(Role.DISTRICT_OFFICIAL)
    with django_assert_num_queries(2):  # token with its user, the page (one's own: no grants asked)
        assert len(client.get(URL).json()["results"]) == size
