"""Nobody can rewrite the audit (issue 14, point 7): UPDATE, DELETE and TRUNCATE are refused on every audit table
and on the case events, and the day seals' hash chain finds a row changed behind the triggers' back."""

from __future__ import annotations

from io import StringIO

import pghistory
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit import chain, selectors
from audit.models import EVENT_MODELS, AccessEvent, AuditSeal
from grids.models import Place
from tests.audit.conftest import postgres_only
from wudu.signals import record_access

pytestmark = [*postgres_only, pytest.mark.django_db]

AUDIT_TABLES = sorted({m._meta.db_table for m in [*EVENT_MODELS.values(), AccessEvent, AuditSeal]})


def _refused(sql: str) -> str:
    with pytest.raises(DatabaseError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    return str(refused.value)


@pytest.mark.parametrize("table", [*AUDIT_TABLES, "cases_caseevent"])
def test_audit_tables_refuse_update_delete_and_truncate(table):
    assert "TRUNCATE" in _refused(f'TRUNCATE "{table}" CASCADE')


def _a_row_everywhere(cast):
    place = cast.place("G1")
    with pghistory.context(user=cast.user("system_admin").pk, path="test"):
        Place.objects.filter(pk=place.pk).update(name=place.name + "甲")
    record_access("export", user=cast.user("grid_worker"), target="ledger.Household:1", detail={"rows": 3})
    return place


def test_rows_of_the_audit_cannot_be_changed_or_deleted(cast):
    place = _a_row_everywhere(cast)
    history = EVENT_MODELS[Place]._meta.db_table
    assert "Cannot update or delete" in _refused(f"UPDATE \"{history}\" SET name = 'x' WHERE pgh_obj_id = '{place.pk}'")
    assert "Cannot update or delete" in _refused(f"DELETE FROM \"{history}\" WHERE pgh_obj_id = '{place.pk}'")
    assert "Cannot update or delete" in _refused("UPDATE audit_accessevent SET kind = 'login'")
    assert "Cannot update or delete" in _refused("DELETE FROM audit_accessevent")
    assert AccessEvent.objects.filter(kind="export", detail__rows=3).exists()


def _seal_today(cast):
    _a_row_everywhere(cast)
    today = timezone.localdate()
    sealed = chain.seal_through(today)
    assert sealed and sealed[-1].date == today
    return sealed[-1]


def test_the_day_seal_chains_the_heads_and_verify_passes(cast):
    seal = _seal_today(cast)
    assert seal.count >= 2  # the place's update and the access event at least
    assert selectors.latest_head() == seal
    assert chain.seal_through(timezone.localdate()) == []  # sealed once only
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "intact" in out.getvalue()


def test_verify_names_the_day_a_row_was_changed(cast):
    seal = _seal_today(cast)
    # A superuser disables the guard, alters one row and puts the guard back: the triggers cannot see it; the
    # chain does.
    history = EVENT_MODELS[Place]._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{history}" DISABLE TRIGGER USER')
        cursor.execute(f"UPDATE \"{history}\" SET name = 'forged' WHERE pgh_id = "
                       f"(SELECT max(pgh_id) FROM \"{history}\")")
        cursor.execute(f'ALTER TABLE "{history}" ENABLE TRIGGER USER')
    with pytest.raises(CommandError, match=f"broken on {seal.date.isoformat()}"):
        call_command("audit_verify", stdout=StringIO())


def test_verify_finds_a_removed_access_event(cast):
    seal = _seal_today(cast)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_accessevent DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM audit_accessevent WHERE id = (SELECT max(id) FROM audit_accessevent)")
        cursor.execute("ALTER TABLE audit_accessevent ENABLE TRIGGER USER")
    checked, broken = chain.verify()
    assert broken is not None and broken.day == seal.date and "rows" in broken.reason


def test_seal_task_seals_yesterday_by_default(cast):
    from audit.tasks import audit_seal_task

    _a_row_everywhere(cast)
    today = timezone.localdate()
    assert audit_seal_task.apply().get() == 0  # today's rows wait for tomorrow's 00:20
    assert not AuditSeal.objects.filter(date=today).exists()
    assert audit_seal_task.apply(kwargs={"day": today.isoformat()}).get() == 1
