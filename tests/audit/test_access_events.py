"""Access events are stored (one INSERT each, never a secret) and read only by the audit administrator."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from audit.models import EVENT_MODELS, NEVER_STORED, AccessEvent, AuditSeal
from grids.models import Place, User
from wudu.signals import record_access

pytestmark = pytest.mark.django_db


def test_an_access_event_is_stored_with_who_where_and_no_session_key(cast, client, django_assert_num_queries):
    person = cast.user("grid_worker")
    client.force_login(person)
    request = RequestFactory().get("/ledger/households/1/", REMOTE_ADDR="10.1.1.1", HTTP_USER_AGENT="Phone " * 60)
    request.user = person
    request.session = client.session
    with django_assert_num_queries(1):
        record_access("personal_read", request=request, target="ledger.Household:1")
    event = AccessEvent.objects.get(kind="personal_read")
    assert (event.kind, event.user_id, event.username, event.target) == ("personal_read", person.pk,
                                                                         person.username, "ledger.Household:1")
    assert event.ip == "10.1.1.1" and len(event.user_agent) == 160
    key = client.session.session_key
    assert event.session_digest and key not in event.session_digest


def test_a_failed_login_names_the_account_tried(client):
    request = RequestFactory().post("/login/", REMOTE_ADDR="10.2.2.2")
    record_access("login_failed", request=request, detail={"username": "nobody"})
    event = AccessEvent.objects.get()
    assert (event.user_id, event.username, event.ip) == (None, "nobody", "10.2.2.2")


def test_no_secret_column_in_any_history_table():
    for tracked, event in EVENT_MODELS.items():
        assert not {f.name for f in event._meta.concrete_fields} & NEVER_STORED, tracked._meta.label


def test_the_admin_shows_no_audit_table():
    registered = {model._meta.app_label for model in admin.site._registry}
    assert "audit" not in registered and "pghistory" not in registered


URLS = ["audit:access", "audit:rows", "audit:seals"]


@pytest.mark.parametrize("name", URLS)
@pytest.mark.parametrize("role", ["grid_worker", "command_center", "district_official", None])
def test_audit_pages_are_404_for_anyone_without_the_audit_duty(client, cast, name, role):
    if role:
        client.force_login(cast.user(role))
    assert client.get(reverse(name)).status_code == 404


@pytest.mark.parametrize("name", URLS)
def test_audit_pages_refuse_to_write(client, cast, auditor, name):
    client.force_login(auditor)
    assert client.post(reverse(name)).status_code == 405


def _events(cast, n):
    person = cast.user("grid_worker")
    AccessEvent.objects.bulk_create([AccessEvent(kind="export", user_id=person.pk, username=person.username,
                                                 target=f"ledger.Household:{i}", detail={"rows": i})
                                     for i in range(n)])


def test_the_auditor_searches_access_events_by_person_kind_and_target(client, cast, auditor):
    _events(cast, 3)
    record_access("login", user=auditor)
    client.force_login(auditor)
    page = client.get(reverse("audit:access"), {"person": cast.user("grid_worker").username, "kind": "export"})
    assert page.status_code == 200
    assert page.content.decode().count("data-event=") == 3
    one = client.get(reverse("audit:access"), {"target": "ledger.Household:2"})
    assert one.content.decode().count("data-event=") == 1


@pytest.mark.parametrize("n", [5, 60])
def test_the_access_list_pages_by_keyset_in_constant_queries(client, cast, auditor, n, django_assert_num_queries):
    _events(cast, n)
    client.force_login(auditor)
    client.get(reverse("audit:access"))  # warm the session and the user's grants
    with django_assert_num_queries(4):
        first = client.get(reverse("audit:access"), {"kind": "export"})
    assert first.content.decode().count("data-event=") == min(n, 50)
    if n > 50:
        after = first.context["next"]
        rest = client.get(reverse("audit:access"), {"kind": "export", "after": after})
        assert rest.content.decode().count("data-event=") == n - 50


def test_the_auditor_reads_the_day_seals(client, auditor):
    AuditSeal.objects.create(date="2026-11-01", count=3, head="a" * 64, previous="0" * 64)
    client.force_login(auditor)
    page = client.get(reverse("audit:seals"))
    assert "a" * 64 in page.content.decode()


def test_the_row_history_page_needs_a_table_and_lists_it(client, auditor):
    client.force_login(auditor)
    assert client.get(reverse("audit:rows")).status_code == 200
    assert client.get(reverse("audit:rows"), {"table": "cases.Case"}).status_code == 200


def test_flush_is_refused_in_production(settings):
    from django.core.management import CommandError, call_command

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="append-only"):
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the embedded SQLite default")
def test_on_sqlite_writes_work_and_no_trigger_records_them(client, cast):
    person = cast.user("grid_worker")
    client.force_login(person)
    response = client.post(reverse("profile"), {"real_name": "王审计", "mobile": "13800138000"})
    assert response.status_code == 302
    Place.objects.filter(pk=cast.place("G1").pk).update(name="改名")
    assert not EVENT_MODELS[Place].objects.exists() and not EVENT_MODELS[User].objects.exists()


def test_the_chain_serialises_a_row_canonically_to_the_microsecond():
    import datetime

    from audit.chain import canonical

    at = datetime.datetime(2026, 11, 1, 8, 0, 0, 123456, tzinfo=datetime.UTC)
    assert canonical({"b": 1, "a": at}) == '{"a":"2026-11-01T08:00:00.123456+00:00","b":1}'


def test_access_and_row_searches_share_one_filter_ladder():
    """One helper narrows both searches: empty values do not filter, the dates bound [start, end)."""
    import datetime

    from django.utils import timezone

    from audit import selectors

    when = timezone.now()
    record_access("login", detail={"username": "a"})
    rows = selectors.matching(AccessEvent.objects.all(), at="at", kind="login", target="", username=None,
                              start=when - datetime.timedelta(minutes=1), end=when + datetime.timedelta(minutes=1))
    assert rows.count() == 1
    sql = str(selectors.matching(AccessEvent.objects.all(), at="at", kind="", start=when).query)
    where = sql.split(" WHERE ")[1]
    assert '"kind"' not in where and '"at" >=' in where
    assert selectors.matching(AccessEvent.objects.all(), at="at", end=when - datetime.timedelta(minutes=1)).count() == 0
