"""Evaluations are the resident's: given through the tracking link, or — for ordinary cases only — taken down by
the command center on a call back, marked as such with the person who called, never by the unit that handled the
case; satisfaction rates tell the two apart."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.measures import SATISFIED, by_callback, by_resident, verdicts
from cases.models import CaseEvent, EvaluationChannel, Source, Status
from grids import services as grid_services
from wudu.measures import Period

from .conftest import key


def _finished(cast, categories, *, kind="ordinary"):
    center, dept = cast.user("command_center"), cast.user("department_staff")
    case = services.case_create(actor=center, source=Source.HOTLINE, grid=cast.place("G1"), kind=kind,
                                category=categories["city"], description="噪声扰民", key=key(),
                                resident_mobile="13812345678")
    for user, action, note in ((center, "dispatch", ""), (dept, "sign", ""), (dept, "feed_back", "已处理"),
                               (center, "verify", "")):
        case = services.case_act(actor=user, case=case, action=action, version=case.version, key=key(), note=note)
    return case


def _evaluate(case, actor, evaluation="satisfied", **extra):
    return services.case_act(actor=actor, case=case, action="evaluate", version=case.version, key=key(),
                             evaluation=evaluation, **extra)


def test_a_call_back_is_marked_with_its_channel_and_caller(cast, categories, client):
    center = cast.user("command_center")
    case = _evaluate(_finished(cast, categories), center, note="电话回访：居民表示满意")
    assert (case.status, case.evaluation_channel, case.evaluated_by) == (Status.CLOSED, EvaluationChannel.PHONE, center)
    assert CaseEvent.objects.get(case=case, action="evaluate").data["channel"] == "phone"
    client.force_login(center)
    page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert f"电话回访 · 回访人 {center.display_name}" in page
    # The resident's tracking page does not pass it off as their own verdict.
    track = client.get(reverse("cases_public:track", args=[case.tracking_token])).content.decode()
    assert "电话回访评价" in track and "您的评价" not in track


def test_the_residents_own_verdict_names_nobody(cast, categories):
    case = _finished(cast, categories)
    case = _evaluate(case, None, token=case.tracking_token, evaluation="basic")
    assert (case.evaluation, case.evaluation_channel, case.evaluated_by) == ("basic", EvaluationChannel.RESIDENT, None)


def test_staff_cannot_evaluate_a_petition_only_the_petitioner_can(cast, categories, client):
    center = cast.user("command_center")
    case = _finished(cast, categories, kind="petition")
    assert case.status == Status.AWAITING_EVALUATION
    with pytest.raises(PermissionDenied):
        _evaluate(case, center, note="满意：电话回访")
    case.refresh_from_db()
    assert case.status == Status.AWAITING_EVALUATION and not case.evaluation
    # The case page offers the command center no 评价 step on it.
    client.force_login(center)
    assert 'data-step="evaluate"' not in client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    case = _evaluate(case, None, token=case.tracking_token)
    assert case.status == Status.CLOSED and case.evaluation_channel == EvaluationChannel.RESIDENT


def test_the_unit_that_handled_the_case_never_records_its_verdict(cast, categories):
    center = cast.user("command_center")
    # The command center's person who also serves in the department that handled the case.
    grid_services.membership_create(actor=cast.user("security_admin"), user=center, role="department_staff",
                                    place=cast.place("D"), department=cast.departments["chengguan@D"])
    case = _finished(cast, categories)
    center.refresh_from_db()
    with pytest.raises(PermissionDenied):
        _evaluate(case, center)
    case.refresh_from_db()
    assert not case.evaluation


def test_satisfaction_is_told_apart_by_who_gave_the_verdict(cast, categories):
    center = cast.user("command_center")
    mine = _finished(cast, categories)
    _evaluate(mine, None, token=mine.tracking_token, evaluation="unsatisfied")
    called = _finished(cast, categories)
    _evaluate(called, center, evaluation="satisfied")
    today = timezone.localdate()
    period = Period.month(today.year, today.month)

    def rate(base):
        events = CaseEvent.objects.filter(base(period))
        return [events.filter(data__evaluation__in=list(SATISFIED)).count(), events.count()]

    assert rate(verdicts) == [1, 2]
    assert rate(by_resident) == [0, 1]
    assert rate(by_callback) == [1, 1]


def test_the_staff_form_says_it_records_the_residents_words_from_a_call_back(cast, categories, client):
    center = cast.user("command_center")
    case = _finished(cast, categories)
    client.force_login(center)
    page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert "记录回访评价" in page and "确认记录回访评价" in page and "群众的原话" in page
    assert ">评价</button>" not in page and "确认评价" not in page
    answer = client.post(reverse("cases:act", args=[case.reference, "evaluate"]), {
        "version": case.version, "key": key(), "evaluation": "basic", "note": "居民说：基本满意，希望以后快一点"},
        follow=True)
    assert "已记录回访评价。" in answer.content.decode()
    case.refresh_from_db()
    assert (case.evaluation, case.evaluation_channel, case.evaluated_by) == ("basic", EvaluationChannel.PHONE, center)
