"""Every write to an audited table is recorded by the database, whatever path wrote it (issue 14, point 5).

The cases are generated from `audit.models.TRACKED`: each tracked model is written by every path — save() of a
new row, save() of a changed row, queryset.update(), bulk_create, bulk_update, delete(), queryset.delete() and
raw SQL through a cursor (UPDATE and DELETE) — each inside its own context, and its history table must hold
exactly the matching events, each with that context. A new tracked model is covered by adding it to TRACKED: its
rows are cloned from the cast's, or built from the first row of each model they refer to.
"""

from __future__ import annotations

import datetime
import random
import string
import uuid

import pghistory
import pytest
from django.db import connection, models
from django.utils import timezone

from audit.models import EVENT_MODELS, NEVER_STORED, TRACKED
from grids.models import Place, User
from tests.audit.conftest import postgres_only

pytestmark = [*postgres_only, pytest.mark.django_db]


def _value(field, model):
    """A plausible value for a required column of a row built only to be written and recorded."""
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.ForeignKey):
        related = field.related_model
        return related.objects.order_by("pk").first() or _build(related)
    if isinstance(field, models.DateTimeField):
        return timezone.now()
    if isinstance(field, models.DateField):
        return timezone.localdate() + datetime.timedelta(days=random.randint(4000, 9000))
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.DecimalField):
        return 50
    if isinstance(field, (models.IntegerField, models.FloatField)):
        return random.randint(2000, 9000)
    if isinstance(field, models.UUIDField):
        return uuid.uuid4()
    if isinstance(field, models.JSONField):
        return {}
    if isinstance(field, models.FileField):
        return f"audit/{random.randint(1, 10**9)}.jpg"
    if isinstance(field, (models.CharField, models.TextField)):
        return "".join(random.choices(string.digits, k=min(getattr(field, "max_length", None) or 12, 12)))
    raise AssertionError(f"no value for {model._meta.label}.{field.name}")


# Columns whose rule ties them to another (a check constraint): given, not invented.
BUILD = {"bulletins.Bulletin": {"period_start": datetime.date(2026, 9, 1), "period_end": datetime.date(2026, 10, 1),
                                "period": "2026-09"},
         "bulletins.Objection": {"place": lambda: Place.objects.order_by("pk").first()},
         "outreach.Event": {"starts_at": lambda: timezone.now(),
                            "ends_at": lambda: timezone.now() + datetime.timedelta(hours=2),
                            "organizer_place": lambda: Place.objects.order_by("pk").first()},
         "outreach.MeetingAttendance": {"present": False, "absence_reason": "出差"},
         "outreach.ServiceRecord": {"kind": "honour", "reason": "表彰补记",
                                    "approved_by": lambda: User.objects.order_by("pk").first()},
         "outreach.Certificate": {"period_from": datetime.date(2026, 1, 1), "period_to": datetime.date(2026, 6, 30),
                                  "service_minutes": 120},
         "outreach.LecturerTopic": {"duration_minutes": 8},
         "outreach.LessonRating": {"score": 4}}


def _build(model):
    """A row of `model` from the first row of each model it refers to (built the same way if none)."""
    values = {name: value() if callable(value) else value for name, value in BUILD.get(model._meta.label, {}).items()}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.null or field.has_default() or getattr(field, "auto_now", False) or \
                getattr(field, "auto_now_add", False):
            continue
        values.setdefault(field.name, _value(field, model))
    return model.objects.create(**values)


def _sample(model):
    """The row every path starts from: an existing one (the cast's), or one built for the test."""
    return model.objects.order_by("pk").first() or _build(model)


def _unique_sets(model) -> list[list[models.Field]]:
    sets = [[f] for f in model._meta.concrete_fields if f.unique and not f.primary_key]
    sets += [[model._meta.get_field(n) for n in names] for names in model._meta.unique_together]
    sets += [[model._meta.get_field(n) for n in c.fields] for c in model._meta.constraints
             if isinstance(c, models.UniqueConstraint) and c.fields]
    return sets


def _fresh_like(value: str) -> str:
    """A new value of the same length and kind of characters (codes stay digits, names stay letters)."""
    return "".join(random.choice(string.digits) if ch.isdigit() else random.choice(string.ascii_lowercase)
                   for ch in value) or random.choice(string.ascii_lowercase)


def _make_unique(obj) -> None:
    for fields in _unique_sets(type(obj)):
        if any(getattr(obj, f.attname) is None for f in fields):
            continue  # NULLs never collide
        relations = [f for f in fields if f.is_relation]
        if all(f.is_relation or f.choices for f in fields) and relations:
            # (user, role, place) …: a new row of the first model referred to makes the set new
            fresh = _clone(relations[0].related_model.objects.get(pk=getattr(obj, relations[0].attname)))
            fresh.save()
            setattr(obj, relations[0].attname, fresh.pk)
            continue
        for f in fields:
            value = getattr(obj, f.attname)
            if isinstance(f, models.UUIDField):
                setattr(obj, f.attname, uuid.uuid4())
                break
            if isinstance(f, models.CharField) and not f.choices and not f.is_relation:
                setattr(obj, f.attname, _fresh_like(value or "")[: f.max_length])
                break
            if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField):
                setattr(obj, f.attname, value + datetime.timedelta(days=random.randint(4000, 9000)))
                break
            if isinstance(f, models.IntegerField) and not f.is_relation:
                setattr(obj, f.attname, value + random.randint(1000, 9000))
                break


