import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from grids import services
from grids.models import Role
from outreach.models import PartyMember, PartyOrganization

ORGS = reverse("api:party-organization-list")
MEMBERS = reverse("api:party-member-list")


def org_url(org) -> str:
    return reverse("api:party-organization-detail", args=[org.pk])


def member_url(member) -> str:
    return reverse("api:party-member-detail", args=[member.pk])


def g1_org(cast) -> PartyOrganization:
    return PartyOrganization.objects.get(place=cast.place("G1"))


# ---------------------------------------------------------------------------------------------- organisations


def test_community_official_founds_party_group_on_new_grid(api_as, cast):
    grid = services.place_create(actor=cast.admin, parent=cast.place("C1"), name="第3网格")
    response = api_as(Role.COMMUNITY_OFFICIAL).post(
        ORGS, {"place": grid.code, "kind": "branch", "name": "第3网格党支部", "secretary": "张书记"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["place"], body["place_name"], body["place_level"], body["kind_label"], body["secretary"]) == (
        grid.code, "第3网格", "grid", "党支部", "张书记")


def test_one_party_organisation_per_grid(api_as, cast):
    response = api_as(Role.COMMUNITY_OFFICIAL).post(
        ORGS, {"place": cast.place("G1").code, "kind": "group", "name": "第二个党小组"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"place": ["第1网格已有党组织。"]}


def test_party_organisation_filters(api_as, cast):
    client = api_as(Role.STREET_OFFICIAL)

    def names(**params):
        return {row["name"] for row in client.get(ORGS, params).json()["results"]}

    assert names() == {"C1社区党委", "C2社区党委", "G1党小组", "G1b党小组", "G2党小组"}
    assert names(place=cast.place("G2").code) == {"G2党小组"}
    assert names(place=cast.place("C1").code) == {"C1社区党委"}
    assert names(under=cast.place("C1").code) == {"C1社区党委", "G1党小组", "G1b党小组"}


def test_a_community_takes_a_committee_of_its_own_kept_by_its_officials(api_as, cast):
    community = services.place_create(actor=cast.admin, parent=cast.place("S1"), name="新社区")
    client = api_as(Role.COMMUNITY_OFFICIAL)  # of C1: not the new community's
    body = {"place": community.code, "kind": "committee", "name": "新社区党委"}
    assert client.post(ORGS, body, format="json").status_code == 400  # a place it does not see
    response = api_as(Role.STREET_OFFICIAL).post(ORGS, body, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["place_level"], response.json()["kind_label"]) == ("community", "党委")
    # C1's own committee: its community official edits it (their own place); a grid's instructor below does not
    # even see it (they keep their grid's group).
    own = PartyOrganization.objects.get(place=cast.place("C1"))
    assert client.patch(org_url(own), {"secretary": "李书记", "version": own.version}, format="json").status_code == 200
    assert api_as(Role.INSTRUCTOR).patch(org_url(own), {"secretary": "x"}, format="json").status_code == 404


@pytest.mark.parametrize(("level", "kind", "message"), [
    ("grid", "committee", "党委只能建在社区上。"),
    ("grid", "general_branch", "党总支只能建在社区上。"),
    ("community", "group", "党小组只能建在网格上。"),
])
def test_each_kind_stands_on_its_level(api_as, cast, level, kind, message):
    parent = cast.place("C1") if level == "grid" else cast.place("S1")
    place = services.place_create(actor=cast.admin, parent=parent, name="新地点")
    response = api_as(Role.STREET_OFFICIAL).post(ORGS, {"place": place.code, "kind": kind, "name": "新组织"},
                                                 format="json")
    assert response.status_code == 400
    assert response.json() == {"kind": [message]}
    assert not PartyOrganization.objects.filter(place=place).exists()


def test_no_party_organisation_on_a_street(api_as, cast):
    response = api_as(Role.DISTRICT_OFFICIAL).post(
        ORGS, {"place": cast.place("S1").code, "kind": "committee", "name": "街道党工委"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"place": ["党组织只能建在社区或网格上。"]}


def test_a_kind_change_must_suit_the_place(api_as, cast):
    org = g1_org(cast)
    response = api_as(Role.STREET_OFFICIAL).patch(org_url(org), {"kind": "committee", "version": org.version},
                                                  format="json")
    assert response.status_code == 400
    assert response.json() == {"kind": ["党委只能建在社区上。"]}
    org.refresh_from_db()
    assert org.kind == "group"


def test_instructor_edits_own_grid_organisation_not_the_sibling(api_as, cast):
    client = api_as(Role.INSTRUCTOR)
    response = client.patch(org_url(g1_org(cast)), {"kind": "branch", "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["kind"] == "branch"
    sibling = PartyOrganization.objects.get(place=cast.place("G1b"))
    assert client.patch(org_url(sibling), {"kind": "branch"}, format="json").status_code == 404


def test_grid_worker_reads_but_cannot_edit_organisation(api_as, cast):
    client = api_as(Role.GRID_WORKER)
    assert client.get(org_url(g1_org(cast))).status_code == 200
    assert client.patch(org_url(g1_org(cast)), {"name": "x"}, format="json").status_code == 403


# ---------------------------------------------------------------------------------------------- members


def test_instructor_registers_party_member(api_as, cast):
    response = api_as(Role.INSTRUCTOR).post(
        MEMBERS, {"organization": g1_org(cast).pk, "name": "李党员", "mobile": "13712345678",
                  "registered_on": "2025-03-01"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["place"], body["organization_name"], body["registered_on"], body["user"]) == (
        cast.place("G1").code, "G1党小组", "2025-03-01", None)


def test_registration_date_defaults_to_today(api_as, cast):
    response = api_as(Role.INSTRUCTOR).post(
        MEMBERS, {"organization": g1_org(cast).pk, "name": "王党员", "mobile": "13712345679"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["registered_on"] == timezone.localdate().isoformat()


def test_mobile_must_have_eleven_digits(api_as, cast):
    response = api_as(Role.INSTRUCTOR).post(
        MEMBERS, {"organization": g1_org(cast).pk, "name": "李党员", "mobile": "1371234567"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"mobile": ["请输入以 1 开头的 11 位手机号码，例如 13800000000。"]}
    member = PartyMember.objects.get(organization=g1_org(cast))
    response = api_as(Role.INSTRUCTOR).patch(member_url(member), {"mobile": "23712345678"}, format="json")
    assert response.json() == {"mobile": ["请输入以 1 开头的 11 位手机号码，例如 13800000000。"]}


def test_registration_date_cannot_be_in_the_future(api_as, cast):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = api_as(Role.INSTRUCTOR).post(
        MEMBERS, {"organization": g1_org(cast).pk, "name": "李党员", "mobile": "13712345678",
                  "registered_on": tomorrow.isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"registered_on": ["报到日期不能晚于今天。"]}


def test_member_of_invisible_organisation_is_refused(api_as, cast):
    sibling = PartyOrganization.objects.get(place=cast.place("G1b"))
    response = api_as(Role.INSTRUCTOR).post(
        MEMBERS, {"organization": sibling.pk, "name": "李党员", "mobile": "13712345678"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"organization": ["党组织不存在或无权访问。"]}


def test_grid_head_cannot_register_party_members(api_as, cast):
    response = api_as(Role.GRID_HEAD).post(
        MEMBERS, {"organization": g1_org(cast).pk, "name": "李党员", "mobile": "13712345678"}, format="json"
    )
    assert response.status_code == 403


def test_party_member_filters(api_as, cast):
    client = api_as(Role.DISTRICT_OFFICIAL)

    def names(**params):
        return {row["name"] for row in client.get(MEMBERS, params).json()["results"]}

    assert names(place=cast.place("G2").code) == {"G2党员"}
    assert names(organization=g1_org(cast).pk) == {"G1党员"}
    assert names(under=cast.place("S1").code) == {"C1社区党员", "C2社区党员", "G1党员", "G1b党员", "G2党员"}


def test_a_member_registers_in_one_place_only(api_as, cast):
    """双报到 is where one lives: a mobile registered with a grid's group is refused at the community's committee
    (or anywhere else), so a community's figures never count one member twice."""
    committee = PartyOrganization.objects.get(place=cast.place("C1"))
    response = api_as(Role.COMMUNITY_OFFICIAL).post(
        MEMBERS, {"organization": committee.pk, "name": "G1党员", "mobile": "13700000001"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"mobile": ["该手机号的党员已在一个党组织报到：党员只在居住地一处报到。"]}
    assert PartyMember.objects.filter(mobile="13700000001").count() == 1
    # A correction to another member's mobile is refused the same way.
    own = PartyMember.objects.get(organization=committee)
    response = api_as(Role.COMMUNITY_OFFICIAL).patch(member_url(own), {"mobile": "13700000002"}, format="json")
    assert response.status_code == 400 and "mobile" in response.json()


def test_party_member_edit_and_conflict(api_as, cast):
    member = PartyMember.objects.get(organization=g1_org(cast))
    client = api_as(Role.INSTRUCTOR)
    response = client.patch(member_url(member), {"name": "G1党员（更正）"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200 and response.json()["version"] == 2
    stale = client.patch(member_url(member), {"name": "又改"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 409


def test_party_member_of_another_grid_looks_missing(api_as, cast):
    member = PartyMember.objects.get(organization__place=cast.place("G2"))
    assert api_as(Role.INSTRUCTOR).get(member_url(member)).status_code == 404


# ---------------------------------------------------------------------------------------------- personal fields


def test_department_staff_see_no_party_members(api_as, cast):
    client = api_as(Role.DEPARTMENT_STAFF)
    assert client.get(MEMBERS, {"page_size": 200}).json()["results"] == []
    member = PartyMember.objects.get(organization__place=cast.place("G1"))
    assert client.get(member_url(member)).status_code == 404


def test_grid_workers_see_party_members_names_not_their_mobiles(api_as, cast):
    [row] = api_as(Role.GRID_WORKER).get(MEMBERS).json()["results"]
    assert (row["name"], row["mobile"]) == ("G1党员", None)


def test_the_instructor_and_officials_above_see_party_members_mobiles(api_as, cast):
    for role in (Role.INSTRUCTOR, Role.COMMUNITY_OFFICIAL, Role.STREET_OFFICIAL, Role.DISTRICT_OFFICIAL,
                 Role.SYSTEM_ADMIN):
        rows = api_as(role).get(MEMBERS, {"page_size": 200}).json()["results"]
        assert {row["name"]: row["mobile"] for row in rows}["G1党员"] == "13700000001", role
    rows = api_as(Role.COMMAND_CENTER).get(MEMBERS, {"page_size": 200}).json()["results"]
    assert {row["name"]: row["mobile"] for row in rows}["G1党员"] is None
