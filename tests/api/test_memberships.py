import uuid

from django.urls import reverse

from grids.models import Membership, Role, User

LIST = reverse("api:membership-list")


def detail(membership) -> str:
    return reverse("api:membership-detail", args=[membership.pk])


def membership_of(user, role) -> Membership:
    return Membership.objects.get(user=user, role=role)


def test_community_official_appoints_visible_person_in_own_community(api_as, cast):
    worker = User.objects.get(username="worker_G1b")
    response = api_as(Role.COMMUNITY_OFFICIAL).post(
        LIST,
        {"user": worker.pk, "role": "grid_head", "place": cast.place("G1b").code, "work_phone": "0374-5550002",
         "duties": "负责第2网格"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["user"], body["user_name"], body["role"], body["role_label"]) == (worker.pk, "G1b网格员",
                                                                                   "grid_head", "网格长")
    assert (body["place"], body["place_name"], body["department"], body["version"]) == (
        cast.place("G1b").code, "第2网格", None, 1)
    assert Membership.objects.filter(user=worker, role="grid_head").exists()


def test_membership_list_and_filters(api_as, cast):
    client = api_as(Role.STREET_OFFICIAL)

    def roles(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200
        return sorted(row["role"] for row in response.json()["results"])

    assert roles(place=cast.place("C1").code) == sorted(
        ["grid_head", "instructor", "grid_worker", "community_official", "grid_worker"])
    assert roles(role="grid_worker") == ["grid_worker"] * 3
    assert roles(user=cast.user(Role.GRID_HEAD).pk) == ["grid_head"]
    staff = api_as(Role.DISTRICT_OFFICIAL).get(LIST, {"department": cast.departments["chengguan@D"].pk}).json()
    assert [row["department_name"] for row in staff["results"]] == ["城市管理"]


def test_appointing_a_person_serving_out_of_sight_is_refused(api_as, cast):
    stranger = User.objects.get(username="worker_G2")  # serves in 健康社区, outside 董庄社区
    response = api_as(Role.COMMUNITY_OFFICIAL).post(
        LIST, {"user": stranger.pk, "role": "grid_worker", "place": cast.place("G1").code}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"user": ["人员不存在或无权访问。"]}


def test_role_must_fit_the_level_of_the_place(api_as, cast):
    response = api_as(Role.STREET_OFFICIAL).post(
        LIST, {"user": cast.user(Role.GRID_WORKER).pk, "role": "grid_worker", "place": cast.place("C1").code},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"place": ["网格员只能在网格任职。"]}


def test_same_appointment_twice_is_refused(api_as, cast):
    response = api_as(Role.COMMUNITY_OFFICIAL).post(
        LIST, {"user": cast.user(Role.GRID_WORKER).pk, "role": "grid_worker", "place": cast.place("G1").code},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"detail": ["网格员甲已在第1网格担任网格员。"]}


def test_grid_head_cannot_appoint(api_as, cast):
    response = api_as(Role.GRID_HEAD).post(
        LIST, {"user": cast.user(Role.GRID_WORKER).pk, "role": "grid_head", "place": cast.place("G1").code},
        format="json",
    )
    assert response.status_code == 403


def test_idempotent_appointment_creates_one_membership(api_as, cast):
    client = api_as(Role.COMMUNITY_OFFICIAL)
    payload = {"user": cast.user(Role.GRID_WORKER).pk, "role": "grid_worker", "place": cast.place("G1b").code}
    key = str(uuid.uuid4())
    first = client.post(LIST, payload, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = client.post(LIST, payload, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    assert Membership.objects.filter(user=cast.user(Role.GRID_WORKER), place=cast.place("G1b")).count() == 1


def test_official_updates_work_phone_and_duties(api_as, cast):
    membership = membership_of(cast.user(Role.GRID_WORKER), Role.GRID_WORKER)
    response = api_as(Role.COMMUNITY_OFFICIAL).patch(
        detail(membership), {"work_phone": "13812345678", "duties": "巡查 1-3 号楼", "version": 1}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["work_phone"], response.json()["duties"], response.json()["version"]) == (
        "13812345678", "巡查 1-3 号楼", 2)


def test_invalid_work_phone_is_refused_in_chinese(api_as, cast):
    membership = membership_of(cast.user(Role.GRID_WORKER), Role.GRID_WORKER)
    response = api_as(Role.COMMUNITY_OFFICIAL).patch(detail(membership), {"work_phone": "12345"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"work_phone": ["请输入 11 位手机号码或固定电话（如 0374-1234567）。"]}


def test_stale_membership_version_is_a_conflict(api_as, cast):
    membership = membership_of(cast.user(Role.GRID_WORKER), Role.GRID_WORKER)
    client = api_as(Role.COMMUNITY_OFFICIAL)
    assert client.patch(detail(membership), {"duties": "甲"}, format="json", HTTP_IF_MATCH='"1"').status_code == 200
    response = client.patch(detail(membership), {"duties": "乙"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 409
    assert response.json()["detail"] == "此记录已被他人修改，请刷新页面后再提交。"


def test_delete_ends_a_membership(api_as, cast):
    membership = membership_of(cast.user(Role.GRID_WORKER), Role.GRID_WORKER)
    response = api_as(Role.COMMUNITY_OFFICIAL).delete(detail(membership))
    assert response.status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()
    # The person no longer serves there, so the grid head no longer sees them.
    worker_url = reverse("api:person-detail", args=[cast.user(Role.GRID_WORKER).pk])
    assert api_as(Role.GRID_HEAD).get(worker_url).status_code == 404


def test_grid_head_sees_but_cannot_end_or_edit_memberships(api_as, cast):
    membership = membership_of(cast.user(Role.GRID_WORKER), Role.GRID_WORKER)
    client = api_as(Role.GRID_HEAD)
    assert client.get(detail(membership)).status_code == 200
    assert client.delete(detail(membership)).status_code == 403
    assert client.patch(detail(membership), {"duties": "x"}, format="json").status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_membership_elsewhere_looks_missing(api_as, cast):
    other = membership_of(User.objects.get(username="worker_G1b"), Role.GRID_WORKER)
    client = api_as(Role.GRID_HEAD)
    assert client.get(detail(other)).status_code == 404
    assert client.delete(detail(other)).status_code == 404


def test_a_new_account_serving_nowhere_can_be_appointed(api_as, cast):
    newcomer = User.objects.create_user(username="newcomer", real_name="新同志")
    response = api_as(Role.COMMUNITY_OFFICIAL).post(
        LIST, {"user": newcomer.pk, "role": "grid_worker", "place": cast.place("G1").code}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["user_name"] == "新同志"
