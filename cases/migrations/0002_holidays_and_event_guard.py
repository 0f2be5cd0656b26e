"""Seed the holiday calendar from the State Council's published arrangements (chinese-calendar), and on
PostgreSQL refuse any UPDATE or DELETE of a case event in the database itself."""

import datetime

from django.db import migrations

GUARD = """
CREATE OR REPLACE FUNCTION cases_event_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'case events are immutable';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cases_event_immutable BEFORE UPDATE OR DELETE ON cases_caseevent
    FOR EACH ROW EXECUTE FUNCTION cases_event_immutable();
"""
UNGUARD = """
DROP TRIGGER IF EXISTS cases_event_immutable ON cases_caseevent;
DROP FUNCTION IF EXISTS cases_event_immutable();
"""


def seed_holidays(apps, schema_editor):
    import chinese_calendar

    Holiday = apps.get_model("cases", "Holiday")
    rows = []
    day, end = datetime.date(2024, 1, 1), datetime.date(2026, 12, 31)
    while day <= end:
        on, name = chinese_calendar.get_holiday_detail(day)
        weekend = day.weekday() >= 5
        if on and not weekend and name:
            rows.append(Holiday(date=day, is_workday=False, name=str(name)))
        elif not on and weekend:
            rows.append(Holiday(date=day, is_workday=True, name=f"{name} 调休" if name else "调休"))
        day += datetime.timedelta(days=1)
    Holiday.objects.bulk_create(rows, ignore_conflicts=True)


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [
        migrations.RunPython(seed_holidays, migrations.RunPython.noop),
        migrations.RunPython(guard, unguard),
    ]
