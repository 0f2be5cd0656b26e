"""The findings area's drivers of the scope matrix: a finding (问题清单) at every street and community of the world.

The cast's round (矩阵巡察轮次, running now) has the cast inspector's team covering 董庄社区 C1; a team without members
(so it grants no one anything) covers the district's two streets, and a round of the other district covers its
street, so that the inspection office has a team to name wherever it records."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from inspections.models import Coverage, Finding, Round, Team
from inspections.services import findings as finding_services
from tests.scope import spec
from tests.scope.matrix import Driver, new_key

CAST_ROUND, CAST_TEAM = "矩阵巡察轮次", "第一巡察组"
MATRIX_TEAM, OTHER_ROUND = "问题清单矩阵组", "问题清单矩阵轮次"
TITLE = "矩阵问题"
FINDING_LEVELS = ("street", "community")
STREETS_IN_ORDER = [key for key, level in spec.LEVEL.items() if level == "street"]


def _anchor(target: str, mine: str, relation: str) -> str | None:
    """A street or community: the target itself, the community of a grid, or a street within a district."""
    level = spec.LEVEL[target]
    if level in FINDING_LEVELS:
        return target
    if level in ("grid", "building"):
        return next(key for key in spec.ancestors(target) if spec.LEVEL[key] == "community")
    for key in STREETS_IN_ORDER:
        if spec.within(key, target) and (relation == "own" or not spec.within(key, mine)):
            return key
    return None


def _team_for(world, place) -> Team:
    """The team a finding at `place` is recorded for: the cast's team under C1, the matrix teams elsewhere."""
    if place.code.startswith(world.cast.places["C1"].code):
        return Team.objects.get(round__name=CAST_ROUND, name=CAST_TEAM)
    return Team.objects.get(name=MATRIX_TEAM, round__district__code=place.code[:6])


def _fields(title: str) -> dict:
    return {"category": "work_style", "severity": "minor", "title": title, "facts": "矩阵事实",
            "disclosure": "internal", "public_summary": ""}


def _page_create(world, place):
    team = _team_for(world, place)
    return {**_fields("矩阵新问题"), "where": f"{team.pk}:{place.code}", "found_on": timezone.localdate().isoformat(),
            "idempotency_key": new_key()}


def _page_update(obj):
    return {**_fields(obj.title + "改"), "category": obj.category, "found_on": obj.found_on.isoformat(),
            "rectification_due": obj.rectification_due.isoformat() if obj.rectification_due else "",
            "case_category": "", "version": obj.version}


def _service_create(world, actor, place):
    team = _team_for(world, place)
    return finding_services.finding_record(actor=actor, round=team.round, place=place, team=team,
                                           **_fields("矩阵新问题"))


def _api_create(world, place):
    team = _team_for(world, place)
    return {**_fields("矩阵新问题"), "round": team.round_id, "place": place.code, "team": team.pk}


DRIVERS = {
    "finding": Driver(
        key="finding", model=Finding, admin_name="inspections_finding", api_basename="finding", anchor=_anchor,
        find=lambda world, key: Finding.objects.get(place=world.cast.places[key], title=TITLE),
        mutable_field="title",
        page_list_url="/xuncha/findings/",
        page_detail_url=lambda o: reverse("inspection_findings:detail", args=[o.pk]),
        page_create_url="/xuncha/findings/new/", page_create=_page_create,
        page_update_url=lambda o: reverse("inspection_findings:edit", args=[o.pk]), page_update=_page_update,
        service_create=_service_create,
        service_update=lambda actor, o: finding_services.finding_update(actor=actor, finding=o, title=o.title + "改"),
        admin_update=lambda o: {**_fields(o.title + "改"), "found_on": o.found_on.isoformat(),
                                "rectification_due": o.rectification_due.isoformat() if o.rectification_due else ""},
        api_create=_api_create,
        api_update=lambda o: {"title": o.title + "改", "version": o.version},
    ),
}


def populate(world) -> None:
    """The matrix teams, and a finding (found today) at every street and community of the world."""
    cast = world.cast
    today = timezone.localdate()
    cast_round = Round.objects.get(name=CAST_ROUND)
    other_round = Round.objects.create(
        district=cast.places["D2"], name=OTHER_ROUND, starts_on=cast_round.starts_on, ends_on=cast_round.ends_on,
        follow_up_until=cast_round.follow_up_until)
    for round_, keys in ((cast_round, ("S1", "S2")), (other_round, ("S3",))):
        team = Team.objects.create(round=round_, name=MATRIX_TEAM)
        Coverage.objects.bulk_create([Coverage(team=team, place=cast.places[key]) for key in keys])
    for key, level in spec.LEVEL.items():
        if level not in FINDING_LEVELS:
            continue
        place = cast.places[key]
        team = _team_for(world, place)
        Finding.objects.create(round=team.round, team=team, place=place, category="work_style", title=TITLE,
                               facts="矩阵事实", found_on=today,
                               rectification_due=today + datetime.timedelta(days=60))
