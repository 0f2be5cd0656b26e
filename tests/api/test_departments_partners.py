import uuid

from django.urls import reverse

from grids import services
from grids.models import Department, Membership, OutpostPartner, Role, User

DEPARTMENTS = reverse("api:department-list")
PARTNERS = reverse("api:partner-list")
LIST_MEMBERSHIPS = reverse("api:membership-list")


def department_url(department) -> str:
    return reverse("api:department-detail", args=[department.pk])


def partner_url(partner) -> str:
    return reverse("api:partner-detail", args=[partner.pk])


# ---------------------------------------------------------------------------------------------- departments


def test_every_role_of_the_district_reads_its_departments(api_as, cast):
    response = api_as(Role.GRID_WORKER).get(DEPARTMENTS)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {(row["district"], row["name"]) for row in rows} == {(cast.place("D").code, "城市管理"),
                                                              (cast.place("D").code, "生态环境")}
    assert set(rows[0]) == {"id", "district", "name", "short_code", "phone", "duties", "version"}


def test_department_filter_by_district(api_as, cast):
    client = api_as(cast.admin)
    rows = client.get(DEPARTMENTS, {"district": cast.place("D2").code}).json()["results"]
    assert {row["district"] for row in rows} == {cast.place("D2").code} and len(rows) == 2


def test_department_of_another_district_looks_missing(api_as, cast):
    other = cast.departments["chengguan@D2"]
    assert api_as(Role.DISTRICT_OFFICIAL).get(department_url(other)).status_code == 404


