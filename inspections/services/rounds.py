"""Writes of rounds of inspection (巡察轮次) and their teams: planned and staffed by the district's inspection office.

A team covers streets (the street committee and every community below it) or single communities of the round's
district; its members hold the inspector's grants there from the round's first day to the end of its follow-up
period (inspections/grants.py). A person serves on one team of a round at most.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from grids.models import Level, Place, User
from wudu import scope
from wudu.writes import create_once

from ..models import Coverage, Round, Team, TeamMember

__all__ = ["COVERED_LEVELS", "months_after", "round_create", "team_create"]

COVERED_LEVELS = (Level.STREET, Level.COMMUNITY)


def round_create(
    *, actor, district: Place, name: str, starts_on: datetime.date, ends_on: datetime.date,
    follow_up_until: datetime.date | None = None, feedback_on: datetime.date | None = None,
    rectification_months: int = 2, recheck_percent: int = 10, idempotency_key=None,
) -> Round:
    """A round in `district`. The follow-up period defaults to the rectification period after the round's end."""
    scope.require_create(actor, "inspection_round", district)
    if district.level != Level.DISTRICT:
        raise ValidationError({"district": _("巡察轮次须属于一个区。")}, code="wrong_level")
    if not name or not name.strip():
        raise ValidationError({"name": _("请填写轮次名称。")}, code="required")
    if follow_up_until is None and ends_on is not None:
        follow_up_until = months_after(ends_on, rectification_months)

    def create() -> Round:
        round_ = Round(district=district, name=name.strip(), starts_on=starts_on, ends_on=ends_on,
                       follow_up_until=follow_up_until, feedback_on=feedback_on,
                       rectification_months=rectification_months, recheck_percent=recheck_percent, created_by=actor)
        round_.full_clean()
        round_.save()
        return round_

    return create_once(key=idempotency_key, actor=actor, model=Round, create=create)


def team_create(
    *, actor, round: Round, name: str, leader: User, members: Iterable[User] = (), places: Iterable[Place] = (),
    idempotency_key=None,
) -> Team:
    """A team of `round` with its leader, members and the streets or communities it covers."""
    scope.require_change(actor, round, "inspection_round")
    members = [user for user in members if user.pk != leader.pk]
    places = list(places)
    if not places:
        raise ValidationError({"places": _("请选择该组巡察的街道或社区。")}, code="required")
    for place in places:
        if place.level not in COVERED_LEVELS or not place.code.startswith(round.district.code):
            raise ValidationError({"places": _("%(place)s 不是本区的街道或社区。") % {"place": place.name}},
                                  code="wrong_place")
    people = [leader, *members]
    taken = (TeamMember.objects.filter(team__round=round, user__in=people)
             .values_list("user__real_name", flat=True).first())
    if taken is not None:
        raise ValidationError({"members": _("%(name)s 已在本轮的另一个巡察组。") % {"name": taken}},
                              code="member_taken")

    def create() -> Team:
        with transaction.atomic():
            team = Team(round=round, name=name.strip())
            team.full_clean()
            team.save()
            TeamMember.objects.bulk_create([TeamMember(team=team, user=user, is_leader=user.pk == leader.pk)
                                            for user in people])
            Coverage.objects.bulk_create([Coverage(team=team, place=place) for place in places])
        return team

    return create_once(key=idempotency_key, actor=actor, model=Team, create=create)


def months_after(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")
