"""The staff pages of the loop: workbenches, the case page and its steps, entry, one tap from the ledger,
notifications — as the people who use them see them."""

import uuid

import pytest
from django.urls import reverse

from cases import services
from cases.models import Case, CaseEvent, Notification, Source, Status
from ledger import services as ledger_services
from ledger.models import FindingCategory

from .conftest import key


def report(cast, categories, n=1, **extra):
    return [services.case_create(actor=cast.user("grid_worker"), source=Source.PATROL, grid=cast.place("G1"),
                                 category=categories["city"], description=f"问题{i}", key=key(), **extra)
            for i in range(n)][-1]


def act(case, user, action, **extra):
    return services.case_act(actor=user, case=case, action=action, version=case.version, key=key(), **extra)


def test_the_command_center_sees_its_queues_with_counts(client, cast, categories):
    case = report(cast, categories)
    client.force_login(cast.user("command_center"))
    page = client.get(reverse("cases:center")).content.decode()
    assert case.reference in page and "待受理" in page


def test_the_command_center_lands_on_its_workbench_and_departments_on_theirs(client, cast):
    client.force_login(cast.user("command_center"))
    assert client.get(reverse("home"))["Location"] == reverse("cases:center")
    client.force_login(cast.user("department_staff"))
    assert client.get(reverse("home"))["Location"] == reverse("cases:department")


@pytest.mark.parametrize("role", ["department_staff", "grid_worker", "street_official"])
def test_only_the_command_center_opens_its_workbench(client, cast, role):
    client.force_login(cast.user(role))
    assert client.get(reverse("cases:center")).status_code == 403


@pytest.mark.parametrize("size", [1, 8])
def test_workbench_and_case_page_cost_the_same_queries_whatever_the_volume(client, cast, categories, size,
                                                                          django_assert_num_queries):
    center = cast.user("command_center")
    case = report(cast, categories, n=size)
    for c in Case.objects.all():
        act(c, center, "accept")
    case.refresh_from_db()
    act(case, center, "dispatch")
    act(case, cast.user("department_staff"), "sign")
    client.force_login(center)
    # session, user, grants, counts, page; + the official calendar's end for the banner (cached for an hour after);
    # + the departments of the batch-dispatch bar, shown when the queue has rows
    with django_assert_num_queries(7 if size > 1 else 6):
        assert client.get(reverse("cases:center") + "?queue=dispatch").status_code == 200
    with django_assert_num_queries(8):  # + case, its community and street, events, their photos, duplicates
        assert client.get(reverse("cases:detail", args=[case.reference])).status_code == 200
    client.force_login(cast.user("department_staff"))
    with django_assert_num_queries(5):
        assert client.get(reverse("cases:department") + "?queue=handling").status_code == 200
    with django_assert_num_queries(5):  # + the categories of the filter
        assert client.get(reverse("cases:list")).status_code == 200


def test_a_department_sees_only_its_cases(client, cast, categories, other_department_staff):
    center = cast.user("command_center")
    case = report(cast, categories)
    act(case, center, "accept")
    act(case, center, "dispatch")
    client.force_login(other_department_staff)
    assert case.reference not in client.get(reverse("cases:department")).content.decode()
    assert client.get(reverse("cases:detail", args=[case.reference])).status_code == 404
    client.force_login(cast.user("department_staff"))
    assert case.reference in client.get(reverse("cases:department")).content.decode()


def test_the_case_page_offers_only_the_steps_of_the_users_role(client, cast, categories):
    case = report(cast, categories)
    client.force_login(cast.user("command_center"))
    page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert 'data-step="accept"' in page and 'data-step="cancel"' in page and 'data-step="sign"' not in page
    client.force_login(cast.user("grid_worker"))
    page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert 'data-step=' not in page


def test_dispatch_through_the_page_then_a_stale_form_is_told_to_reload(client, cast, categories):
    center = cast.user("command_center")
    case = report(cast, categories)
    act(case, center, "accept")
    client.force_login(center)
    url = reverse("cases:act", args=[case.reference, "dispatch"])
    stale = {"version": case.version, "key": str(uuid.uuid4()), "note": ""}
    response = client.post(url, stale)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    response = client.post(reverse("cases:act", args=[case.reference, "supervise"]),
                           {**stale, "key": str(uuid.uuid4())})
    assert response.status_code == 409
    assert "刷新页面" in response.content.decode()
    assert not case.events.filter(action="supervise").exists()