def test_district_official_creates_and_edits_department(api_as, cast):
    client = api_as(Role.DISTRICT_OFFICIAL)
    response = client.post(
        DEPARTMENTS,
        {"district": cast.place("D").code, "name": "住房保障", "short_code": "zhufang", "phone": "0374-5551234"},
        format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 201, response.json()
    department = Department.objects.get(pk=response.json()["id"])
    assert (department.district, department.short_code) == (cast.place("D"), "zhufang")
    response = client.patch(department_url(department), {"duties": "保障性住房", "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["duties"] == "保障性住房"


def test_department_phone_is_checked_in_chinese(api_as, cast):
    response = api_as(Role.DISTRICT_OFFICIAL).patch(
        department_url(cast.departments["chengguan@D"]), {"phone": "5551234"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"phone": ["请输入 11 位手机号码或固定电话（如 0374-1234567）。"]}


def test_department_only_at_district_level(api_as, cast):
    response = api_as(Role.DISTRICT_OFFICIAL).post(
        DEPARTMENTS, {"district": cast.place("S1").code, "name": "街道城管", "short_code": "jd"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"district": ["部门只能设在区级。"]}


def test_command_center_reads_but_cannot_edit_departments(api_as, cast):
    client = api_as(Role.COMMAND_CENTER)
    url = department_url(cast.departments["chengguan@D"])
    assert client.get(url).status_code == 200
    assert client.patch(url, {"name": "城管局"}, format="json").status_code == 403
    response = client.post(DEPARTMENTS, {"district": cast.place("D").code, "name": "x", "short_code": "x"},
                           format="json")
    assert response.status_code == 403


def test_department_staff_appointment_names_a_visible_department(api_as, cast):
    person = User.objects.create_user(username="new_staff")
    client = api_as(Role.DISTRICT_OFFICIAL)
    payload = {"user": person.pk, "role": "department_staff", "place": cast.place("D").code}
    # Officials appoint below their own level: at the district, only the administrator does.
    assert client.post(LIST_MEMBERSHIPS, {**payload, "department": cast.departments["huanbao@D"].pk},
                       format="json").status_code == 403
    admin = api_as(cast.admin)
    response = admin.post(LIST_MEMBERSHIPS, {**payload, "department": cast.departments["huanbao@D"].pk},
                          format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["department_name"] == "生态环境"
    assert Membership.objects.get(user=person).department == cast.departments["huanbao@D"]
    # A department of another district is as good as missing.
    other = client.post(LIST_MEMBERSHIPS, {"user": cast.user(Role.DEPARTMENT_STAFF).pk, "role": "department_staff",
                                           "place": cast.place("D").code,
                                           "department": cast.departments["huanbao@D2"].pk}, format="json")
    assert other.json() == {"department": ["部门不存在或无权访问。"]}
    missing = admin.post(LIST_MEMBERSHIPS, {**payload, "user": cast.user(Role.DEPARTMENT_STAFF).pk}, format="json")
    assert missing.json() == {"department": ["部门工作人员必须指定所属部门。"]}


# ---------------------------------------------------------------------------------------------- partners


def test_grid_head_registers_outpost_partner(api_as, cast):
    response = api_as(Role.GRID_HEAD).post(
        PARTNERS,
        {"grid": cast.place("G1").code, "kind": "building_head", "name": "3号楼楼栋长", "contact_name": "王师傅",
         "phone": "13912345678"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["grid"], body["grid_name"], body["kind_label"], body["version"]) == (
        cast.place("G1").code, "第1网格", "楼栋长", 1)


def test_partner_filters(api_as, cast):
    services.partner_create(actor=cast.admin, grid=cast.place("G1"), kind="building_head", name="1号楼楼栋长")
    client = api_as(Role.STREET_OFFICIAL)

    def names(**params):
        return {row["name"] for row in client.get(PARTNERS, params).json()["results"]}

    assert names(grid=cast.place("G1").code) == {"G1物业公司", "1号楼楼栋长"}
    assert names(grid=cast.place("G1").code, kind="building_head") == {"1号楼楼栋长"}
    assert names(under=cast.place("C1").code) == {"G1物业公司", "1号楼楼栋长", "G1b物业公司"}
    assert names(kind="property_company") == {"G1物业公司", "G1b物业公司", "G2物业公司"}


def test_partner_only_on_a_grid(api_as, cast):
    response = api_as(Role.STREET_OFFICIAL).post(
        PARTNERS, {"grid": cast.place("C1").code, "kind": "resident_unit", "name": "区医院"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"grid": ["网格前哨只能登记在网格下。"]}


def test_partner_unknown_kind_is_refused(api_as, cast):
    response = api_as(Role.GRID_HEAD).post(
        PARTNERS, {"grid": cast.place("G1").code, "kind": "shop", "name": "小卖部"}, format="json"
    )
    assert response.status_code == 400 and set(response.json()) == {"kind"}


def test_grid_head_edits_partner_and_stale_edit_conflicts(api_as, cast):
    partner = OutpostPartner.objects.get(grid=cast.place("G1"))
    client = api_as(Role.GRID_HEAD)
    response = client.patch(partner_url(partner), {"contact_name": "李经理", "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 2
    assert client.patch(partner_url(partner), {"name": "x", "version": 1}, format="json").status_code == 409


def test_grid_worker_reads_but_cannot_edit_partner(api_as, cast):
    partner = OutpostPartner.objects.get(grid=cast.place("G1"))
    client = api_as(Role.GRID_WORKER)
    assert client.get(partner_url(partner)).status_code == 200
    assert client.patch(partner_url(partner), {"name": "x"}, format="json").status_code == 403
    response = client.post(PARTNERS, {"grid": cast.place("G1").code, "kind": "building_head", "name": "x"},
                           format="json")
    assert response.status_code == 403


def test_partner_of_sibling_grid_looks_missing(api_as, cast):
    partner = OutpostPartner.objects.get(grid=cast.place("G1b"))
    client = api_as(Role.GRID_HEAD)
    assert client.get(partner_url(partner)).status_code == 404
    assert client.patch(partner_url(partner), {"name": "x"}, format="json").status_code == 404
    response = client.post(PARTNERS, {"grid": cast.place("G1b").code, "kind": "building_head", "name": "x"},
                           format="json")
    assert response.json() == {"grid": ["地点不存在或无权访问。"]}
