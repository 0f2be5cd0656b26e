"""Each create and each step is checked against the one grant that allows it, and the event names that grant's
role — for people who hold several roles too. And the sources a user may enter are one decision
(`workflow.entry_sources`), shared by the page, the API and the service."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.test import APIClient

from cases import services
from cases.models import Case, Source, Status
from grids import services as grid_services
from grids.models import Role
from tests.cast import PASSWORD

from .conftest import key


def appoint(cast, username, *grants):
    """A person holding each (role, place key) of `grants`."""
    user = None
    for role, place in grants:
        if user is None:
            user = grid_services.person_appoint(actor=cast.admin, place=cast.place(place), role=role,
                                                username=username, real_name=username, mobile="13900000200",
                                                password=PASSWORD).user
        else:
            grid_services.membership_create(actor=cast.admin, user=user, role=role, place=cast.place(place))
    return type(user).objects.get(pk=user.pk)


def create(actor, source, grid, category, **extra):
    return services.case_create(actor=actor, source=source, grid=grid, category=category, description="路灯不亮",
                                key=key(), **extra)


def test_grid_worker_who_is_street_official_elsewhere_cannot_file_an_assigned_case_into_own_grid(cast, categories):
    """The defect: "may create at this grid with any role" and "holds an assigning role anywhere" made an
    assignment (which skips the command center's acceptance) out of a grid worker's report."""
    person = appoint(cast, "worker_street", (Role.GRID_WORKER, "G1"), (Role.STREET_OFFICIAL, "S2"))
    with pytest.raises(PermissionDenied):
        create(person, Source.ASSIGNED, cast.place("G1"), categories["city"])
    assert not Case.objects.exists()
    report = create(person, Source.PATROL, cast.place("G1"), categories["city"])
    assert report.status == Status.REPORTED
    assert report.events.get().actor_role == Role.GRID_WORKER


def test_an_assignment_records_the_role_of_the_grant_that_allows_it(cast, categories):
    person = appoint(cast, "worker_official", (Role.GRID_WORKER, "G1"), (Role.COMMUNITY_OFFICIAL, "C2"))
    case = create(person, Source.ASSIGNED, cast.place("G2"), categories["city"])
    assert case.status == Status.FILED
    assert case.events.get().actor_role == Role.COMMUNITY_OFFICIAL
    with pytest.raises(PermissionDenied):  # their grid worker's grant does not reach another grid's reports
        create(person, Source.PATROL, cast.place("G2"), categories["city"])


def test_a_report_settled_on_the_spot_records_the_grid_role_for_both_events(cast, categories):
    person = appoint(cast, "head_official", (Role.COMMUNITY_OFFICIAL, "C1"), (Role.GRID_HEAD, "G1"))
    case = create(person, Source.PATROL, cast.place("G1"), categories["city"], level="grid",
                  settled_result="已清理")
    assert [e.actor_role for e in case.events.order_by("id")] == [Role.GRID_HEAD, Role.GRID_HEAD]


def test_a_step_records_the_role_of_the_grant_that_reaches_the_case(cast, categories):
    """A grid worker of G1 (411002…) who is also on the command center of the other district (411003): their
    verification of a case in that district is the command center's, not the grid worker's."""
    from cases.services import case_category_create

    person = appoint(cast, "worker_center", (Role.GRID_WORKER, "G1"), (Role.COMMAND_CENTER, "D2"))
    category = case_category_create(actor=cast.admin, district=cast.place("D2"), code="east", name="东区类别",
                                    department=cast.departments["chengguan@D2"])
    case = create(person, Source.HOTLINE, cast.place("G4"), category)
    staff = grid_services.person_appoint(actor=cast.admin, place=cast.place("D2"), role=Role.DEPARTMENT_STAFF,
                                         username="east_staff", real_name="东区城管", mobile="13900000201",
                                         department=cast.departments["chengguan@D2"]).user
    for actor, action, extra in ((person, "dispatch", {}), (staff, "sign", {}),
                                 (staff, "feed_back", {"note": "已修复"}), (person, "verify", {})):
        case = services.case_act(actor=actor, case=case, action=action, version=case.version, key=key(), **extra)
    assert {e.action: e.actor_role for e in case.events.filter(actor=person)} == {
        "create": Role.COMMAND_CENTER, "dispatch": Role.COMMAND_CENTER, "verify": Role.COMMAND_CENTER}


# ---------------------------------------------------------------------------------------------- entry sources


def test_superuser_is_not_offered_case_entry_and_is_told_why(client, cast, categories):
    """A superuser got the /cases/new/ form, the service refused them, and the page ended on a bare 403. A system
    administrator enters no cases (no grant of theirs may: entry is the grid's, the command center's and the
    officials' work); the list does not offer the entry, and the entry page says why."""
    client.force_login(cast.admin)
    assert reverse("cases:new") not in client.get(reverse("cases:list")).content.decode()
    response = client.get(reverse("cases:new"))
    assert response.status_code == 403
    assert "您的角色不能登记事件" in response.content.decode()
    response = client.post(reverse("cases:new"), {"key": str(uuid.uuid4()), "source": "hotline",
                                                  "grid": cast.place("G1").pk, "category": categories["city"].pk,
                                                  "description": "井盖缺失"})
    assert response.status_code == 403 and not Case.objects.exists()


def test_superuser_api_entry_is_refused_with_the_reason(cast, categories):
    api = APIClient()
    api.force_authenticate(cast.admin)
    response = api.post(reverse("api:case-list"), {"grid": cast.place("G1").code, "category": categories["city"].pk,
                                                   "description": "井盖缺失"}, format="json")
    assert response.status_code == 403 and "登记" in response.json()["detail"]


def test_a_person_with_two_entry_roles_chooses_and_the_grid_decides_the_default(client, cast, categories):
    person = appoint(cast, "worker_official", (Role.GRID_WORKER, "G1"), (Role.COMMUNITY_OFFICIAL, "C2"))
    client.force_login(person)
    form = client.get(reverse("cases:new")).context["form"]
    assert [value for value, _label in form.fields["source"].choices] == [Source.PATROL, Source.ASSIGNED]
    # No source sent: the one their grant at the chosen grid allows (an assignment into 健康社区's grid).
    response = client.post(reverse("cases:new"), {"key": str(uuid.uuid4()), "grid": cast.place("G2").pk,
                                                  "category": categories["city"].pk, "description": "井盖缺失"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.source, case.status) == (Source.ASSIGNED, Status.FILED)
    # A source their grants do not allow at that grid is refused with the reason, not a bare 403.
    response = client.post(reverse("cases:new"), {"key": str(uuid.uuid4()), "source": "patrol",
                                                  "grid": cast.place("G2").pk, "category": categories["city"].pk,
                                                  "description": "井盖缺失", "level": "center"})
    assert response.status_code == 403 and "您不能在该网格登记这类事件" in response.content.decode()
