"""The rounds area's drivers of the scope matrix: rounds of inspection (巡察轮次), one in each district of the world,
through the service, the pages (/xuncha/rounds/), the API (/api/v1/inspection-rounds/) and the admin; and the
matrix's dated actors (spec.DATED): a team member of a round that has not started, one of a round whose follow-up
period ended, both on teams covering 董庄社区 C1 as the cast's inspector is."""

from __future__ import annotations

import datetime

from django.utils import timezone

from grids.models import User
from inspections.models import Round
from inspections.services import rounds as services
from tests.cast import PASSWORD
from tests.scope import spec
from tests.scope.matrix import AdminRelation, Driver, new_key

NAME = "矩阵轮次"
OTHER_DISTRICT = {"D": "D2", "D2": "D"}


def round_anchor(target: str, mine: str, relation: str) -> str | None:
    """Rounds belong to a district: the actor's own district, and the other one (the sibling relation)."""
    own = spec.district_of(mine)
    if relation == "own":
        return own
    if relation == "sibling":
        return OTHER_DISTRICT[own]
    return None


def _dates() -> dict[str, str]:
    today = timezone.localdate()
    return {"starts_on": (today + datetime.timedelta(days=20)).isoformat(),
            "ends_on": (today + datetime.timedelta(days=49)).isoformat()}


def _fields(o: Round) -> dict:
    return {"name": o.name + "改", "starts_on": o.starts_on.isoformat(), "ends_on": o.ends_on.isoformat(),
            "follow_up_until": o.follow_up_until.isoformat(),
            "feedback_on": o.feedback_on.isoformat() if o.feedback_on else "",
            "rectification_months": o.rectification_months, "recheck_percent": o.recheck_percent}


def _service_create(world, actor, place):
    dates = {k: datetime.date.fromisoformat(v) for k, v in _dates().items()}
    return services.round_create(actor=actor, district=place, name="矩阵新轮次", idempotency_key=new_key(), **dates)


DRIVERS = {
    "inspection_round": Driver(
        key="inspection_round", model=Round, admin_name="inspections_round", api_basename="inspection-round",
        anchor=round_anchor,
        find=lambda world, key: Round.objects.get(district=world.cast.places[key], name=NAME),
        service_create=_service_create,
        service_update=lambda actor, o: services.round_update(actor=actor, round=o, name=o.name + "改"),
        page_list_url="/xuncha/rounds/",
        page_detail_url=lambda o: f"/xuncha/rounds/{o.pk}/",
        page_create_url="/xuncha/rounds/new/",
        page_create=lambda world, p: {"district": p.code, "name": "矩阵新轮次", **_dates(),
                                      "rectification_months": 2, "recheck_percent": 10, "idempotency_key": new_key()},
        page_update_url=lambda o: f"/xuncha/rounds/{o.pk}/edit/",
        page_update=lambda o: {**_fields(o), "version": o.version},
        api_create=lambda world, p: {"district": p.code, "name": "矩阵新轮次", **_dates()},
        api_update=lambda o: {"name": o.name + "改", "version": o.version},
        admin_create=lambda world, p: {"district": p.pk, "name": "矩阵新轮次", **_dates(),
                                       "follow_up_until": (timezone.localdate()
                                                           + datetime.timedelta(days=100)).isoformat(),
                                       "feedback_on": "", "rectification_months": 2, "recheck_percent": 10},
        admin_update=lambda o: {**_fields(o), "teams-TOTAL_FORMS": 0, "teams-INITIAL_FORMS": 0},
    ),
}

ADMIN_RELATIONS = [
    AdminRelation("inspections_round", "district", "add", "inspection_round", "place", ("district",),
                  DRIVERS["inspection_round"].admin_create),
]


def populate(world) -> None:
    """A round in each district, with a team covering the district's first community; and the dated actors."""
    cast = world.cast
    office = cast.admin
    today = timezone.localdate()
    for key, community in (("D", "C2"), ("D2", "C4")):
        round_ = services.round_create(actor=office, district=cast.places[key], name=NAME,
                                       starts_on=today - datetime.timedelta(days=5),
                                       ends_on=today + datetime.timedelta(days=24))
        leader = User.objects.create_user(username=f"matrix_leader_{key}", password=PASSWORD,
                                          real_name=f"矩阵组长{key}")
        services.team_create(actor=office, round=round_, name="矩阵巡察组", leader=leader,
                             places=[cast.places[community]])
    for name, (starts, ends, follow) in {
        "inspector_before": (7, 36, 100),  # starts in a week
        "inspector_after": (-120, -91, -1),  # its follow-up ended yesterday
    }.items():
        round_ = services.round_create(
            actor=office, district=cast.places["D"], name=f"矩阵{name}轮次",
            starts_on=today + datetime.timedelta(days=starts), ends_on=today + datetime.timedelta(days=ends),
            follow_up_until=today + datetime.timedelta(days=follow))
        # with a mobile, e-mail and photo of their own, as every actor of the matrix (the personal fields' family)
        person = User.objects.create_user(username=name, password=PASSWORD, real_name=f"巡察组员{name[-5:]}",
                                          mobile=f"1390000020{len(cast.users) % 10}", email=f"{name}@example.cn",
                                          photo=f"people/2026/{name}.jpg")
        services.team_create(actor=office, round=round_, name="矩阵日期组", leader=person,
                             places=[cast.places[spec.DATED[name]]])
        cast.users[name] = person
