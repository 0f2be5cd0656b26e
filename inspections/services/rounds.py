"""Writes of rounds of inspection (巡察轮次) and their teams: planned and staffed by the district's inspection office.

A team covers streets (the street committee and every community below it) or single communities of the round's
district; its members hold the inspector's grants there from the round's first day to the end of its follow-up
period (inspections/grants.py). A person serves on one team of a round at most; a team always has one leader.
Every write asks the gate (`inspection_round`: the inspection office writes) and happens in one transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Level, Place, Role, User
from grids.selectors import appointable_people
from wudu import scope
from wudu.writes import create_once, update_versioned

from ..models import Coverage, Finding, Round, Team, TeamMember

__all__ = [
    "COVERED_LEVELS", "ROUND_FIELDS", "coverage_add", "coverage_remove", "may_publish_progress", "months_after",
    "round_create", "round_progress_publish", "round_progress_withdraw", "round_update", "team_create", "team_member_add", "team_member_remove", "team_set_leader", "team_update",
]

COVERED_LEVELS = (Level.STREET, Level.COMMUNITY)
ROUND_FIELDS = ("name", "starts_on", "ends_on", "follow_up_until", "feedback_on", "rectification_months",
                "recheck_percent")
MAX_RECTIFICATION_MONTHS = 24


def _check_round(*, name, starts_on, ends_on, follow_up_until, feedback_on, rectification_months,
                 recheck_percent) -> None:
    """The round's own rules, each with a message next to the field it concerns."""
    errors = {}
    if not name or not name.strip():
        errors["name"] = _("请填写轮次名称。")
    if starts_on is None:
        errors["starts_on"] = _("请填写进驻日期。")
    if ends_on is None:
        errors["ends_on"] = _("请填写结束日期。")
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("结束日期不能早于进驻日期。")
    if follow_up_until is not None and ends_on is not None and follow_up_until < ends_on:
        errors["follow_up_until"] = _("跟踪督办截止不能早于结束日期。")
    if feedback_on is not None and starts_on is not None and feedback_on < starts_on:
        errors["feedback_on"] = _("反馈日期不能早于进驻日期。")
    if rectification_months is None or not 1 <= rectification_months <= MAX_RECTIFICATION_MONTHS:
        errors["rectification_months"] = _("整改期限须在 1 到 %(max)s 个月之间。") % {"max": MAX_RECTIFICATION_MONTHS}
    if recheck_percent is None or not 0 <= recheck_percent <= 100:
        errors["recheck_percent"] = _("抽查比例须在 0 到 100 之间。")
    if errors:
        raise ValidationError(errors, code="invalid")


def round_create(
    *, actor, district: Place, name: str, starts_on: datetime.date, ends_on: datetime.date,
    follow_up_until: datetime.date | None = None, feedback_on: datetime.date | None = None,
    rectification_months: int = 2, recheck_percent: int = 10, idempotency_key=None,
) -> Round:
    """A round in `district`. The follow-up period defaults to the rectification period after the round's end."""
    scope.require_create(actor, "inspection_round", district)
    if district.level != Level.DISTRICT:
        raise ValidationError({"district": _("巡察轮次须属于一个区。")}, code="wrong_level")
    if follow_up_until is None and ends_on is not None and rectification_months:
        follow_up_until = months_after(ends_on, rectification_months)
    _check_round(name=name, starts_on=starts_on, ends_on=ends_on, follow_up_until=follow_up_until,
                 feedback_on=feedback_on, rectification_months=rectification_months, recheck_percent=recheck_percent)

    def create() -> Round:
        round_ = Round(district=district, name=name.strip(), starts_on=starts_on, ends_on=ends_on,
                       follow_up_until=follow_up_until, feedback_on=feedback_on,
                       rectification_months=rectification_months, recheck_percent=recheck_percent, created_by=actor)
        round_.full_clean()
        round_.save()
        return round_

    return create_once(key=idempotency_key, actor=actor, model=Round, create=create)


def round_update(*, actor, round: Round, expected_version: int | None = None, **changes) -> Round:
    """Change a round's name, dates, feedback day, rectification period or re-check share (versioned: a concurrent
    edit is refused with Conflict). The new dates must still hold every finding already recorded in the round
    (found between the first day and the end of the follow-up period)."""
    scope.require_change(actor, round, "inspection_round")
    fields = {name: value for name, value in changes.items() if name in ROUND_FIELDS}
    if isinstance(fields.get("name"), str):
        fields["name"] = fields["name"].strip()
    merged = {name: fields.get(name, getattr(round, name)) for name in ROUND_FIELDS}
    _check_round(**merged)
    starts_on, follow_up_until = merged["starts_on"], merged["follow_up_until"]
    stranded = (Finding.objects.filter(round=round)
                .filter(Q(found_on__lt=starts_on) | Q(found_on__gt=follow_up_until))
                .order_by("found_on").values_list("found_on", flat=True).first())
    if stranded is not None:
        field = "starts_on" if stranded < starts_on else "follow_up_until"
        raise ValidationError({field: _("本轮已有 %(day)s 发现的问题，调整后的日期不能把它排除在本轮之外。")
                               % {"day": stranded.isoformat()}}, code="strands_findings")
    return update_versioned(round, expected_version=expected_version, fields=fields)


