from django.urls import reverse

from grids import services
from grids.models import Role, User

LIST = reverse("api:person-list")
ME = reverse("api:person-me")


def usernames(response) -> set[str]:
    assert response.status_code == 200, response.json()
    return {row["username"] for row in response.json()["results"]}


def test_grid_worker_sees_own_grid_staff_only(api_as, cast):
    names = usernames(api_as(Role.GRID_WORKER).get(LIST))
    assert names == {"u_grid_head", "u_instructor", "u_grid_worker"}


def test_person_output_has_no_account_secrets(api_as, cast):
    row = api_as(Role.GRID_HEAD).get(LIST).json()["results"][0]
    assert set(row) == {"id", "username", "real_name", "mobile", "photo", "memberships"}
    assert set(row["memberships"][0]) == {
        "id", "role", "role_label", "place", "place_name", "department", "work_phone", "duties"
    }


def test_memberships_shown_are_only_those_the_requester_sees(api_as, cast):
    worker = cast.user(Role.GRID_WORKER)
    services.membership_create(actor=cast.admin, user=worker, role=Role.GRID_WORKER, place=cast.place("G2"))
    mine = api_as(Role.GRID_HEAD).get(reverse("api:person-detail", args=[worker.pk])).json()
    assert [m["place"] for m in mine["memberships"]] == [cast.place("G1").code]
    theirs = api_as(Role.STREET_OFFICIAL).get(reverse("api:person-detail", args=[worker.pk])).json()
    assert {m["place"] for m in theirs["memberships"]} == {cast.place("G1").code, cast.place("G2").code}


def test_me_returns_the_signed_in_person_and_memberships(api_as, cast):
    response = api_as(Role.DEPARTMENT_STAFF).get(ME)
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "u_department_staff" and body["real_name"] == "部门工作人员甲"
    [membership] = body["memberships"]
    assert membership["role"] == "department_staff" and membership["role_label"] == "部门工作人员"
    assert membership["place"] == cast.place("D").code
    assert membership["department"] == cast.departments["chengguan@D"].pk


def test_me_for_a_person_without_membership(api_as, cast):
    loner = User.objects.create_user(username="loner", password="x" * 12)
    body = api_as(loner).get(ME).json()
    assert (body["username"], body["memberships"]) == ("loner", [])
    # …who sees nobody else.
    assert usernames(api_as(loner).get(LIST)) == {"loner"}


def test_people_filters(api_as, cast):
    client = api_as(Role.STREET_OFFICIAL)
    assert usernames(client.get(LIST, {"role": "grid_worker"})) == {"u_grid_worker", "worker_G1b", "worker_G2"}
    assert usernames(client.get(LIST, {"place": cast.place("C2").code})) == {"worker_G2"}
    assert usernames(client.get(LIST, {"role": "grid_head", "place": cast.place("C1").code})) == {"u_grid_head"}
    # Role and place meet in one membership: nobody is a grid head in 健康社区.
    assert usernames(client.get(LIST, {"role": "grid_head", "place": cast.place("C2").code})) == set()
    assert usernames(client.get(LIST, {"q": "G1b"})) == {"worker_G1b"}
    assert usernames(client.get(LIST, {"q": "u_grid_h"})) == {"u_grid_head"}


def test_person_in_another_grid_looks_missing(api_as, cast):
    other = User.objects.get(username="worker_G1b")
    assert api_as(Role.GRID_WORKER).get(reverse("api:person-detail", args=[other.pk])).status_code == 404
    assert api_as(Role.COMMUNITY_OFFICIAL).get(reverse("api:person-detail", args=[other.pk])).status_code == 200


def test_people_are_read_only(api_as, cast):
    client = api_as(Role.DISTRICT_OFFICIAL)
    assert client.post(LIST, {"username": "x"}, format="json").status_code == 405
    url = reverse("api:person-detail", args=[cast.user(Role.GRID_WORKER).pk])
    assert client.patch(url, {"real_name": "x"}, format="json").status_code == 405


# ---------------------------------------------------------------------------------------------- personal fields


def rows_by_username(response) -> dict[str, dict]:
    assert response.status_code == 200, response.json()
    return {row["username"]: row for row in response.json()["results"]}


def test_department_staff_see_colleagues_work_phones_never_personal_mobiles(api_as, cast):
    rows = rows_by_username(api_as(Role.DEPARTMENT_STAFF).get(LIST, {"page_size": 200}))
    assert {"u_grid_worker", "u_community_official", "u_command_center", "worker_G3"} <= set(rows)
    others = {name: row for name, row in rows.items() if name != "u_department_staff"}
    assert {row["mobile"] for row in others.values()} == {None}
    assert {row["photo"] for row in others.values()} == {None}
    worker = rows["u_grid_worker"]
    assert worker["real_name"] == "网格员甲"
    assert [(m["role"], m["work_phone"]) for m in worker["memberships"]] == [("grid_worker", "0374-5550001")]
    # …and their own number, as everyone does.
    assert rows["u_department_staff"]["mobile"] == "13900000001"


def test_grid_staff_see_colleagues_work_phones_not_their_mobiles(api_as, cast):
    rows = rows_by_username(api_as(Role.GRID_WORKER).get(LIST))
    assert rows["u_grid_head"]["mobile"] is None
    assert rows["u_grid_head"]["memberships"][0]["work_phone"] == "0374-5550001"
    assert rows["u_grid_worker"]["mobile"] == "13900000001"


def test_officials_and_the_command_center_see_mobiles_of_the_people_below(api_as, cast):
    for role in (Role.COMMUNITY_OFFICIAL, Role.STREET_OFFICIAL, Role.DISTRICT_OFFICIAL, Role.COMMAND_CENTER,
                 Role.SYSTEM_ADMIN):
        rows = rows_by_username(api_as(role).get(LIST, {"page_size": 200}))
        assert rows["u_grid_worker"]["mobile"] == "13900000001", role
        assert rows["worker_G1b"]["mobile"] == "13900000002", role


def test_a_community_official_does_not_see_a_peer_officials_mobile(api_as, cast):
    peer = services.person_appoint(actor=cast.admin, place=cast.place("C1"), role=Role.COMMUNITY_OFFICIAL,
                                   username="peer_c1", real_name="同事", mobile="13911112222").user
    row = api_as(Role.COMMUNITY_OFFICIAL).get(reverse("api:person-detail", args=[peer.pk])).json()
    assert (row["real_name"], row["mobile"]) == ("同事", None)
    assert api_as(Role.STREET_OFFICIAL).get(reverse("api:person-detail", args=[peer.pk])).json()["mobile"] == (
        "13911112222")
