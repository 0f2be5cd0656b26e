"""The affairs app's part of the scope matrix (tests/scope; see tests/grids/matrix.py for what a part holds): a
service item at every district, street and community of the cast, handled there, and a resident's application to
each, submitted (waiting to be received).

Items are kept (created, changed) through the service only: there is no staff page for them yet, and their API is
the public catalogue (everyone reads every item: tests/affairs/test_api.py). Changing an application means taking a
step; the matrix's step is 接收 (receive), which only the handling unit itself takes (its officials), not the levels
above, which read. Submitting is a resident's (a one-time code) or a grid worker's for a household of their grid
(帮办代办): tests/affairs/test_applying.py and test_pages.py."""

from __future__ import annotations

import datetime
import uuid

from django.urls import reverse
from django.utils import timezone

from affairs import services
from affairs.models import Application, MobileCode, ServiceItem
from tests.scope import spec
from tests.scope.matrix import Driver

LEVELS = {"district", "street", "community"}
PLACES = [key for key, level in spec.LEVEL.items() if level in LEVELS]
ITEM = "矩阵事项"


def _anchor(target: str, mine: str, relation: str) -> str | None:
    """Items and applications sit at districts, streets and communities: a grid's relation points at its community."""
    if spec.LEVEL.get(target) == "grid":
        target = spec.PARENT[target]
        if relation != "own" and spec.within(mine, target):
            return None  # the grid's own community is its "parent" relation, not a sibling's
    return target if spec.LEVEL.get(target) in LEVELS else None


def _item_at(world, key: str) -> ServiceItem:
    return ServiceItem.objects.get(place=world.cast.places[key], name=ITEM)


def _item_create(world, actor, place):
    return services.service_item_create(
        actor=actor, place=place, unit_place=place, name=f"新事项{uuid.uuid4().hex[:6]}", applicants="本地居民",
        time_limit=5, mode="online", legal_basis="矩阵依据", materials=[{"name": "身份证"}])


def _receive(actor, application):
    return services.application_act(actor=actor, application=application, action="receive",
                                     version=application.version, key=uuid.uuid4())


DRIVERS = {
    "service_item": Driver(
        key="service_item", model=ServiceItem, admin_name="", api_basename="service-item", anchor=_anchor,
        find=_item_at, mutable_field="name", surfaces=("service",),
        service_create=_item_create,
        service_update=lambda actor, o: services.service_item_update(actor=actor, item=o, version=o.version,
                                                                     name=o.name + "改"),
    ),
    "application": Driver(
        key="application", model=Application, admin_name="", api_basename="application", anchor=_anchor,
        find=lambda world, key: Application.objects.get(item=_item_at(world, key)), mutable_field="status",
        surfaces=("service", "page", "api"),
        page_list_url="/affairs/desk/",
        page_detail_url=lambda o: reverse("affairs:detail", args=[o.reference]),
        page_update_url=lambda o: reverse("affairs:act", args=[o.reference, "receive"]),
        page_update=lambda o: {"receive-version": o.version, "receive-key": str(uuid.uuid4())},
        api_key=lambda o: o.reference,
        service_update=_receive,
    ),
}

def populate(world) -> None:
    """An item at every district, street and community, handled there, and one resident's application to it."""
    now = timezone.now()
    for index, key in enumerate(PLACES):
        place = world.cast.places[key]
        item = services.service_item_create(
            actor=world.cast.admin, place=place, unit_place=place, name=ITEM, applicants="本地居民", time_limit=5,
            mode="online", legal_basis="矩阵依据", materials=[{"name": "情况说明", "required": False}])
        mobile = f"1390000{index:04d}"
        # The proof a one-time code gives (the code itself goes by SMS after a commit the world never makes).
        proof = MobileCode.objects.create(mobile_digest=services._digest(mobile), code_digest="", created_at=now,
                                          expires_at=now + datetime.timedelta(minutes=10), verified_at=now)
        services.application_submit_public(item=item, place=place, applicant_name=f"{key}申请人", mobile=mobile,
                                           proof_id=proof.pk, files={}, key=uuid.uuid4())
