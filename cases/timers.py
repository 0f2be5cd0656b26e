"""The system's timer job over cases at a department: due soon, overdue, and who is told.

Its own module (not cases/services.py) so that cases/tasks.py can run it without importing the services, which
schedule the notify task: services → tasks → timers, one way."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from . import notify
from .models import AT_DEPARTMENT, Alert, Case


def case_timers_run(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Mark cases at a department that have used 80 % of their time (due soon) or all of it (overdue), and
    notify the people responsible. Running it twice marks and notifies once."""
    now = now or timezone.now()
    held = Case.objects.filter(status__in=AT_DEPARTMENT)
    counts = {}
    for alert, lookup in ((Alert.OVERDUE, dict(deadline__lte=now)),
                          (Alert.DUE_SOON, dict(due_soon_at__lte=now, deadline__gt=now, alert=Alert.NONE))):
        with transaction.atomic():
            ids = list(held.filter(**lookup).exclude(alert=alert).values_list("pk", flat=True)[:5000])
            Case.objects.filter(pk__in=ids).update(alert=alert)
            notify.timer_notices(ids, alert)
        counts[alert] = len(ids)
    return {"overdue": counts[Alert.OVERDUE], "due_soon": counts[Alert.DUE_SOON]}
