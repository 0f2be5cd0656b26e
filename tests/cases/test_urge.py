"""催办: the command center reminds the department of a case in its hands, as often as needed. Added by following
the "add a case step" recipe of docs/architecture.md (a transition, a row of workflow.STEPS, a typed entry point)."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases import public_selectors, services
from cases.models import Case, Notification, Source, Status

from .conftest import key


def dispatched(cast, categories) -> Case:
    center = cast.user("command_center")
    case = services.case_create(actor=center, source=Source.HOTLINE, grid=cast.place("G1"),
                                category=categories["city"], description="路灯不亮", key=key())
    return services.case_dispatch(actor=center, case=case, version=case.version)


def test_each_urge_reaches_the_department_and_leaves_the_case_where_it_was(cast, categories,
                                                                           django_capture_on_commit_callbacks):
    center, dept = cast.user("command_center"), cast.user("department_staff")
    case = dispatched(cast, categories)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_urge(actor=center, case=case, version=case.version, note="群众再次来电")
        services.case_sign(actor=dept, case=case, version=case.version)
        services.case_urge(actor=center, case=case, version=case.version, note="今天务必处理")
    assert case.status == Status.HANDLING
    assert Notification.objects.filter(user=dept, case=case, kind="urge").count() == 2
    assert list(case.events.filter(action="urge").values_list("note", "actor_role")) == [
        ("群众再次来电", "command_center"), ("今天务必处理", "command_center")]


def test_only_the_command_center_urges_and_only_a_case_in_a_departments_hands(cast, categories):
    case = dispatched(cast, categories)
    with pytest.raises(PermissionDenied):
        services.case_urge(actor=cast.user("grid_worker"), case=case, version=case.version)
    filed = services.case_create(actor=cast.user("command_center"), source=Source.HOTLINE, grid=cast.place("G1"),
                                 category=categories["city"], description="井盖缺失", key=key())
    with pytest.raises(ValidationError, match="不能执行“催办”"):
        services.case_urge(actor=cast.user("command_center"), case=filed, version=filed.version)
    assert not filed.events.filter(action="urge").exists()


def test_the_case_page_offers_urge_and_the_resident_never_reads_its_note(client, cast, categories):
    case = dispatched(cast, categories)
    client.force_login(cast.user("command_center"))
    page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert 'data-step="urge"' in page
    response = client.post(reverse("cases:act", args=[case.reference, "urge"]),
                           {"version": case.version, "key": str(uuid.uuid4()), "note": "部门内部意见"})
    assert response.status_code == 302
    page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert "催办" in page and "部门内部意见" in page
    tracking = public_selectors.tracking(case.tracking_token)
    assert "部门内部意见" not in str(tracking)
