"""Reads of findings (问题清单): the gated list (filters, keyset pages, a constant number of queries), one finding with
its evidence, tasks and recurrences, and the choices of the record form (the teams and places the user records at)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from grids.models import Level, Place
from wudu import scope
from wudu.pages import by_date, keyset_page
from wudu.scope import Role

from ..models import Coverage, Finding, Rectification, Recurrence, Round, Team
from ..services.findings import FINDING_LEVELS

__all__ = ["FindingFilter", "access_finding", "findings_page", "place_choices", "recording_choices",
           "round_choices"]

LIST_RELATED = ("place", "round", "team")


def _light(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(*LIST_RELATED).defer("place__boundary")


def access_finding(user, pk: int) -> Finding:
    """One finding the user sees, with its evidence, tasks (status and deadline) and recurrences; the gate's 404
    otherwise (the same for missing and hidden)."""
    tasks = Rectification.objects.select_related("owner_place", "owner_department", "responsible").defer(
        "owner_place__boundary").order_by("deadline", "id")
    recurrences = Recurrence.objects.select_related("by_finding", "by_case").order_by("id")
    queryset = (_light(Finding.objects.all()).select_related("recorded_by", "case_category")
                .prefetch_related("evidence", Prefetch("tasks", queryset=tasks),
                                  Prefetch("recurrences", queryset=recurrences)))
    return scope.access(queryset, user, pk=pk)


@dataclass(frozen=True)
class FindingFilter:
    round_id: int | None = None
    category: str = ""
    status: str = ""
    severity: str = ""
    place_code: str = ""


# Latest found first (the (found_on, id) index).
BY_FOUND = by_date("found_on", newest_first=True)


def _filtered(queryset: QuerySet, f: FindingFilter) -> QuerySet:
    if f.round_id:
        queryset = queryset.filter(round_id=f.round_id)
    if f.category:
        queryset = queryset.filter(category=f.category)
    if f.status:
        queryset = queryset.filter(status=f.status)
    if f.severity:
        queryset = queryset.filter(severity=f.severity)
    if f.place_code:
        queryset = scope.narrow_to_place(queryset, "finding", f.place_code)
    return queryset


def findings_page(user, f: FindingFilter, after: str = "", *, size: int = 30) -> tuple[list[Finding], str]:
    """One page of the findings the user sees, latest found first, and the next page's cursor (one query)."""
    return keyset_page(_filtered(_light(Finding.objects.visible_to(user)), f), after, size=size, keyset=BY_FOUND)


def round_choices(user) -> list[tuple[str, str]]:
    """The rounds the user sees (one query)."""
    return [(str(pk), name) for pk, name in Round.objects.visible_to(user).order_by("-starts_on", "-id")
            .values_list("pk", "name")[:100]]


def place_choices(user) -> list[tuple[str, str]]:
    """The list's place filter: the streets and communities the user sees (one query)."""
    rows = (Place.objects.visible_to(user).filter(level__in=[Level.STREET, Level.COMMUNITY])
            .order_by("code").values_list("code", "name", "level"))
    return [(code, ("\u3000" if level == Level.COMMUNITY else "") + name) for code, name, level in rows]


def recording_choices(user) -> list[tuple[str, str]]:
    """Where the user may record a finding today, as ("<team id>:<place code>", "team · place") pairs: for a team
    member, the streets and communities their team's coverage reaches in a running round; for the inspection office,
    those of every team of a running round in its district (two queries)."""
    today = timezone.localdate()
    teams = Team.objects.filter(round__starts_on__lte=today, round__follow_up_until__gte=today)
    office = [grant.code for grant in scope.grants_for(user) if grant.role == Role.INSPECTION_OFFICE]
    if user.is_superuser:
        pass
    elif office:
        mine = Q(members__user=user)
        for code in office:
            mine |= Q(round__district__code__startswith=code)
        teams = teams.filter(mine)
    else:
        teams = teams.filter(members__user=user)
    coverage = list(Coverage.objects.filter(team__in=teams.values("pk")).select_related("team", "place")
                    .defer("place__boundary").order_by("team__round_id", "team_id", "place__code"))
    if not coverage:
        return []
    wanted = Q(pk__in=[])
    for row in coverage:
        wanted |= Q(code__startswith=row.place.code)
    places = list(Place.objects.filter(wanted, level__in=FINDING_LEVELS).order_by("code").only("code", "name", "level"))
    out = []
    for row in coverage:
        for place in places:
            if place.code.startswith(row.place.code):
                indent = "\u3000" if place.level == Level.COMMUNITY and row.place.level == Level.STREET else ""
                out.append((f"{row.team_id}:{place.code}", f"{row.team.name} · {indent}{place.name}"))
    return list(dict(out).items())
