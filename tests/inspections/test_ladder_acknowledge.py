"""Who signs for a document (签收): the owner unit's head — an official of the owner place, or staff of the owner
department — once. Not the team, not an official of another place (even one above), not the responsible person
alone."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grids import services as grid_services
from grids.models import Role
from inspections.models import Ladder, TaskStep
from inspections.services import ladder
from tests.cast import appoint_multi_role
from tests.inspections.ladder_helpers import at, make_task

DUE = datetime.date(2027, 3, 15)


def notice_of(cast, **kwargs):
    return ladder.issue_notice(make_task(cast, deadline=DUE, **kwargs), Ladder.NOTICE, now=at(DUE))


def test_the_community_official_signs_once_and_the_task_records_it(cast):
    official = cast.user(Role.COMMUNITY_OFFICIAL)
    notice = notice_of(cast)

    ladder.acknowledge(official, notice, now=at(DUE))

    notice.refresh_from_db()
    assert (notice.acknowledged_by, notice.acknowledged_at) == (official, at(DUE))
    step = TaskStep.objects.get(task=notice.task, action="acknowledge")
    assert (step.actor, step.actor_role, step.data["number"]) == (official, Role.COMMUNITY_OFFICIAL, notice.number)
    assert step.from_status == step.to_status == "assigned"
    with pytest.raises(ValidationError, match="已签收"):
        ladder.acknowledge(official, notice)
    assert TaskStep.objects.filter(task=notice.task, action="acknowledge").count() == 1


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.INSPECTION_OFFICE, Role.STREET_OFFICIAL,
                                  Role.DISTRICT_OFFICIAL])
def test_the_team_the_office_and_officials_above_may_not_sign(cast, role):
    notice = notice_of(cast)
    with pytest.raises(ValidationError, match="只有责任单位负责人可以签收督办文书。"):
        ladder.acknowledge(cast.user(role), notice)
    notice.refresh_from_db()
    assert notice.acknowledged_at is None
    assert not TaskStep.objects.filter(action="acknowledge").exists()


def test_an_official_of_another_community_cannot_even_see_it(cast):
    notice = notice_of(cast)
    with pytest.raises(PermissionDenied):
        ladder.acknowledge(appoint_multi_role(cast)["worker_official"], notice)  # official of 健康社区 C2


def test_the_responsible_person_alone_is_not_the_unit_head(cast):
    grid_head = cast.user(Role.GRID_HEAD)  # named responsible, but no office at 董庄社区
    notice = notice_of(cast, responsible=grid_head)
    with pytest.raises(PermissionDenied):  # a grid role does not read rectification at all
        ladder.acknowledge(grid_head, notice)
    assert not ladder.is_unit_head(grid_head, notice.task)


def test_a_department_s_staff_sign_for_its_tasks_and_not_for_another_department_s(cast):
    staff = cast.user(Role.DEPARTMENT_STAFF)  # 城市管理
    other = grid_services.person_appoint(
        actor=cast.admin, place=cast.place("D"), role=Role.DEPARTMENT_STAFF, username="huanbao_staff",
        real_name="环保甲", mobile="13900000009", department=cast.departments["huanbao@D"]).user
    notice = notice_of(cast, department=cast.departments["chengguan@D"], responsible=staff)

    with pytest.raises(PermissionDenied):  # the other department does not even see the task
        ladder.acknowledge(other, notice)
    with pytest.raises(ValidationError):  # the community official sees it (it is at 董庄) but does not own it
        ladder.acknowledge(cast.user(Role.COMMUNITY_OFFICIAL), notice)
    ladder.acknowledge(staff, notice)
    notice.refresh_from_db()
    assert notice.acknowledged_by == staff
