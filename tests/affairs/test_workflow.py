"""Handling an application: the step table's order, 一次性告知, decisions that must say why, the clock."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from affairs import services
from affairs.models import ApplicationStep, ResultKind, Status
from grids.models import Role
from tests.affairs.conftest import key, materials, submit, upload

pytestmark = pytest.mark.django_db


def act(cast, application, action, role=Role.COMMUNITY_OFFICIAL, **inputs):
    return services.application_act(actor=cast.user(role), application=application, action=action,
                                    version=application.version, key=key(), **inputs)


def test_the_whole_loop_records_every_step_and_starts_the_clock_at_acceptance(cast, item):
    application, _token = submit(item)
    act(cast, application, "receive")
    act(cast, application, "accept")
    assert application.accepted_at and application.due_at > application.accepted_at
    act(cast, application, "process")
    act(cast, application, "approve", result_kind=ResultKind.COLLECT, result="请于工作日到社区服务站领取")
    act(cast, application, "close")
    assert application.status == Status.CLOSED
    assert list(application.steps.values_list("action", flat=True)) == [
        "submit", "receive", "accept", "process", "approve", "close"]


def test_a_step_out_of_order_is_refused_and_changes_nothing(cast, item):
    application, _token = submit(item)
    with pytest.raises(ValidationError, match="不能进行"):
        act(cast, application, "approve", result_kind=ResultKind.COLLECT, result="x")
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED and application.steps.count() == 1


def test_a_refusal_without_reason_or_basis_is_refused(cast, item):
    application, _token = submit(item)
    act(cast, application, "receive")
    with pytest.raises(ValidationError) as error:
        act(cast, application, "refuse", reason="不符合条件")
    assert "basis" in error.value.message_dict
    act(cast, application, "refuse", reason="不在本社区居住", basis="《居住证暂行条例》第二条")
    assert application.status == Status.REFUSED


def test_an_approval_needs_a_result(cast, item):
    application, _token = submit(item)
    for action in ("receive", "accept", "process"):
        act(cast, application, action)
    with pytest.raises(ValidationError) as error:
        act(cast, application, "approve")
    assert set(error.value.message_dict) == {"result_kind", "result"}


def test_only_the_handling_unit_handles_the_levels_above_read(cast, item):
    application, _token = submit(item)
    with pytest.raises(PermissionDenied):
        act(cast, application, "receive", role=Role.STREET_OFFICIAL)
    with pytest.raises(PermissionDenied):
        act(cast, application, "receive", role=Role.GRID_WORKER)


def test_one_request_names_every_missing_material_and_a_second_for_the_same_is_refused(cast, item):
    id_card, lease, other = materials(item)
    application, _token = submit(item)
    act(cast, application, "receive")
    act(cast, application, "request_materials", materials=[id_card.pk, lease.pk], note="身份证模糊，合同缺签字页")
    services.application_resubmit(token=_token, files={id_card.pk: upload(), lease.pk: upload()})
    application.refresh_from_db()
    assert application.status == Status.RESUBMITTED
    # The ID card was named already: asking for it again is a second round the first request should have avoided.
    with pytest.raises(ValidationError, match="一次性告知"):
        act(cast, application, "request_materials", materials=[id_card.pk])
    # The optional material was never uploaded after the request: the first request could have named it.
    with pytest.raises(ValidationError, match="其他说明"):
        act(cast, application, "request_materials", materials=[other.pk])
    application.refresh_from_db()
    assert application.material_requests == 1 and application.status == Status.RESUBMITTED


def test_a_second_request_only_for_a_newly_added_material_is_allowed_and_flagged(cast, item):
    id_card, lease, other = materials(item)
    application, token = submit(item)
    act(cast, application, "receive")
    act(cast, application, "request_materials", materials=[lease.pk])
    # The applicant also adds the optional material, which turns out wrong.
    services.application_resubmit(token=token, files={lease.pk: upload(), other.pk: upload()})
    application.refresh_from_db()
    step = act(cast, application, "request_materials", materials=[other.pk])
    assert step.flagged and application.material_requests == 2


def test_a_request_for_materials_must_name_some(cast, item):
    application, _token = submit(item)
    act(cast, application, "receive")
    with pytest.raises(ValidationError) as error:
        act(cast, application, "request_materials", materials=[])
    assert "materials" in error.value.message_dict


def test_a_resubmission_must_bring_every_requested_material_and_keeps_the_old_files(cast, item):
    id_card, lease, _other = materials(item)
    application, token = submit(item)
    act(cast, application, "receive")
    act(cast, application, "request_materials", materials=[id_card.pk, lease.pk])
    with pytest.raises(ValidationError):
        services.application_resubmit(token=token, files={id_card.pk: upload()})
    services.application_resubmit(token=token, files={id_card.pk: upload(), lease.pk: upload()})
    assert application.materials.filter(requirement=id_card).count() == 2
    assert application.materials.filter(requirement=id_card, replaced_at__isnull=True).count() == 1


def test_a_transfer_moves_the_application_to_the_other_unit(cast, item):
    application, _token = submit(item)
    for action in ("receive", "accept"):
        act(cast, application, action)
    department = cast.departments["chengguan@D"]
    with pytest.raises(ValidationError):
        act(cast, application, "transfer", unit=department)  # no reason given
    act(cast, application, "transfer", unit=department, note="属城管部门职责")
    assert application.department == department and application.status == Status.PROCESSING
    with pytest.raises(PermissionDenied):
        act(cast, application, "process", role=Role.COMMUNITY_OFFICIAL)
    act(cast, application, "refuse", role=Role.DEPARTMENT_STAFF, reason="不符合条件", basis="相关规定")


def test_steps_cannot_be_edited(cast, item):
    application, _token = submit(item)
    step = ApplicationStep.objects.get(application=application)
    step.note = "改写"
    with pytest.raises(ValidationError):
        step.save()


def test_a_step_read_at_an_old_version_is_refused(cast, item):
    from wudu.errors import Conflict

    application, _token = submit(item)
    stale = application.version
    act(cast, application, "receive")
    with pytest.raises(Conflict):
        services.application_act(actor=cast.user(Role.COMMUNITY_OFFICIAL), application=application, action="accept",
                                 version=stale, key=key())


def test_a_retried_step_with_the_same_key_is_taken_once(cast, item):
    application, _token = submit(item)
    k, version = key(), application.version
    first = services.application_act(actor=cast.user(Role.COMMUNITY_OFFICIAL), application=application,
                                      action="receive", version=version, key=k)
    again = services.application_act(actor=cast.user(Role.COMMUNITY_OFFICIAL), application=application,
                                      action="receive", version=version, key=k)
    assert first.pk == again.pk and application.steps.count() == 2


def test_the_applicant_gets_the_tracking_link_and_hears_of_requests_and_decisions(cast, item, django_capture_on_commit_callbacks):
    from cases import notify

    with django_capture_on_commit_callbacks(execute=True):
        application, token = submit(item)
    assert any(token in text and application.reference in text for _to, text in notify.OUTBOX)
    with django_capture_on_commit_callbacks(execute=True):
        act(cast, application, "receive")
        act(cast, application, "request_materials", materials=[materials(item)[0].pk])
    assert "需补正材料" in notify.OUTBOX[-1][1] and notify.OUTBOX[-1][0] == "13900001111"
