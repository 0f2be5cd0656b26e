"""A problem that comes back (问题反弹): a rectified finding is reopened when, within INSPECTION_RECURRENCE_DAYS of its
rectification (the last tick-off of its tasks, TaskStep action "verify"),

- a new finding of the same category is recorded at its place or a place inside it (`recurrence_by_finding`), or
- a new case of the finding's `case_category` is registered in its place's subtree (`recurrence_by_case`, called
  from a post_save receiver on cases.Case connected in InspectionsConfig.ready: the cases app never imports this).

Each link is one `Recurrence` row (unique: running twice links once); the earlier finding's ticked-off tasks are
reopened with `task_reopen(action="recurred")`, which reopens the finding.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import CODE_LENGTH

from ..models import Finding, FindingStatus, Recurrence, TaskStatus, TaskStep
from .steps import task_reopen

__all__ = ["ancestor_codes", "rectified_candidates", "recurrence_by_case", "recurrence_by_finding"]

VERIFY = "verify"
RECURRED = "recurred"


def window_days() -> int:
    return int(getattr(settings, "INSPECTION_RECURRENCE_DAYS", 180))


def ancestor_codes(code: str) -> list[str]:
    """The codes of the place with `code` and of every place above it (a materialized path's prefixes)."""
    lengths = sorted({length for length in CODE_LENGTH.values() if length and length <= len(code)})
    return [code[:length] for length in lengths] or [code]


def rectified_candidates(codes: list[str], day: datetime.date) -> QuerySet:
    """Rectified findings at one of `codes`, whose last tick-off lies within the window before `day` (one query,
    the tick-off time read by a subquery on the step table's (action, at) and (task, id) indexes)."""
    last_verify = (TaskStep.objects.filter(task__finding=OuterRef("pk"), action=VERIFY)
                   .order_by("-at").values("at")[:1])
    start = timezone.make_aware(datetime.datetime.combine(day - datetime.timedelta(days=window_days()),
                                                          datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))
    return (Finding.objects.filter(status=FindingStatus.RECTIFIED, place__code__in=codes)
            .annotate(rectified_at=Subquery(last_verify))
            .filter(rectified_at__gte=start, rectified_at__lt=end))


def _link(finding: Finding, *, by_finding: Finding | None = None, by_case=None) -> Recurrence | None:
    """One Recurrence row and the finding reopened; None when it was already linked."""
    try:
        with transaction.atomic():
            recurrence = Recurrence.objects.create(finding=finding, by_finding=by_finding, by_case=by_case)
            if by_finding is not None:
                reason = _("问题反弹：%(date)s 再次发现同类问题「%(title)s」。") % {
                    "date": by_finding.found_on, "title": by_finding.title[:60]}
                data = {"finding": by_finding.pk}
            else:
                reason = _("问题反弹：群众再次反映同类事件（%(number)s）。") % {"number": getattr(by_case, "reference", "")
                                                                     or by_case.pk}
                data = {"case": by_case.pk}
            for task in finding.tasks.filter(status=TaskStatus.TICKED_OFF).order_by("id"):
                task_reopen(task, reason=reason[:1000], action=RECURRED, data=data)
            Finding.objects.filter(pk=finding.pk).exclude(status=FindingStatus.REOPENED).update(
                status=FindingStatus.REOPENED, version=F("version") + 1)
    except IntegrityError:
        return None  # linked already (the unique constraint): running twice reopens once
    return recurrence


def recurrence_by_finding(new: Finding) -> list[Recurrence]:
    """Link and reopen the rectified findings of `new`'s category at its place or above it."""
    earlier = (rectified_candidates(ancestor_codes(new.place.code), new.found_on)
               .filter(category=new.category).exclude(pk=new.pk))
    return [link for finding in earlier if (link := _link(finding, by_finding=new)) is not None]


def recurrence_by_case(case) -> list[Recurrence]:
    """Link and reopen the rectified findings naming the case's category, at its grid or above it. One query when
    nothing matches (the usual answer): the grid's code is read from the case as registered."""
    if not case.category_id:
        return []
    grid = case.grid  # the case service registers it with its grid loaded
    day = timezone.localdate(case.created_at) if case.created_at else timezone.localdate()
    earlier = rectified_candidates(ancestor_codes(grid.code), day).filter(case_category_id=case.category_id)
    return [link for finding in earlier if (link := _link(finding, by_case=case)) is not None]


def on_case_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """post_save of cases.Case: a new case is checked once its transaction commits (a failure is logged, never
    undoes the case)."""
    if not created or raw:
        return
    transaction.on_commit(lambda: recurrence_by_case(instance), robust=True)
