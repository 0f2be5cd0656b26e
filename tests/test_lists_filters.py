"""The list filter `minute` shows what `|date:"m-d H:i"` shows, in the district's local time."""

import datetime

import pytest
from django.template import engines
from django.utils import timezone


@pytest.mark.parametrize("utc", [
    datetime.datetime(2026, 11, 24, 15, 59, tzinfo=datetime.UTC),  # 23:59 in Xuchang
    datetime.datetime(2026, 11, 24, 16, 0, tzinfo=datetime.UTC),  # midnight there: already the 25th
    datetime.datetime(2026, 1, 1, 0, 5, tzinfo=datetime.UTC),
])
def test_minute_matches_the_date_filter(utc):
    template = engines["django"].from_string('{% load lists %}{{ t|minute }}|{{ t|date:"m-d H:i" }}')
    ours, django = template.render({"t": utc}).split("|")
    assert ours == django == timezone.localtime(utc).strftime("%m-%d %H:%M")
    assert engines["django"].from_string("{% load lists %}[{{ t|minute }}]").render({"t": None}) == "[]"
