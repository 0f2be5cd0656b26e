"""A case's events are an audit trail (wudu.models.AppendOnly): written once, never edited nor removed through
the model. The bulk paths (QuerySet.update/delete) are the database's to refuse (cases' migration 0002, tested
in test_case_concurrency.py on PostgreSQL); the model leaves them as they were."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from cases import services
from cases.models import CaseEvent, Source, Status

from .conftest import key

pytestmark = pytest.mark.django_db


def _filed(cast, categories):
    return services.case_create(actor=cast.user("command_center"), source=Source.HOTLINE, grid=cast.place("G1"),
                                category=categories["city"], description="路灯不亮", key=key())


def test_a_case_event_once_written_cannot_be_edited(cast, categories):
    event = _filed(cast, categories).events.get()
    event.note = "改写的说明"
    with pytest.raises(ValidationError, match="流转记录不可修改。"):
        event.save()
    assert CaseEvent.objects.get(pk=event.pk).note != "改写的说明"


def test_a_case_event_cannot_be_deleted(cast, categories):
    event = _filed(cast, categories).events.get()
    with pytest.raises(ValidationError, match="流转记录不可删除。"):
        event.delete()
    assert CaseEvent.objects.filter(pk=event.pk).exists()


def test_a_new_case_event_is_written(cast, categories):
    case = _filed(cast, categories)
    event = CaseEvent(case=case, action="note", from_status=Status.FILED, to_status=Status.FILED,
                      actor=cast.user("command_center"), actor_role="command_center", at=timezone.now(),
                      note="补充说明")
    event.save()
    assert list(case.events.values_list("action", flat=True)) == ["create", "note"]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL's trigger refuses these (migration 0002)")
def test_the_bulk_paths_are_left_to_the_database_as_before(cast, categories):
    event = _filed(cast, categories).events.get()
    assert CaseEvent.objects.filter(pk=event.pk).update(note="批量改写") == 1
    assert CaseEvent.objects.get(pk=event.pk).note == "批量改写"
    assert CaseEvent.objects.filter(pk=event.pk).delete()[0] == 1
