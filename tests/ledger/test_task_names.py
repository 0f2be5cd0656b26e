"""The daily report task moved from grids.tasks to ledger.tasks: beat names the new one, the old name still runs."""

import datetime

from django.conf import settings
from django.utils import timezone

from ledger.models import DailyReport
from wudu.celery import app


def test_beat_names_the_ledger_task_and_every_entry_names_a_registered_task():
    assert settings.CELERY_BEAT_SCHEDULE["daily-report"]["task"] == "ledger.tasks.daily_report_build_task"
    app.loader.import_default_modules()  # what a worker does at start: every app's tasks module
    unknown = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} - set(app.tasks)
    assert not unknown


def test_a_message_sent_under_the_name_from_before_the_split_still_builds_the_day(cast):
    day = timezone.localdate() - datetime.timedelta(days=1)

    written = app.tasks["grids.tasks.daily_report_build_task"].delay(day.isoformat()).get()

    assert written == DailyReport.objects.filter(date=day).count() > 0
