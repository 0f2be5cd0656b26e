"""The API: the public catalogue of service items, and applications read through the gate with the applicant's
name and mobile for the handling unit (and the grid worker who applied for them) only."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from affairs import services
from grids.models import Role
from tests.affairs.conftest import key, submit

pytestmark = pytest.mark.django_db
ITEMS = reverse("api:service-item-list")
APPLICATIONS = reverse("api:application-list")


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_anyone_reads_the_catalogue_of_a_place_with_its_materials(cast, item):
    above = services.service_item_create(
        actor=cast.user(Role.STREET_OFFICIAL), place=cast.place("S1"), unit_place=cast.place("S1"), name="高龄津贴",
        applicants="80周岁以上老人", time_limit=10, mode="once", legal_basis="省高龄津贴办法",
        materials=[{"name": "身份证"}])
    elsewhere = services.service_item_create(
        actor=cast.admin, place=cast.place("C2"), unit_place=cast.place("C2"), name="居住证明",
        applicants="本社区居民", time_limit=3, mode="online", legal_basis="《居住证暂行条例》",
        materials=[{"name": "身份证"}])
    anonymous = APIClient()
    body = anonymous.get(ITEMS, {"place": cast.place("G1").code}).json()
    assert [row["id"] for row in body["results"]] == [item.pk, above.pk]  # G1's community's and its street's
    first = body["results"][0]
    assert (first["name"], first["unit"], first["time_limit"], first["mode"]) == (
        "居住证明", cast.place("C1").name, 3, "online")
    assert [m["name"] for m in first["materials"]] == ["身份证", "租房合同", "其他说明"]
    assert anonymous.get(reverse("api:service-item-detail", args=[elsewhere.pk])).json()["name"] == "居住证明"
    assert anonymous.get(ITEMS, {"place": "999999"}).status_code == 404


def test_applications_are_read_through_the_gate_with_personal_data_for_the_unit_only(cast, item):
    application, _token = submit(item, mobile="13900002222")
    unit = signed_in(cast.user(Role.COMMUNITY_OFFICIAL)).get(APPLICATIONS).json()["results"]
    assert [(a["reference"], a["applicant_mobile"], a["status"]) for a in unit] == [
        (application.reference, "13900002222", "submitted")]
    above = signed_in(cast.user(Role.STREET_OFFICIAL)).get(APPLICATIONS).json()["results"]
    assert [(a["reference"], a["applicant_name"], a["applicant_mobile"]) for a in above] == [
        (application.reference, None, None)]
    assert signed_in(cast.user(Role.GRID_WORKER)).get(APPLICATIONS).json()["results"] == []
    detail = reverse("api:application-detail", args=[application.reference])
    assert signed_in(cast.user(Role.GRID_WORKER)).get(detail).status_code == 404
    assert APIClient().get(APPLICATIONS).status_code == 401


def test_an_applications_detail_lists_its_steps_and_the_open_filter_splits_the_list(cast, item):
    official = cast.user(Role.COMMUNITY_OFFICIAL)
    application, _token = submit(item)
    decided, _token = submit(item, mobile="13900003333")
    for action, data in (("receive", {}), ("refuse", {"reason": "不符合条件", "basis": "《居住证暂行条例》第十二条"})):
        decided.refresh_from_db()
        services.application_act(actor=official, application=decided, action=action, version=decided.version,
                                 key=key(), **data)
    client = signed_in(official)
    body = client.get(reverse("api:application-detail", args=[decided.reference])).json()
    assert [s["action"] for s in body["steps"]][-2:] == ["receive", "refuse"]
    assert (body["status"], body["refusal_basis"]) == ("refused", "《居住证暂行条例》第十二条")
    assert [a["reference"] for a in client.get(APPLICATIONS, {"open": "true"}).json()["results"]] == [
        application.reference]
    assert [a["reference"] for a in client.get(APPLICATIONS, {"open": "false"}).json()["results"]] == [
        decided.reference]
