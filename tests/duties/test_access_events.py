"""Access events (issue 14, point 6): an export, a read of personal data and a refusal each send exactly one event,
with who, what and (for an export) the filter and the row count; a refusal keeps the path, never the query."""

from __future__ import annotations

import pytest
from django.urls import reverse

from grids.models import Role
from ledger import services as ledger_services
from tests.duties.conftest import of_kind

BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def household(cast):
    return ledger_services.household_create(actor=cast.admin, grid=cast.place("G1"), address="董庄路1号",
                                            head_name="张三", phone="13611112222")


@pytest.fixture
def hidden_household(cast):
    return ledger_services.household_create(actor=cast.admin, grid=cast.place("G3"), address="丁庄路9号",
                                            head_name="李四", phone="13611113333")


def test_an_export_sends_one_event_with_its_format_filter_and_rows(cast, client, events, export_get):
    """Recorded when the file is downloaded (an export job's file may be fetched later, or never): the filter is
    the job's, as the page validated it."""
    official = cast.user(Role.DISTRICT_OFFICIAL)
    client.force_login(official, backend=BACKEND)
    response = export_get(client, reverse("ledger:xlsx"), {"date_from": "2026-01-01", "date_to": "2026-01-31",
                                                           "q": "13900000001"})
    assert response.status_code == 200
    [event] = events
    assert event["kind"] == "export" and event["user"] == official
    assert event["detail"]["format"] == "xlsx"
    assert event["detail"]["rows"] == 0  # no visits in January in the cast
    assert event["detail"]["filter"] == {"place": cast.place("D").code, "date_from": "2026-01-01",
                                         "date_to": "2026-01-31", "worker": None, "category": "", "settled": ""}
    assert event["target"].startswith("wudu.ExportJob:")


def test_opening_a_household_sends_one_personal_read(cast, client, events, household):
    worker = cast.user(Role.GRID_WORKER)
    client.force_login(worker, backend=BACKEND)
    assert client.get(reverse("manage:detail", args=["household", household.pk])).status_code == 200
    [event] = events
    assert event["kind"] == "personal_read" and event["user"] == worker
    assert event["target"] == f"ledger.Household:{household.pk}"


def test_an_api_retrieve_of_a_household_sends_one_personal_read(cast, client, events, household):
    client.force_login(cast.user(Role.GRID_WORKER), backend=BACKEND)
    assert client.get(reverse("api:household-detail", args=[household.pk])).status_code == 200
    assert [(e["kind"], e["target"]) for e in events] == [("personal_read", f"ledger.Household:{household.pk}")]


def test_a_list_of_households_is_not_a_personal_read(cast, client, events, household):
    client.force_login(cast.user(Role.GRID_WORKER), backend=BACKEND)
    assert client.get(reverse("manage:list", args=["household"])).status_code == 200
    assert of_kind(events, "personal_read") == []


def test_a_hidden_household_sends_one_denial_with_the_path_only(cast, client, events, hidden_household):
    worker = cast.user(Role.GRID_WORKER)
    client.force_login(worker, backend=BACKEND)
    url = reverse("manage:detail", args=["household", hidden_household.pk])
    assert client.get(url, {"mobile": "13611113333"}).status_code == 404
    [event] = events
    assert event["kind"] == "denied" and event["user"] == worker
    assert event["target"] == f"ledger.Household:{hidden_household.pk}"
    assert event["detail"] == {"path": url, "method": "GET", "status": 404}


def test_a_missing_household_is_no_denial(cast, client, events):
    client.force_login(cast.user(Role.GRID_WORKER), backend=BACKEND)
    assert client.get(reverse("manage:detail", args=["household", 999999])).status_code == 404
    assert events == []


def test_the_api_records_a_hidden_object_and_a_refusal(cast, client, events, hidden_household, household):
    worker = cast.user(Role.GRID_WORKER)
    client.force_login(worker, backend=BACKEND)
    assert client.get(reverse("api:household-detail", args=[hidden_household.pk])).status_code == 404
    [hidden] = events
    assert hidden["kind"] == "denied" and hidden["target"] == f"ledger.Household:{hidden_household.pk}"
    assert hidden["detail"]["status"] == 404
    events.clear()
    # a department's staff member reads no households: visible to none of their grants → 404; a refused write → 403
    client.force_login(cast.user(Role.INSTRUCTOR), backend=BACKEND)
    response = client.post(reverse("api:place-list"), {"parent": cast.place("G1").code, "name": "新楼院"},
                           content_type="application/json")
    assert response.status_code == 403
    [refused] = events
    assert refused["kind"] == "denied" and refused["detail"]["status"] == 403
    assert refused["detail"]["path"] == reverse("api:place-list")


def test_a_refused_page_sends_one_denial(cast, client, events):
    worker = cast.user(Role.GRID_WORKER)
    client.force_login(worker, backend=BACKEND)
    assert client.get(reverse("lockouts")).status_code == 403
    [event] = events
    assert event["kind"] == "denied" and event["detail"] == {"path": "/security/lockouts/", "method": "GET",
                                                             "status": 403}