PREPARE = {
    # a published bulletin refuses save(): write a draft (the database still records every path)
    "bulletins.Bulletin": lambda obj: setattr(obj, "stage", "draft"),
}


def _clone(sample):
    obj = type(sample).objects.get(pk=sample.pk)
    obj.pk = None
    obj._state.adding = True
    _make_unique(obj)
    PREPARE.get(obj._meta.label, lambda o: None)(obj)
    return obj


def _touch_field(model) -> models.Field:
    """A column every path can change without breaking a constraint, and that the history keeps."""
    unique = {f.name for fields in _unique_sets(model) for f in fields}
    candidates = [f for f in model._meta.concrete_fields
                  if not f.primary_key and not f.is_relation and f.name not in unique and f.name not in NEVER_STORED]
    for kind in (models.TextField, models.CharField, models.BooleanField, models.IntegerField, models.FileField,
                 models.DateTimeField, models.JSONField):
        for f in candidates:
            if isinstance(f, kind) and not f.choices and (
                    not isinstance(f, models.CharField) or (f.max_length >= 8 and not f.validators[1:])):
                return f
    raise AssertionError(f"no column to touch on {model._meta.label}")


def _changed(field, value, n: int):
    if isinstance(field, models.BooleanField):
        return not value
    if isinstance(field, models.IntegerField):
        return (value or 0) + n
    if isinstance(field, models.FileField):
        return f"audit/{n}.jpg"
    if isinstance(field, models.DateTimeField):
        return (value or timezone.now()) + datetime.timedelta(seconds=n)
    if isinstance(field, models.JSONField):
        return {"audit": n}
    return f"审计{n}"


def _events(model, pks, label, path):
    event_model = EVENT_MODELS[model]
    rows = event_model.objects.filter(pgh_obj_id__in=[str(pk) for pk in pks], pgh_label=label)
    return [row for row in rows if (row.pgh_context or {}).get("path") == path]


@pytest.mark.parametrize("model", TRACKED, ids=lambda m: m._meta.label)
def test_every_write_path_is_recorded_with_its_context(cast, model):
    sample = _sample(model)
    field = _touch_field(model)
    table, column, pk_column = model._meta.db_table, field.column, model._meta.pk.column

    with pghistory.context(path="save_new"):
        one = _clone(sample)
        one.save()
    assert len(_events(model, [one.pk], "insert", "save_new")) == 1

    with pghistory.context(path="save_changed"):
        setattr(one, field.attname, _changed(field, getattr(one, field.attname), 1))
        one.save()
    [event] = _events(model, [one.pk], "update", "save_changed")
    assert getattr(event, field.attname) == getattr(one, field.attname)

    with pghistory.context(path="queryset_update"):
        model.objects.filter(pk=one.pk).update(**{field.attname: _changed(field, getattr(one, field.attname), 2)})
    assert len(_events(model, [one.pk], "update", "queryset_update")) == 1

    with pghistory.context(path="bulk_create"):
        two = model.objects.bulk_create([_clone(sample), _clone(sample)])
    pks = [obj.pk for obj in two]
    assert len(_events(model, pks, "insert", "bulk_create")) == 2

    with pghistory.context(path="bulk_update"):
        for n, obj in enumerate(two, start=3):
            setattr(obj, field.attname, _changed(field, getattr(obj, field.attname), n))
        model.objects.bulk_update(two, [field.name])
    assert len(_events(model, pks, "update", "bulk_update")) == 2

    with pghistory.context(path="raw_sql"), connection.cursor() as cursor:
        value = field.get_db_prep_value(_changed(field, getattr(two[0], field.attname), 9), connection)
        cursor.execute(f'UPDATE "{table}" SET "{column}" = %s WHERE "{pk_column}" = %s', [value, two[0].pk])
        cursor.execute(f'DELETE FROM "{table}" WHERE "{pk_column}" = %s', [two[1].pk])
    assert len(_events(model, [two[0].pk], "update", "raw_sql")) == 1
    assert len(_events(model, [two[1].pk], "delete", "raw_sql")) == 1

    with pghistory.context(path="delete"):
        pk = one.pk
        one.delete()
    assert len(_events(model, [pk], "delete", "delete")) == 1

    with pghistory.context(path="queryset_delete"):
        model.objects.filter(pk=two[0].pk).delete()
    assert len(_events(model, [two[0].pk], "delete", "queryset_delete")) == 1
