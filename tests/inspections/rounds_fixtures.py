"""Rounds for the rounds area's tests, built through the services."""

from __future__ import annotations

import datetime

from django.utils import timezone

from grids.models import Role, User
from inspections.models import Category, Finding, Round, Team
from inspections.services import rounds as services
from tests.cast import PASSWORD

DAY = datetime.timedelta(days=1)


def office(cast) -> User:
    return cast.user(Role.INSPECTION_OFFICE)


def person(username: str, name: str = "") -> User:
    return User.objects.create_user(username=username, password=PASSWORD, real_name=name or username)


def a_round(cast, *, name="测试轮次", starts_in=0, days=30, follow_until=None, **extra) -> Round:
    starts_on = timezone.localdate() + DAY * starts_in
    ends_on = starts_on + DAY * (days - 1)
    return services.round_create(actor=office(cast), district=cast.place("D"), name=name, starts_on=starts_on,
                                 ends_on=ends_on, follow_up_until=follow_until, **extra)


def a_team(cast, round_: Round, leader: User, places=("C2",), members=(), name="测试巡察组") -> Team:
    return services.team_create(actor=office(cast), round=round_, name=name, leader=leader,
                                members=list(members), places=[cast.place(key) for key in places])


def a_finding(team: Team, place, *, found_on=None) -> Finding:
    """A finding recorded directly (the findings area's service records them on its pages)."""
    return Finding.objects.create(round=team.round, team=team, place=place, category=Category.WORK_STYLE,
                                  title="测试问题", facts="事实", found_on=found_on or team.round.starts_on)