# ---------------------------------------------------------------------------------------------- public progress


def may_publish_progress(user, round: Round) -> bool:
    """Only the inspection office (巡察办) of the round's district publishes or withdraws its public progress page."""
    return scope.grant_to_act(user, round, "inspection_round", [Role.INSPECTION_OFFICE]) is not None


def _set_progress_published(actor, round: Round, *, published: bool, expected_version: int | None,
                            now: datetime.datetime | None) -> Round:
    if not may_publish_progress(actor, round):
        raise PermissionDenied
    if (round.progress_published_at is not None) == published:
        return round  # already so (a retry or a double click): nothing changes, no Conflict
    fields = ({"progress_published_at": now or timezone.now(), "progress_published_by": actor} if published
              else {"progress_published_at": None, "progress_published_by": None})
    return update_versioned(round, expected_version=expected_version, fields=fields)


def round_progress_publish(*, actor, round: Round, expected_version: int | None = None,
                           now: datetime.datetime | None = None) -> Round:
    """Open the round's public progress page (/xunchagongkai/<round>/): the summaries of its public findings and their
    tasks ticked off. Versioned (a concurrent change of the round is refused with Conflict) and idempotent (publishing
    a published round changes nothing)."""
    return _set_progress_published(actor, round, published=True, expected_version=expected_version, now=now)


def round_progress_withdraw(*, actor, round: Round, expected_version: int | None = None) -> Round:
    """Close the round's public progress page again (it answers 404). Versioned and idempotent as publishing."""
    return _set_progress_published(actor, round, published=False, expected_version=expected_version, now=None)


# ---------------------------------------------------------------------------------------------- teams


def _check_places(round: Round, places: Iterable[Place]) -> list[Place]:
    places = list(places)
    for place in places:
        if place.level not in COVERED_LEVELS or not place.code.startswith(round.district.code):
            raise ValidationError({"places": _("%(place)s 不是本区的街道或社区。") % {"place": place.name}},
                                  code="wrong_place")
    return places


def _check_people(actor, round: Round, people: list[User], *, team: Team | None = None) -> None:
    """Each person may be appointed by the actor, and serves on no other team of the round."""
    ids = [user.pk for user in people]
    reachable = set(appointable_people(actor).filter(pk__in=ids).values_list("pk", flat=True))
    for user in people:
        if user.pk not in reachable:
            raise ValidationError({"members": _("找不到该人员，或您无权选择此人。")}, code="not_visible")
    others = TeamMember.objects.filter(team__round=round, user_id__in=ids)
    if team is not None:
        others = others.exclude(team=team)
    taken = others.values_list("user__real_name", "user__username").first()
    if taken is not None:
        raise ValidationError({"members": _("%(name)s 已在本轮的另一个巡察组。") % {"name": taken[0] or taken[1]}},
                              code="member_taken")


def _lock_round(round: Round) -> None:
    """Serialise the staffing of one round (one team per person): the round's row is the lock."""
    Round.objects.select_for_update().filter(pk=round.pk).values_list("pk", flat=True).first()


def team_create(
    *, actor, round: Round, name: str, leader: User, members: Iterable[User] = (), places: Iterable[Place] = (),
    idempotency_key=None,
) -> Team:
    """A team of `round` with its leader, members and the streets or communities it covers."""
    scope.require_change(actor, round, "inspection_round")
    if leader is None:
        raise ValidationError({"leader": _("请指定组长。")}, code="required")
    if not name or not name.strip():
        raise ValidationError({"name": _("请填写巡察组名称。")}, code="required")
    members = list({user.pk: user for user in members if user.pk != leader.pk}.values())
    places = _check_places(round, places)
    if not places:
        raise ValidationError({"places": _("请选择该组巡察的街道或社区。")}, code="required")
    people = [leader, *members]

    def create() -> Team:
        with transaction.atomic():
            _lock_round(round)
            _check_people(actor, round, people)
            team = Team(round=round, name=name.strip())
            team.full_clean()
            team.save()
            TeamMember.objects.bulk_create([TeamMember(team=team, user=user, is_leader=user.pk == leader.pk)
                                            for user in people])
            Coverage.objects.bulk_create([Coverage(team=team, place=place) for place in places])
        for user in people:
            scope.forget_grants(user)
        return team

    return create_once(key=idempotency_key, actor=actor, model=Team, create=create)


