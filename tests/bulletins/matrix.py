"""The bulletins app's part of the scope matrix (tests/scope; see tests/grids/matrix.py for what a part holds): a
draft 月通报 at every district, street and community of the cast, each with an objection. Reading reaches a
bulletin at the reader's place and below, and above it (the units a bulletin names read it); its objections are
read with it. Building one (create) and publishing it (update) are the command center's and the system
administrator's. Who may file an objection (the unit of the line, on its own line) and settle one (the command
center) is tested in tests/bulletins/test_publication.py and test_api.py."""

from __future__ import annotations

import datetime
import uuid

from django.utils import timezone

from bulletins import services
from bulletins.models import Bulletin, BulletinRow, Kind, Objection, ObjectionStatus
from grids.models import Level
from tests.scope import spec
from tests.scope.matrix import Driver
from wudu.measures import Period

LEVELS = {"district", "street", "community"}


def _period() -> Period:
    return Period.last_closed(Period.MONTH)


def _anchor(target: str, mine: str, relation: str) -> str | None:
    """Bulletins exist for districts, streets and communities: a grid's relation points at its community."""
    if spec.LEVEL.get(target) == "grid":
        target = spec.PARENT[target]
        if relation != "own" and spec.within(mine, target):
            return None  # the grid's own community is its "parent" relation, not a sibling's
    return target if spec.LEVEL.get(target) in LEVELS else None


def _drop(world, place) -> None:
    BulletinRow.objects.filter(bulletin__place=place).delete()
    Objection.objects.filter(bulletin__place=place).delete()
    Bulletin.objects.filter(place=place).delete()


def _publish(actor, bulletin):
    return services.bulletin_publish(actor=actor, bulletin=bulletin,
                                     now=bulletin.objection_until + datetime.timedelta(days=1))


DRIVERS = {
    "bulletin": Driver(
        key="bulletin", model=Bulletin, admin_name="bulletins_bulletin", api_basename="bulletin",
        anchor=_anchor, mutable_field="stage", surfaces=("service", "api"),
        find=lambda world, key: Bulletin.objects.get(place=world.cast.places[key], kind=Kind.BULLETIN),
        before_create=_drop,
        service_create=lambda world, actor, place: services.bulletin_build(
            place=place, period=_period(), kind=Kind.BULLETIN, actor=actor, now=timezone.now()),
        service_update=_publish,
    ),
}


DRIVERS["objection"] = Driver(
    key="objection", model=Objection, admin_name="bulletins_objection", api_basename="objection", anchor=_anchor,
    mutable_field="status", surfaces=("service", "api"),
    find=lambda world, key: Objection.objects.get(bulletin__place=world.cast.places[key]),
)


def populate(world) -> None:
    """A draft of last month for every district, street and community of the cast (no cases: nothing due), each
    with an objection on its own place's line (written here as a record: filing has its own tests)."""
    for place in world.cast.places.values():
        if place.level in (Level.DISTRICT, Level.STREET, Level.COMMUNITY):
            bulletin = services.bulletin_build(place=place, period=_period(), kind=Kind.BULLETIN, now=timezone.now())
            Objection.objects.create(client_id=uuid.uuid4(), bulletin=bulletin, place=place, reason="矩阵申诉",
                                     filed_by=world.cast.admin, filed_role="system_admin", filed_at=timezone.now(),
                                     status=ObjectionStatus.REJECTED, decision="已答复", decided_by=world.cast.admin,
                                     decided_at=timezone.now())  # answered: the draft may be published
