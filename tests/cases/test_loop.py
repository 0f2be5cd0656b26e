"""The closed loop through the services, as the people in it would live it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases import services
from cases.models import Alert, CaseEvent, Notification, Source, Status
from wudu.errors import Conflict

from .conftest import key


def report(cast, categories, **extra):
    return services.case_create(
        actor=cast.user("grid_worker"), source=Source.PATROL, grid=cast.place("G1"), category=categories["city"],
        description="楼道堆放杂物，堵塞消防通道", key=key(), **extra)


def act(case, user, action, **extra):
    return services.case_act(actor=user, case=case, action=action, version=case.version, key=key(), **extra)


def test_a_reported_case_goes_round_the_loop_and_every_step_is_an_event(cast, categories, django_capture_on_commit_callbacks):
    center, dept, worker = cast.user("command_center"), cast.user("department_staff"), cast.user("grid_worker")
    with django_capture_on_commit_callbacks(execute=True):
        case = report(cast, categories)
        assert case.status == Status.REPORTED and len(case.reference) == 13
        act(case, center, "accept")
        act(case, center, "dispatch")
        assert case.department == cast.departments["chengguan@D"] and case.deadline > case.dispatched_at
        act(case, dept, "send_back", note="不属于本部门职责")
        assert case.status == Status.RETURNED and case.returns == 1
        act(case, center, "dispatch")
        act(case, dept, "sign")
        act(case, dept, "feed_back", note="已清理")
        act(case, worker, "verify", note="现场已清理干净")
        assert case.status == Status.CLOSED
        act(case, None, "evaluate", token=case.tracking_token, evaluation="satisfied")
    assert case.evaluation == "satisfied"
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions == ["create", "accept", "dispatch", "send_back", "dispatch", "sign", "feed_back", "verify", "evaluate"]
    # the department heard of both dispatches, the command center of the report and the return
    assert Notification.objects.filter(user=dept, case=case, kind="dispatch").count() == 2
    assert Notification.objects.filter(user=center, case=case, kind="send_back").exists()


def test_department_staff_cannot_dispatch_and_nothing_changes(cast, categories):
    case = report(cast, categories)
    with pytest.raises(PermissionDenied):
        act(case, cast.user("department_staff"), "accept")
    case.refresh_from_db()
    assert case.status == Status.REPORTED and case.events.count() == 1


def test_a_step_out_of_order_is_refused_with_the_state_named(cast, categories):
    case = report(cast, categories)
    with pytest.raises(ValidationError, match="待受理"):
        act(case, cast.user("command_center"), "dispatch")


def test_a_stale_version_gets_conflict(cast, categories):
    center = cast.user("command_center")
    case = report(cast, categories)
    stale = case.version
    act(case, center, "accept")
    with pytest.raises(Conflict):
        services.case_act(actor=center, case=case, action="cancel", version=stale, note="重复", key=key())


def test_a_retried_step_returns_the_first_result(cast, categories):
    center = cast.user("command_center")
    case = report(cast, categories)
    k, version = key(), case.version
    services.case_act(actor=center, case=case, action="accept", version=version, key=k)
    services.case_act(actor=center, case=case, action="accept", version=version, key=k)
    assert case.events.filter(action="accept").count() == 1


def test_a_deadline_in_the_past_is_refused(cast, categories):
    center = cast.user("command_center")
    case = report(cast, categories)
    act(case, center, "accept")
    with pytest.raises(ValidationError, match="不能早于现在"):
        act(case, center, "dispatch", deadline=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))


def test_another_department_cannot_act_on_a_case_dispatched_elsewhere(cast, categories, other_department_staff):
    center = cast.user("command_center")
    case = report(cast, categories)
    act(case, center, "accept")
    act(case, center, "dispatch")
    with pytest.raises(PermissionDenied):
        act(case, other_department_staff, "sign")


def test_the_evaluation_needs_the_tracking_token_and_happens_once(cast, categories):
    center, dept = cast.user("command_center"), cast.user("department_staff")
    case = report(cast, categories)
    for user, action, note in ((center, "accept", ""), (center, "dispatch", ""), (dept, "sign", ""),
                               (dept, "feed_back", "已处理"), (center, "verify", "")):
        act(case, user, action, note=note)
    with pytest.raises(PermissionDenied):
        act(case, None, "evaluate", token="guessed", evaluation="satisfied")
    act(case, None, "evaluate", token=case.tracking_token, evaluation="basic")
    with pytest.raises(ValidationError):
        act(case, None, "evaluate", token=case.tracking_token, evaluation="unsatisfied")
    case.refresh_from_db()
    assert case.evaluation == "basic"


def test_an_unsatisfied_petition_reopens(cast, categories):
    center, dept = cast.user("command_center"), cast.user("department_staff")
    case = services.case_create(actor=center, source=Source.HOTLINE, grid=cast.place("G1"), kind="petition",
                                category=categories["city"], description="多次反映噪声扰民", key=key(),
                                resident_mobile="13812345678")
    assert case.status == Status.FILED
    for user, action, note in ((center, "dispatch", ""), (dept, "sign", ""), (dept, "feed_back", "已处理"),
                               (center, "verify", "")):
        act(case, user, action, note=note)
    assert case.status == Status.AWAITING_EVALUATION
    act(case, None, "evaluate", token=case.tracking_token, evaluation="unsatisfied")
    assert case.status == Status.FILED and case.deadline is None and not case.evaluation


def test_the_timer_marks_due_soon_then_overdue_once(cast, categories):
    center = cast.user("command_center")
    case = report(cast, categories)
    act(case, center, "accept")
    act(case, center, "dispatch", deadline=case.created_at + datetime.timedelta(hours=10))
    case.refresh_from_db()
    assert services.case_timers_run(now=case.dispatched_at + datetime.timedelta(hours=1)) == {"overdue": 0, "due_soon": 0}
    soon = case.dispatched_at + (case.deadline - case.dispatched_at) * 0.85
    assert services.case_timers_run(now=soon) == {"overdue": 0, "due_soon": 1}
    assert services.case_timers_run(now=soon) == {"overdue": 0, "due_soon": 0}
    late = case.deadline + datetime.timedelta(minutes=1)
    assert services.case_timers_run(now=late) == {"overdue": 1, "due_soon": 0}
    case.refresh_from_db()
    assert case.alert == Alert.OVERDUE
    assert Notification.objects.filter(user=cast.user("department_staff"), kind="overdue").count() == 1
    assert Notification.objects.filter(user=center, kind="overdue").count() == 1


def test_supervision_flags_the_case_and_keeps_its_state(cast, categories):
    center = cast.user("command_center")
    case = report(cast, categories)
    act(case, center, "accept")
    act(case, center, "supervise", note="群众反映强烈")
    assert case.status == Status.FILED and case.supervised
    act(case, center, "dispatch")
    assert case.status == Status.DISPATCHED and case.supervised
    with pytest.raises(ValidationError):
        act(case, center, "supervise")
