"""The reports of a round of inspection: figures counted in the database (a fixed number of queries whatever the
round's size), starting from the gate — a reader sees the figures of the findings and tasks they see (the office:
the whole district; a community: its own).

- completion rate: ticked off ÷ tasks;
- on-time rate: ticked off on or before the deadline ÷ ticked off;
- overdue: open tasks (assigned, in progress, submitted, reopened) past their deadline — a ticked-off task is never
  overdue, however late it was;
- closure reliability of an owner unit: passed ÷ (passed + failed) re-checks ("—" when none was re-checked).

The public progress page (`public_progress`) reads no person and no facts: only the findings marked public, with
their redacted summary, category, status and how many of their tasks are ticked off.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Membership
from wudu import scope

from ..models import (
    OPEN_STATUSES,
    Category,
    Coverage,
    Disclosure,
    Finding,
    FindingStatus,
    Recheck,
    RecheckDraw,
    RecheckResult,
    Rectification,
    Round,
    TaskStatus,
)
from ..units import OFFICE_ROLES

NONE = "—"


def report_title(round_: Round) -> str:
    return _("%(round)s 巡察整改情况报告") % {"round": round_.name}


def access_round(user, pk: int) -> Round:
    return scope.access(Round.objects.select_related("district"), user, pk=pk)


def rate(numerator: int, denominator: int) -> str:
    """A percentage with one decimal, or "—" when there is nothing to divide by."""
    if not denominator:
        return NONE
    return f"{100 * numerator / denominator:.1f}%"


@dataclass
class Figures:
    tasks: int = 0
    ticked: int = 0
    on_time: int = 0
    overdue: int = 0
    passed: int = 0
    failed: int = 0

    @property
    def completion(self) -> str:
        return rate(self.ticked, self.tasks)

    @property
    def on_time_rate(self) -> str:
        return rate(self.on_time, self.ticked)

    @property
    def reliability(self) -> str:
        return rate(self.passed, self.passed + self.failed)


def _task_counts(today: datetime.date) -> dict:
    ticked = Q(status=TaskStatus.TICKED_OFF)
    return {
        "tasks": Count("id", distinct=True),
        "ticked": Count("id", filter=ticked, distinct=True),
        "on_time": Count("id", filter=ticked & Q(ticked_off_at__date__lte=F("deadline")), distinct=True),
        "overdue": Count("id", filter=Q(status__in=OPEN_STATUSES, deadline__lt=today), distinct=True),
    }


def visible_tasks(user, round_: Round):
    return Rectification.objects.visible_to(user).filter(finding__round=round_)


def visible_findings(user, round_: Round):
    return Finding.objects.visible_to(user).filter(round=round_)


def round_report(user, round_: Round, *, today: datetime.date | None = None) -> dict:
    """Everything the round's report shows (its page, the PDF and the Excel file): six queries."""
    today = today or timezone.localdate()
    tasks = visible_tasks(user, round_)
    findings = visible_findings(user, round_)
    labels = dict(Category.choices)

    by_category = []
    task_rows = {row["finding__category"]: row for row in
                 tasks.values("finding__category").annotate(**_task_counts(today)).order_by()}
    for row in findings.values("category").annotate(
            findings=Count("id"), rectified=Count("id", filter=Q(status=FindingStatus.RECTIFIED))).order_by():
        counts = task_rows.get(row["category"], {})
        by_category.append({
            "category": row["category"], "label": str(labels.get(row["category"], row["category"])),
            "findings": row["findings"], "rectified": row["rectified"],
            "figures": Figures(**{k: counts.get(k, 0) for k in ("tasks", "ticked", "on_time", "overdue")}),
        })
    order = list(labels)
    by_category.sort(key=lambda r: order.index(r["category"]) if r["category"] in order else len(order))

    by_unit = []
    checked = Q(rechecks__round=round_)
    for row in tasks.values("owner_place_id", "owner_place__name", "owner_department_id",
                            "owner_department__name").annotate(
            findings=Count("finding", distinct=True), **_task_counts(today),
            passed=Count("rechecks", filter=checked & Q(rechecks__result=RecheckResult.PASSED), distinct=True),
            failed=Count("rechecks", filter=checked & Q(rechecks__result=RecheckResult.FAILED), distinct=True),
    ).order_by("owner_place__code", "owner_department__name"):
        by_unit.append({
            "unit": row["owner_place__name"] or row["owner_department__name"],
            "owner_place_id": row["owner_place_id"], "owner_department_id": row["owner_department_id"],
            "findings": row["findings"],
            "figures": Figures(**{k: row[k] for k in ("tasks", "ticked", "on_time", "overdue", "passed", "failed")}),
        })

    total = Figures(**tasks.aggregate(**_task_counts(today)))
    overdue = list(tasks.filter(status__in=OPEN_STATUSES, deadline__lt=today)
                   .select_related("finding", "owner_place", "owner_department", "responsible")
                   .order_by("deadline", "id"))
    for task in overdue:
        task.days_overdue = (today - task.deadline).days
    rechecks = list(Recheck.objects.filter(round=round_, task__in=tasks)
                    .select_related("task__finding__place", "task__owner_place", "task__owner_department",
                                    "checked_by", "draw")
                    .order_by("draw__number", "id"))
    results = {key: 0 for key in RecheckResult.values}
    for recheck in rechecks:
        results[recheck.result] += 1
    total.passed, total.failed = results[RecheckResult.PASSED], results[RecheckResult.FAILED]
    draws = list(RecheckDraw.objects.filter(round=round_).select_related("drawn_by").order_by("number"))
    return {
        "round": round_, "today": today, "findings": sum(r["findings"] for r in by_category),
        "by_category": by_category, "by_unit": by_unit, "total": total, "overdue": overdue,
        "rechecks": rechecks, "recheck_results": results, "draws": draws,
    }


