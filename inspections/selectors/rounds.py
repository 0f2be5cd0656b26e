"""Reads of rounds, teams and coverage: the office's lists and a round with its teams, and an inspector's own
assignments (the landing page of inspection roles).

A person's own team memberships are theirs to see whatever their grants today (as a person sees their own record):
an inspector whose round has not started, or whose follow-up period ended, sees where and when they serve, and
nothing of the round's other teams, findings or tasks.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import Place, User
from grids.selectors import appointable_people
from wudu import scope
from wudu.pages import by_date, keyset_page

from ..models import Coverage, Round, Team, TeamMember
from ..services.rounds import COVERED_LEVELS

PAGE_SIZE = 30
PICKER_SIZE = 50


class Phase:
    """Where a round stands on a day, from its dates."""

    NOT_STARTED = "not_started"
    STATIONED = "stationed"
    FOLLOW_UP = "follow_up"
    ENDED = "ended"
    LABELS = {NOT_STARTED: _("未开始"), STATIONED: _("进驻中"), FOLLOW_UP: _("跟踪督办"), ENDED: _("已结束")}


def phase_of(round_: Round, day: datetime.date | None = None) -> str:
    day = day or timezone.localdate()
    if day < round_.starts_on:
        return Phase.NOT_STARTED
    if day <= round_.ends_on:
        return Phase.STATIONED
    if day <= round_.follow_up_until:
        return Phase.FOLLOW_UP
    return Phase.ENDED


def phase_label(round_: Round, day: datetime.date | None = None) -> str:
    return str(Phase.LABELS[phase_of(round_, day)])


def running_on(queryset: QuerySet, day: datetime.date) -> QuerySet:
    """Rounds whose teams hold their grants on `day` (the round or its follow-up period)."""
    return queryset.filter(starts_on__lte=day, follow_up_until__gte=day)


BY_START = by_date("starts_on", newest_first=True)


def rounds_page(user, after: str = "", *, size: int = PAGE_SIZE) -> tuple[list[Round], str]:
    """The rounds the user sees, newest first, with their district (one query)."""
    rounds = Round.objects.visible_to(user).select_related("district").defer("district__boundary")
    rows, cursor = keyset_page(rounds, after, size=size, keyset=BY_START)
    today = timezone.localdate()
    for row in rows:
        row.phase = phase_of(row, today)
        row.phase_label = Phase.LABELS[row.phase]
    return rows, cursor


def _teams_prefetch() -> Prefetch:
    return Prefetch("teams", queryset=Team.objects.order_by("id").prefetch_related(
        Prefetch("members", queryset=TeamMember.objects.select_related("user").order_by("-is_leader", "id")),
        Prefetch("coverage", queryset=Coverage.objects.select_related("place").defer("place__boundary")
                 .order_by("place__code"))))


def access_round(user, pk: int, *, with_teams: bool = False) -> Round:
    """A round the user sees (404 for missing and hidden alike), with its teams, members and places if asked."""
    rounds = Round.objects.select_related("district").defer("district__boundary")
    if with_teams:
        rounds = rounds.prefetch_related(_teams_prefetch())
    round_ = scope.access(rounds, user, pk=pk)
    round_.phase = phase_of(round_)
    round_.phase_label = Phase.LABELS[round_.phase]
    return round_


def access_team(user, round_pk: int, team_pk: int) -> Team:
    """A team of a round the user sees, or 404."""
    round_ = access_round(user, round_pk)
    team = Team.objects.filter(round=round_, pk=team_pk).prefetch_related(
        Prefetch("members", queryset=TeamMember.objects.select_related("user").order_by("-is_leader", "id")),
        Prefetch("coverage", queryset=Coverage.objects.select_related("place").defer("place__boundary"))).first()
    if team is None:
        raise scope.hidden_or_missing(Team.objects.all(), user, pk=team_pk)
    team.round = round_
    return team


@dataclass
class Assignment:
    """One of the person's own places on a team: the round, the team, its places and the days their access runs."""

    member: TeamMember
    team: Team
    round: Round
    places: list[Place]
    phase: str
    phase_label: str
    leader_name: str


def my_assignments(user, day: datetime.date | None = None) -> list[Assignment]:
    """The teams the person serves on, the latest round first (two queries: teams, then their places)."""
    day = day or timezone.localdate()
    members = list(TeamMember.objects.filter(user=user).select_related("team__round__district")
                   .defer("team__round__district__boundary")
                   .prefetch_related(Prefetch("team__coverage", queryset=Coverage.objects.select_related("place")
                                              .defer("place__boundary").order_by("place__code")),
                                     Prefetch("team__members", queryset=TeamMember.objects.filter(is_leader=True)
                                              .select_related("user"), to_attr="leaders"))
                   .order_by("-team__round__starts_on", "-id"))
    out = []
    for member in members:
        round_ = member.team.round
        phase = phase_of(round_, day)
        leader = member.team.leaders[0].user.display_name if member.team.leaders else ""
        out.append(Assignment(member=member, team=member.team, round=round_,
                              places=[c.place for c in member.team.coverage.all()], phase=phase,
                              phase_label=str(Phase.LABELS[phase]), leader_name=leader))
    return out


def place_choices(district: Place) -> list[Place]:
    """The streets and communities of the district, in code order (street before its communities)."""
    return list(Place.objects.filter(code__startswith=district.code, level__in=COVERED_LEVELS)
                .defer("boundary").order_by("code"))


def person_choices(user, query: str = "", *, keep: list[int] = (), team: Team | None = None,
                   size: int = PICKER_SIZE) -> list[User]:
    """People the user may put on a team (those they see, or accounts serving nowhere yet), matching `query` by name,
    account or mobile, plus those already chosen (`keep`) and the team's members (whoever they are: on the team
    already, they stay choosable)."""
    people = appointable_people(user)
    query = query.strip()
    if query:
        people = people.filter(Q(real_name__icontains=query) | Q(username__icontains=query)
                               | Q(mobile__startswith=query))
    allowed = Q(pk__in=appointable_people(user).values("pk"))
    if team is not None:
        allowed |= Q(inspection_teams__team=team)
    keep = list(keep)
    chosen = list(User.objects.filter(allowed, pk__in=keep).distinct().order_by("real_name", "pk")) if keep else []
    found = list(people.exclude(pk__in=keep).order_by("real_name", "pk")[:size])
    return chosen + found