def team_update(
    *, actor, team: Team, name: str | None = None, leader: User | None = None, members: Iterable[User] | None = None,
    places: Iterable[Place] | None = None,
) -> Team:
    """Rename a team and, where given, set its leader, its members (the leader included or not) and its places, all
    at once or nothing: a member added, one removed, the leader changed, a place added or removed."""
    round_ = team.round
    scope.require_change(actor, round_, "inspection_round")
    with transaction.atomic():
        _lock_round(round_)
        if name is not None:
            if not name.strip():
                raise ValidationError({"name": _("请填写巡察组名称。")}, code="required")
            team.name = name.strip()
            team.full_clean()
            team.save(update_fields=["name"])
        if members is not None or leader is not None:
            current = {m.user_id: m for m in team.members.select_related("user")}
            leader = leader or next((m.user for m in current.values() if m.is_leader), None)
            wanted = {user.pk: user for user in (members if members is not None else
                                                  [m.user for m in current.values()])}
            if leader is None:
                raise ValidationError({"leader": _("请指定组长。")}, code="required")
            wanted[leader.pk] = leader
            added = [user for pk, user in wanted.items() if pk not in current]
            if added:
                _check_people(actor, round_, added, team=team)
                TeamMember.objects.bulk_create([TeamMember(team=team, user=user) for user in added])
            _make_leader(team, leader)  # before removing anyone: the former leader may be leaving
            for user_id in set(current) - set(wanted):
                _remove_member(team, current[user_id].user)
            for user in wanted.values():
                scope.forget_grants(user)
        if places is not None:
            wanted_places = {place.pk: place for place in _check_places(round_, places)}
            if not wanted_places:
                raise ValidationError({"places": _("巡察组至少须覆盖一个街道或社区。")}, code="required")
            covered = {c.place_id: c.place for c in team.coverage.select_related("place")}
            Coverage.objects.bulk_create([Coverage(team=team, place=place) for pk, place in wanted_places.items()
                                          if pk not in covered])  # before removing: a team keeps a place
            for place_id in set(covered) - set(wanted_places):
                _remove_place(team, covered[place_id])
    return team


def team_member_add(*, actor, team: Team, user: User, leader: bool = False) -> TeamMember:
    """Add a person to a team (again: nothing changes); `leader` makes them its leader in the same step."""
    scope.require_change(actor, team.round, "inspection_round")
    with transaction.atomic():
        _lock_round(team.round)
        member = TeamMember.objects.filter(team=team, user=user).first()
        if member is None:
            _check_people(actor, team.round, [user], team=team)
            member = TeamMember.objects.create(team=team, user=user)
        if leader:
            _make_leader(team, user)
            member.refresh_from_db()
    scope.forget_grants(user)
    return member


def team_member_remove(*, actor, team: Team, user: User) -> None:
    """Take a person off a team (their grants at its places end now). The leader stays until another is named."""
    scope.require_change(actor, team.round, "inspection_round")
    with transaction.atomic():
        _lock_round(team.round)
        _remove_member(team, user)
    scope.forget_grants(user)


def team_set_leader(*, actor, team: Team, user: User) -> Team:
    """Name a member of the team its leader (the former leader stays a member)."""
    scope.require_change(actor, team.round, "inspection_round")
    with transaction.atomic():
        _lock_round(team.round)
        _make_leader(team, user)
    return team


def _remove_member(team: Team, user: User) -> None:
    member = TeamMember.objects.filter(team=team, user=user).first()
    if member is None:
        raise ValidationError({"members": _("此人不是该组成员。")}, code="not_member")
    if member.is_leader:
        raise ValidationError({"members": _("组长不能移出巡察组，请先指定新的组长。")}, code="leader")
    member.delete()


def _make_leader(team: Team, user: User) -> None:
    if not TeamMember.objects.filter(team=team, user=user).exists():
        raise ValidationError({"leader": _("组长须是该组成员。")}, code="not_member")
    # Demote first: the database keeps one leader per team at every moment.
    TeamMember.objects.filter(team=team, is_leader=True).exclude(user=user).update(is_leader=False)
    TeamMember.objects.filter(team=team, user=user).update(is_leader=True)


# ---------------------------------------------------------------------------------------------- coverage


def coverage_add(*, actor, team: Team, place: Place) -> Coverage:
    """The team covers one more street or community of the round's district (again: nothing changes)."""
    scope.require_change(actor, team.round, "inspection_round")
    _check_places(team.round, [place])
    with transaction.atomic():
        coverage, _created = Coverage.objects.get_or_create(team=team, place=place)
    return coverage


def coverage_remove(*, actor, team: Team, place: Place) -> None:
    """The team no longer covers a place: refused where it has recorded findings (they stay its own), and for the
    team's last place."""
    scope.require_change(actor, team.round, "inspection_round")
    with transaction.atomic():
        _lock_round(team.round)
        _remove_place(team, place)


def _remove_place(team: Team, place: Place) -> None:
    coverage = Coverage.objects.filter(team=team, place=place).first()
    if coverage is None:
        raise ValidationError({"places": _("该组并未覆盖 %(place)s。") % {"place": place.name}}, code="not_covered")
    if Finding.objects.filter(team=team, place__code__startswith=place.code).exists():
        raise ValidationError({"places": _("该组已在 %(place)s 记录了问题，不能移出巡察范围。") % {"place": place.name}},
                              code="has_findings")
    if not Coverage.objects.filter(team=team).exclude(pk=coverage.pk).exists():
        raise ValidationError({"places": _("巡察组至少须覆盖一个街道或社区。")}, code="last_place")
    coverage.delete()


def months_after(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")
