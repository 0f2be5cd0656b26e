"""A problem that comes back: a new finding of the same category at the same place (or inside it), or a new case of
the finding's case category in its place, within INSPECTION_RECURRENCE_DAYS of its rectification, links a Recurrence
once and reopens the finding and its ticked-off tasks."""

from __future__ import annotations

import uuid

import pytest

from cases import services as case_services
from cases.models import LimitUnit
from inspections.models import Finding, FindingStatus, Rectification, Recurrence, TaskStatus, TaskStep
from inspections.services import recurrence
from tests.inspections.findings_helpers import record, tick_off


@pytest.fixture
def category(cast):
    return case_services.case_category_create(
        actor=cast.user("system_admin"), district=cast.place("D"), code="shirong", name="市容环境",
        department=cast.departments["chengguan@D"], time_limit=3, limit_unit=LimitUnit.WORKING_DAYS)


def _case(cast, category, grid="G1"):
    return case_services.case_create(actor=cast.user("grid_worker"), source="patrol", grid=cast.place(grid),
                                     category=category, description="楼道堆物又出现了", key=uuid.uuid4())


def test_a_new_finding_of_the_category_reopens_the_rectified_one(cast):
    earlier = record(cast, category="residents", title="楼道堆物")
    task = tick_off(cast, earlier)
    assert Finding.objects.get(pk=earlier.pk).status == FindingStatus.RECTIFIED
    again = record(cast, category="residents", title="楼道堆物复现")
    assert Recurrence.objects.filter(finding=earlier, by_finding=again).count() == 1
    assert Finding.objects.get(pk=earlier.pk).status == FindingStatus.REOPENED
    task.refresh_from_db()
    assert task.status == TaskStatus.REOPENED and task.reopen_count == 1
    assert TaskStep.objects.filter(task=task, action="recurred").count() == 1
    # running again links nothing more and reopens nothing twice
    assert recurrence.recurrence_by_finding(again) == []
    assert Recurrence.objects.count() == 1 and TaskStep.objects.filter(action="recurred").count() == 1


def test_another_category_or_an_old_rectification_is_no_recurrence(cast, settings):
    earlier = record(cast, category="residents")
    tick_off(cast, earlier, days_ago=40)
    record(cast, category="integrity", title="另一类问题")
    settings.INSPECTION_RECURRENCE_DAYS = 30
    record(cast, category="residents", title="过了期限")
    assert not Recurrence.objects.exists()
    assert Finding.objects.get(pk=earlier.pk).status == FindingStatus.RECTIFIED


def test_a_new_case_of_the_finding_case_category_in_its_place_reopens_it(cast, category,
                                                                          django_capture_on_commit_callbacks):
    earlier = record(cast, category="residents", case_category=category)
    task = tick_off(cast, earlier)
    with django_capture_on_commit_callbacks(execute=True):
        case = _case(cast, category)
    link = Recurrence.objects.get(finding=earlier)
    assert link.by_case == case
    assert Finding.objects.get(pk=earlier.pk).status == FindingStatus.REOPENED
    assert Rectification.objects.get(pk=task.pk).status == TaskStatus.REOPENED
    assert recurrence.recurrence_by_case(case) == []  # idempotent
    assert Recurrence.objects.count() == 1


def test_a_case_elsewhere_is_no_recurrence(cast, category, django_capture_on_commit_callbacks):
    earlier = record(cast, category="residents", case_category=category)
    tick_off(cast, earlier)
    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_create(actor=cast.user("command_center"), source="hotline", grid=cast.place("G2"),
                                  category=category, description="别处的事件", key=uuid.uuid4())
    assert not Recurrence.objects.exists()


def test_a_new_case_costs_one_query_when_nothing_recurs(cast, category, django_assert_num_queries):
    case = _case(cast, category)
    with django_assert_num_queries(1):
        recurrence.recurrence_by_case(case)


def test_a_new_finding_inside_the_place_of_a_street_finding_is_a_recurrence(cast):
    from inspections.services.rounds import team_create
    from tests.inspections.findings_helpers import cast_round

    office = cast.user("inspection_office")
    street_team = team_create(actor=office, round=cast_round(), name="街道巡察组", leader=cast.user("district_official"),
                              places=[cast.place("S1")])
    earlier = record(cast, actor=office, place="S1", team=street_team, category="formalism")
    tick_off(cast, earlier)
    inside = record(cast, place="C1", category="formalism", title="社区又搞形式主义")
    assert Recurrence.objects.get(finding=earlier).by_finding == inside
    # the other way round is none: a street's new finding is not at the community's place
    assert not Recurrence.objects.filter(finding=inside).exists()
