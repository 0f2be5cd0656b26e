"""The ladder's beat task on the real worker (Redis, PostgreSQL): a task due in 7 days gets its week's reminder and
its 提醒书 once, even when the task is sent twice at once; beat carries the entry `inspection-ladder`.

transactional_db: the worker writes through its own connection, so the test must see committed rows.
"""

import datetime

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from tests.celery_live.test_worker_and_beat import wait_for

pytestmark = pytest.mark.celery_live


def test_the_ladder_runs_on_the_worker_and_reminds_once_when_sent_twice(transactional_db, live_beat):
    from cases.models import Notification
    from grids.models import Role
    from inspections.models import Ladder, Notice, Reminder, ReminderKind
    from inspections.tasks import inspection_ladder_task
    from tests.cast import build_cast
    from tests.inspections.ladder_helpers import make_task

    entry = wait_for(lambda: PeriodicTask.objects.filter(name="inspection-ladder").first(), live_beat,
                     "beat's inspection-ladder entry")
    assert (entry.task, entry.crontab.hour, entry.crontab.minute) == ("inspections.tasks.inspection_ladder_task",
                                                                       "8,13,17", "5")
    cast = build_cast()
    task = make_task(cast, deadline=timezone.localdate() + datetime.timedelta(days=7))
    # the assignment's 督办通知书, issued by the worker once the step committed (the outbox)
    notice = wait_for(lambda: Notice.objects.filter(task=task, kind=Ladder.NOTICE).first(), live_beat,
                      "the assignment's notice")
    # issued by the system, keyed by the assign step (which names who assigned)
    assert notice.issued_by is None and notice.step.action == "assign"
    assert task.steps.get(action="escalate").actor_role == "system"

    first, second = inspection_ladder_task.delay(), inspection_ladder_task.delay()
    results = [first.get(timeout=60), second.get(timeout=60)]

    assert sorted(r["week_before"] for r in results) == [0, 1]
    assert sorted(r["reminder"] for r in results) == [0, 1]
    official = cast.user(Role.COMMUNITY_OFFICIAL)
    assert list(Reminder.objects.filter(task=task).values_list("kind", "recipient")) == [
        (ReminderKind.WEEK_BEFORE, official.pk)]
    assert Notification.objects.filter(user=official, kind="inspection_reminder").count() == 1
    assert Notice.objects.filter(task=task, kind=Ladder.REMINDER).count() == 1
    assert inspection_ladder_task.delay().get(timeout=60)["week_before"] == 0