def test_a_step_missing_its_reason_is_refused_and_keeps_the_form(client, cast, categories):
    center = cast.user("command_center")
    case = report(cast, categories)
    client.force_login(center)
    response = client.post(reverse("cases:act", args=[case.reference, "cancel"]),
                           {"version": case.version, "key": str(uuid.uuid4()), "note": ""})
    assert response.status_code == 400
    assert "请填写注销原因" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.REPORTED


def test_a_step_by_the_wrong_role_is_refused(client, cast, categories):
    case = report(cast, categories)
    client.force_login(cast.user("grid_worker"))
    response = client.post(reverse("cases:act", args=[case.reference, "accept"]),
                           {"version": case.version, "key": str(uuid.uuid4())})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == Status.REPORTED


def test_a_grid_worker_reports_from_the_phone_form_once_even_when_sent_twice(client, cast, categories):
    client.force_login(cast.user("grid_worker"))
    data = {"key": str(uuid.uuid4()), "source": "patrol", "grid": cast.place("G1").pk,
            "category": categories["city"].pk, "description": "井盖缺失", "level": "center"}
    first = client.post(reverse("cases:new"), data)
    second = client.post(reverse("cases:new"), data)
    assert first.status_code == second.status_code == 302
    assert Case.objects.filter(description="井盖缺失").count() == 1


def test_settled_in_the_building_is_recorded_as_self_handled(client, cast, categories):
    client.force_login(cast.user("grid_worker"))
    client.post(reverse("cases:new"), {
        "key": str(uuid.uuid4()), "source": "patrol", "grid": cast.place("G1").pk, "category": categories["city"].pk,
        "description": "楼道灯不亮", "level": "building", "settled_result": "已联系物业更换"})
    case = Case.objects.get(description="楼道灯不亮")
    assert case.status == Status.SELF_HANDLED and case.level == "building"
    assert list(case.events.values_list("action", flat=True)) == ["create", "settle"]


def test_a_grid_worker_cannot_report_into_another_grid(client, cast, categories):
    client.force_login(cast.user("grid_worker"))
    response = client.post(reverse("cases:new"), {
        "key": str(uuid.uuid4()), "source": "patrol", "grid": cast.place("G3").pk,
        "category": categories["city"].pk, "description": "别处的问题", "level": "center"})
    assert response.status_code == 400 and "只能在您负责的网格内登记事件" in response.content.decode()
    assert not Case.objects.exists()


def _open_finding(cast):
    worker = cast.user("grid_worker")
    patrol = ledger_services.patrol_start(actor=worker, grid=cast.place("G1"), client_id=uuid.uuid4())
    return ledger_services.visit_record(
        actor=worker, patrol=patrol, client_id=uuid.uuid4(), visit_type="household",
        category=FindingCategory.objects.filter(active=True).first(), finding="楼顶违建", settled=False)


def test_one_tap_in_the_ledger_turns_an_open_finding_into_a_case(client, cast, categories):
    visit = _open_finding(cast)
    client.force_login(cast.user("grid_worker"))
    ledger = client.get(reverse("ledger:list")).content.decode()
    assert reverse("cases:from_visit", args=[visit.pk]) in ledger
    response = client.post(reverse("cases:from_visit", args=[visit.pk]))
    case = Case.objects.get(visit=visit)
    assert response["Location"] == reverse("cases:detail", args=[case.reference])
    assert case.status == Status.REPORTED and "楼顶违建" in case.description
    client.post(reverse("cases:from_visit", args=[visit.pk]))
    assert Case.objects.filter(visit=visit).count() == 1
    visit.refresh_from_db()
    assert visit.escalated_at is not None
    assert "已转事件" in client.get(reverse("ledger:list")).content.decode()


def test_notifications_reach_the_department_and_can_be_read(client, cast, categories, django_capture_on_commit_callbacks):
    center, dept = cast.user("command_center"), cast.user("department_staff")
    with django_capture_on_commit_callbacks(execute=True):
        case = report(cast, categories)
        act(case, center, "accept")
        act(case, center, "dispatch")
    client.force_login(dept)
    assert ">1<" in client.get(reverse("notifications:badge")).content.decode()
    page = client.get(reverse("notifications:list")).content.decode()
    assert case.reference in page
    client.post(reverse("notifications:read"))
    assert not Notification.objects.filter(user=dept, read_at__isnull=True).exists()
    assert CaseEvent.objects.filter(case=case).count() == 3