def rounds_with_figures(user, *, today: datetime.date | None = None) -> list[Round]:
    """The rounds the user sees, newest first, each with the figures of the tasks they see (two queries)."""
    today = today or timezone.localdate()
    rounds = list(Round.objects.visible_to(user).select_related("district").order_by("-starts_on", "-id")[:100])
    rows = {row["finding__round"]: row for row in Rectification.objects.visible_to(user)
            .filter(finding__round__in=[r.pk for r in rounds]).values("finding__round")
            .annotate(**_task_counts(today)).order_by()}
    for round_ in rounds:
        counts = rows.get(round_.pk, {})
        round_.figures = Figures(**{k: counts.get(k, 0) for k in ("tasks", "ticked", "on_time", "overdue")})
    return rounds


def reliability_by_unit(round_: Round | None = None) -> list[dict]:
    """Closure reliability per owner unit (all rounds, or one): passed ÷ (passed + failed) re-checks."""
    rechecks = Recheck.objects.exclude(result=RecheckResult.PENDING)
    if round_ is not None:
        rechecks = rechecks.filter(round=round_)
    out = []
    for row in rechecks.values("task__owner_place__name", "task__owner_department__name").annotate(
            passed=Count("id", filter=Q(result=RecheckResult.PASSED)),
            failed=Count("id", filter=Q(result=RecheckResult.FAILED))).order_by("task__owner_place__name"):
        out.append({"unit": row["task__owner_place__name"] or row["task__owner_department__name"],
                    "passed": row["passed"], "failed": row["failed"],
                    "reliability": rate(row["passed"], row["passed"] + row["failed"])})
    return out


def team_codes(user, round_id: int) -> list[str]:
    """The codes of the places the user's team covers in this round (empty: not on one of its teams)."""
    return list(Coverage.objects.filter(team__round_id=round_id, team__members__user=user)
                .values_list("place__code", flat=True))


def covers(codes: list[str], code: str) -> bool:
    return any(code.startswith(prefix) for prefix in codes)


def recorders(user, report: dict) -> set[int]:
    """The ids of the pending re-checks `user` may record (no query per row: the user's memberships once)."""
    pending = [r for r in report["rechecks"] if r.result == RecheckResult.PENDING]
    if not pending or not getattr(user, "is_authenticated", False):
        return set()
    memberships = list(Membership.objects.filter(user=user).values_list("role", "place_id", "department_id"))
    office_places = {place for role, place, _dept in memberships if role in OFFICE_ROLES}
    departments = {dept for role, _place, dept in memberships if role == scope.Role.DEPARTMENT_STAFF}
    round_ = report["round"]
    codes = team_codes(user, round_.pk)
    allowed = set()
    for recheck in pending:
        task = recheck.task
        owner = (task.responsible_id == user.pk
                 or (task.owner_department_id is not None and task.owner_department_id in departments)
                 or (task.owner_department_id is None and task.owner_place_id in office_places))
        if owner:
            continue
        roles = [scope.Role.INSPECTION_OFFICE, *([scope.Role.INSPECTOR] if covers(codes, task.finding.place.code)
                                                 else [])]
        if scope.grant_to_act(user, task, "rectification", roles) is not None:
            allowed.add(recheck.pk)
    return allowed


def public_progress(round_id: int) -> dict | None:
    """The public page of a round: its public findings (redacted summary, category, status, tasks ticked off of
    tasks), nothing about people, no facts, no internal finding. None until the inspection office has published the
    round's progress (services.rounds.round_progress_publish). Two queries."""
    round_ = (Round.objects.filter(pk=round_id, progress_published_at__isnull=False)
              .select_related("district").first())
    if round_ is None:
        return None
    labels, statuses = dict(Category.choices), dict(FindingStatus.choices)
    rows = list(Finding.objects.filter(round=round_, disclosure=Disclosure.PUBLIC)
                .exclude(status=FindingStatus.DISMISSED)
                .values("id", "category", "status", "public_summary", "found_on", "place__name")
                .annotate(task_count=Count("tasks"),
                          ticked_count=Count("tasks", filter=Q(tasks__status=TaskStatus.TICKED_OFF)))
                .order_by("category", "found_on", "id"))
    findings = [{
        "summary": row["public_summary"] or _("（摘要待公开）"), "category": str(labels.get(row["category"], "")),
        "status": row["status"], "status_label": str(statuses.get(row["status"], "")), "place": row["place__name"],
        "tasks": row["task_count"], "ticked": row["ticked_count"], "found_on": row["found_on"],
    } for row in rows]
    return {"round": {"id": round_.pk, "name": round_.name, "district": round_.district.name,
                      "starts_on": round_.starts_on, "ends_on": round_.ends_on},
            "findings": findings, "tasks": sum(f["tasks"] for f in findings),
            "ticked": sum(f["ticked"] for f in findings),
            "completion": rate(sum(f["ticked"] for f in findings), sum(f["tasks"] for f in findings))}
