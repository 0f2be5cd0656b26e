"""Filters of the API's lists that validate what the database could not hold, field by field, before any query:
an id past a 64-bit integer (SQLite's driver raised OverflowError: a 500), a time whose UTC offset is past ±15:59
(PostgreSQL refused it: a 500). Each answers a 400 naming its parameter. Every FilterSet uses these for ids and
times (tests/api/test_filters_bounded.py walks them)."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_ID = 2**63 - 1  # a BigAutoField (and SQLite's INTEGER)
MAX_UTC_OFFSET = datetime.timedelta(hours=15, minutes=59)  # PostgreSQL's timestamptz


class IdFilter(django_filters.NumberFilter):
    """A record's id: a whole number from 1 to MAX_ID."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class BoundedIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    def to_python(self, value):
        value = super().to_python(value)
        offset = value.utcoffset() if value is not None else None
        if offset is not None and abs(offset) > MAX_UTC_OFFSET:
            raise ValidationError(_("时区偏移超出范围（最大 ±15:59），例如 2026-10-01T08:00:00+08:00。"),
                                  code="offset_out_of_range")
        return value


class TimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 time with an offset the database can hold."""

    field_class = BoundedIsoDateTimeField
