"""Who, from where and through which page, task or command: the context each row-history event carries."""

from __future__ import annotations

import pytest
from celery import shared_task
from django.urls import reverse

from audit.context import audit_command
from audit.models import EVENT_MODELS
from grids.models import Place, User
from tests.audit.conftest import postgres_only

pytestmark = [*postgres_only, pytest.mark.django_db]


def test_a_page_write_records_the_person_address_url_and_route(client, cast):
    person = cast.user("grid_worker")
    client.force_login(person)
    response = client.post(reverse("profile"), {"real_name": "王审计", "mobile": "13800138000"}, REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 302
    event = EVENT_MODELS[User].objects.filter(pgh_obj_id=person.pk, pgh_label="update").latest("pgh_id")
    assert event.real_name == "王审计"
    assert event.pgh_context["user"] == person.pk
    assert event.pgh_context["ip"] == "10.9.8.7"
    assert event.pgh_context["url"] == reverse("profile")
    assert event.pgh_context["route"] == "profile"
    assert event.pgh_context["method"] == "POST"


@shared_task(name="tests.audit.rename_place")
def rename_place(pk: int, name: str) -> None:
    Place.objects.filter(pk=pk).update(name=name)


def test_a_task_write_records_the_task(cast):
    place = cast.place("G1")
    rename_place.apply(args=[place.pk, "任务改名"])
    event = EVENT_MODELS[Place].objects.filter(pgh_obj_id=place.pk, pgh_label="update").latest("pgh_id")
    assert event.name == "任务改名"
    assert event.pgh_context["task"] == "tests.audit.rename_place"
    assert event.pgh_context["task_id"]


def test_a_command_write_records_the_command(cast):
    place = cast.place("G1")
    with audit_command("fix_names"):
        Place.objects.filter(pk=place.pk).update(name="命令改名")
    event = EVENT_MODELS[Place].objects.filter(pgh_obj_id=place.pk, pgh_label="update").latest("pgh_id")
    assert event.pgh_context == {"command": "fix_names"}


def test_a_password_change_records_the_row_but_never_the_hash(cast):
    person = cast.user("grid_worker")
    person.set_password("Another-password-2026")
    person.save()
    event = EVENT_MODELS[User].objects.filter(pgh_obj_id=person.pk).latest("pgh_id")
    assert not hasattr(event, "password")
    history = EVENT_MODELS[User]._meta.db_table
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{history}" WHERE pgh_obj_id = %s', [person.pk])
        columns = [c.name for c in cursor.description]
        rows = cursor.fetchall()
    assert "password" not in columns and "last_login" not in columns
    assert not any(person.password in str(value) for row in rows for value in row)
