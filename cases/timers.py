"""The system's timer job over cases at a department: due soon, overdue, and who is told.

Its own module (not cases/services.py) so that cases/tasks.py can run it without importing the services, which
schedule the notify task: services → tasks → timers, one way."""

from __future__ import annotations

import datetime
from collections import Counter

from django.db import transaction
from django.utils import timezone

from . import counters, notify
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
            # Locked as read (of the cases only), so that the counters move the cases from the keys they have.
            marked = list(held.filter(**lookup).exclude(alert=alert).select_for_update(of=("self",)).order_by("pk")
                          .values_list("pk", "grid__code", "department_id", "status", "alert", "supervised")[:5000])
            ids = [pk for pk, *_rest in marked]
            Case.objects.filter(pk__in=ids).update(alert=alert)
            deltas = Counter()
            for _pk, code, department, status, before, supervised in marked:
                counters.shift(deltas, code, (department or 0, status, before, supervised),
                               (department or 0, status, alert, supervised))
            counters.apply(deltas)
            notify.timer_notices(ids, alert)
        counts[alert] = len(ids)
    return {"overdue": counts[Alert.OVERDUE], "due_soon": counts[Alert.DUE_SOON]}
