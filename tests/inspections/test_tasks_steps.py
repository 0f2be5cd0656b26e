"""Rectification tasks step by step (inspections.services.tasks over the workflow table): who may take which step,
what each refuses, and that nothing is half-saved."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import notify
from inspections import workflow
from inspections.models import (
    Category,
    EvidenceKind,
    FindingStatus,
    Rectification,
    TaskEvidence,
    TaskStatus,
    TaskStep,
    TeamMember,
)
from inspections.services import rounds as round_services
from inspections.services import tasks as services
from wudu.errors import Conflict

from .tasks_world import assign, finding, forget, key, photo, progress, submitted

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------- assign


def test_the_team_assigns_a_task_due_two_months_after_the_finding_by_default(cast):
    found = finding(cast)
    task = assign(cast, found)
    assert task.status == TaskStatus.ASSIGNED and task.version == 2
    assert task.deadline == round_services.months_after(found.found_on, 2)
    step = task.steps.get()
    assert (step.action, step.from_status, step.to_status, step.actor_role) == ("assign", "", "assigned", "inspector")
    found.refresh_from_db()
    assert found.status == FindingStatus.RECTIFYING


def test_the_office_assigns_several_tasks_of_one_finding_the_finding_due_date_by_default(cast):
    due = timezone.localdate() + datetime.timedelta(days=40)
    found = finding(cast, rectification_due=due)
    first = assign(cast, found, actor=cast.user("inspection_office"))
    second = assign(cast, found, actor=cast.user("inspection_office"), measure="约谈责任人",
                    owner_department=cast.departments["chengguan@D"], owner_place=None,
                    responsible=cast.user("department_staff"))
    assert first.deadline == second.deadline == due
    assert first.steps.get().actor_role == "inspection_office"
    assert Rectification.objects.filter(finding=found).count() == 2


def test_a_retried_assign_with_the_same_key_saves_once(cast):
    found, same = finding(cast), key()
    first = assign(cast, found, idempotency_key=same)
    again = assign(cast, found, idempotency_key=same)
    assert first.pk == again.pk
    assert Rectification.objects.filter(finding=found).count() == 1 and TaskStep.objects.count() == 1


def test_a_deadline_before_the_finding_is_refused_and_nothing_is_saved(cast):
    found = finding(cast)
    with pytest.raises(ValidationError) as error:
        assign(cast, found, deadline=found.found_on - datetime.timedelta(days=1))
    assert "不能早于问题发现日期" in error.value.message_dict["deadline"][0]
    assert not Rectification.objects.exists() and not TaskStep.objects.exists()


def test_the_responsible_person_must_belong_to_the_owner_unit(cast):
    with pytest.raises(ValidationError) as error:
        assign(cast, responsible=cast.user("street_official"))
    assert "不属于该责任单位" in error.value.message_dict["responsible"][0]
    assert not Rectification.objects.exists()


def test_an_owner_unit_and_an_official_outside_inspection_cannot_assign(cast):
    with pytest.raises(PermissionDenied):
        assign(cast, actor=cast.user("community_official"))
    assert not Rectification.objects.exists()


def test_a_team_member_cannot_assign_a_finding_outside_their_coverage(cast):
    found = finding(cast, place="C2")  # 健康社区: not covered by 第一巡察组
    with pytest.raises(PermissionDenied):
        assign(cast, found, owner_place=cast.place("C2"))


# ---------------------------------------------------------------------------------------------- progress, submit


def test_the_owner_reports_progress_with_a_document_and_a_photo_keeping_its_position(cast):
    task = assign(cast)
    task = progress(cast, task, photos=[photo(113.12, 34.71)])
    assert task.status == TaskStatus.IN_PROGRESS
    kinds = {e.kind: e for e in TaskEvidence.objects.filter(task=task)}
    assert set(kinds) == {EvidenceKind.DOCUMENT, EvidenceKind.PHOTO}
    assert (kinds["photo"].lng, kinds["photo"].lat) == (113.12, 34.71) and kinds["photo"].thumbnail
    assert kinds["document"].step.action == "progress" and kinds["document"].sha256
    assert kinds["document"].name == "整改报告.pdf"  # as uploaded; stored under a name of its own


def test_a_photo_without_its_position_is_refused_and_nothing_is_saved(cast):
    task = assign(cast)
    with pytest.raises(ValidationError) as error:
        progress(cast, task, photos=[photo(None, None)])
    assert "拍摄位置" in error.value.message_dict["photos"][0]
    task.refresh_from_db()
    assert task.status == TaskStatus.ASSIGNED and not TaskEvidence.objects.exists()
    assert list(task.steps.values_list("action", flat=True)) == ["assign"]


def test_the_team_cannot_report_progress_for_the_owner(cast):
    task = assign(cast)
    with pytest.raises(PermissionDenied):
        progress(cast, task, actor=cast.user("inspector"))


def test_submitting_without_the_required_evidence_is_refused(cast):
    task = assign(cast)  # 作风建设: a document is asked for
    task = progress(cast, task, documents=[])
    with pytest.raises(ValidationError) as error:
        services.task_submit(actor=cast.user("community_official"), task=task, version=task.version)
    assert "文件材料" in error.value.message_dict["evidence"][0]
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS


def test_a_residents_problem_needs_a_geotagged_photo_and_the_residents_confirmation(cast, client,
                                                                                  django_capture_on_commit_callbacks,
                                                                                  settings):
    settings.NOTIFY_CHANNELS = ["memory"]
    notify.OUTBOX.clear()
    task = assign(cast, finding(cast, category=Category.RESIDENTS))
    with django_capture_on_commit_callbacks(execute=True):
        task = progress(cast, task, documents=[], photos=[photo()],
                        resident=services.ResidentRequest("王大妈", "13812345678"))
    asked = TaskEvidence.objects.get(task=task, kind=EvidenceKind.RESIDENT)
    assert [mobile for mobile, _m in notify.OUTBOX] == ["13812345678"]
    assert f"/zhenggai/{asked.token}/" in notify.OUTBOX[0][1]
    with pytest.raises(ValidationError) as error:  # asked, not yet answered
        services.task_submit(actor=cast.user("community_official"), task=task, version=task.version)
    assert "当事群众确认" in error.value.message_dict["evidence"][0]
    services.task_resident_confirm(token=asked.token, resolved=True, comment="修好了")
    task = services.task_submit(actor=cast.user("community_official"), task=task, version=task.version)
    assert task.status == TaskStatus.SUBMITTED


def test_a_resident_who_says_unresolved_does_not_count_and_answers_only_once(cast):
    task = assign(cast, finding(cast, category=Category.RESIDENTS))
    task = progress(cast, task, documents=[], photos=[photo()],
                    resident=services.ResidentRequest("王大妈", "13812345678"))
    asked = TaskEvidence.objects.get(task=task, kind=EvidenceKind.RESIDENT)
    services.task_resident_confirm(token=asked.token, resolved=False, comment="还在漏水")
    again = services.task_resident_confirm(token=asked.token, resolved=True, comment="好了")
    assert again.resident_resolved is False and again.confirmation_note == "还在漏水"
    assert services.missing_evidence(task) == [EvidenceKind.RESIDENT]


# ---------------------------------------------------------------------------------------------- verify, reject


def test_the_team_ticks_a_submitted_task_off_and_the_finding_is_rectified(cast):
    task = submitted(cast)
    task = services.task_verify(actor=cast.user("inspector"), task=task, version=task.version, note="材料属实")
    assert task.status == TaskStatus.TICKED_OFF
    assert task.ticked_off_by == cast.user("inspector") and task.ticked_off_at is not None
    assert task.finding.__class__.objects.get(pk=task.finding_id).status == FindingStatus.RECTIFIED
    assert list(task.steps.values_list("action", flat=True)) == ["assign", "progress", "submit", "verify"]


def test_the_owner_cannot_tick_off_even_holding_the_inspectors_role(cast):
    task = submitted(cast)
    official = cast.user("community_official")
    TeamMember.objects.create(team=task.finding.team, user=official)  # also on the team covering 董庄社区
    forget(official)
    assert workflow.STEPS["verify"] not in workflow.available_steps(official, task)
    with pytest.raises(PermissionDenied) as error:
        services.task_verify(actor=official, task=task, version=task.version)
    assert "整改责任单位的人员不能" in str(error.value)
    task.refresh_from_db()
    assert task.status == TaskStatus.SUBMITTED and task.ticked_off_at is None


def test_the_office_cannot_tick_off_only_the_team_can(cast):
    task = submitted(cast)
    with pytest.raises(PermissionDenied):
        services.task_verify(actor=cast.user("inspection_office"), task=task, version=task.version)


def test_a_member_of_another_team_or_a_team_whose_coverage_expired_cannot_tick_off(cast):
    office = cast.user("inspection_office")
    today = timezone.localdate()
    old = round_services.round_create(actor=office, district=cast.place("D"), name="去年的轮次",
                                      starts_on=today - datetime.timedelta(days=200),
                                      ends_on=today - datetime.timedelta(days=170),
                                      follow_up_until=today - datetime.timedelta(days=110))
    veteran = cast.user_model.objects.create_user(username="veteran", real_name="老组员", mobile="13900000009")
    old_team = round_services.team_create(actor=office, round=old, name="老组", leader=veteran,
                                          places=[cast.place("C1")])
    found = finding(cast, team=old_team, found_days_ago=180)
    task = assign(cast, found, actor=office)
    task = progress(cast, task)
    task = services.task_submit(actor=cast.user("community_official"), task=task, version=task.version)
    for outsider in (veteran, cast.user("inspector")):  # expired coverage; another team than the finding's
        with pytest.raises(PermissionDenied) as error:
            services.task_verify(actor=outsider, task=task, version=task.version)
        assert "巡察范围内" in str(error.value)
    task.refresh_from_db()
    assert task.status == TaskStatus.SUBMITTED


def test_two_verifies_of_the_same_version_one_wins(cast):
    task = submitted(cast)
    stale = Rectification.objects.get(pk=task.pk)
    services.task_verify(actor=cast.user("inspector"), task=task, version=task.version)
    with pytest.raises(Conflict):
        services.task_verify(actor=cast.user("inspector"), task=stale, version=stale.version)
    assert TaskStep.objects.filter(task=task, action="verify").count() == 1


def test_the_team_sends_a_task_back_with_its_reason(cast):
    task = submitted(cast)
    with pytest.raises(ValidationError):
        services.task_reject(actor=cast.user("inspector"), task=task, version=task.version, note="")
    task = services.task_reject(actor=cast.user("inspector"), task=task, version=task.version, note="照片看不清")
    assert task.status == TaskStatus.IN_PROGRESS
    assert task.steps.last().note == "照片看不清"


def test_a_retried_step_with_the_same_key_answers_what_the_first_did(cast):
    task = submitted(cast)
    stale, same = Rectification.objects.get(pk=task.pk), key()  # the page the retry was sent from
    services.task_verify(actor=cast.user("inspector"), task=task, version=task.version, idempotency_key=same)
    # The retry carries the version its page was read at; the task is loaded afresh, as the page loads it.
    again = services.task_verify(actor=cast.user("inspector"), task=Rectification.objects.get(pk=task.pk),
                                 version=stale.version, idempotency_key=same)
    assert again.status == TaskStatus.TICKED_OFF
    assert TaskStep.objects.filter(task=task, action="verify").count() == 1


# ---------------------------------------------------------------------------------------------- reassign, extend


def test_reassigning_keeps_the_old_and_the_new_and_leaves_the_status(cast):
    task = progress(cast, assign(cast))
    new_deadline = task.deadline + datetime.timedelta(days=10)
    task = services.task_reassign(actor=cast.user("inspection_office"), task=task, version=task.version,
                                  note="改由城管负责", owner_place=None,
                                  owner_department=cast.departments["chengguan@D"],
                                  responsible=cast.user("department_staff"), deadline=new_deadline)
    assert task.status == TaskStatus.IN_PROGRESS
    assert task.owner_department == cast.departments["chengguan@D"] and task.owner_place is None
    data = task.steps.last().data
    assert data["old"]["owner"]["name"] == "董庄社区" and data["new"]["owner"]["name"] == "城市管理"
    assert data["new"]["deadline"] == new_deadline.isoformat()


def test_only_the_office_extends_and_only_to_a_later_day(cast):
    task = assign(cast)
    later = task.deadline + datetime.timedelta(days=15)
    with pytest.raises(PermissionDenied):
        services.task_extend(actor=cast.user("inspector"), task=task, version=task.version, note="申请", deadline=later)
    with pytest.raises(ValidationError):
        services.task_extend(actor=cast.user("inspection_office"), task=task, version=task.version, note="延期",
                             deadline=task.deadline)
    task = services.task_extend(actor=cast.user("inspection_office"), task=task, version=task.version, note="延期",
                                deadline=later)
    assert task.deadline == later and task.status == TaskStatus.ASSIGNED
    assert task.steps.last().data == {"old": {"deadline": (later - datetime.timedelta(days=15)).isoformat()},
                                      "new": {"deadline": later.isoformat()}}


def test_the_steps_offered_follow_the_table(cast):
    task = assign(cast)
    names = lambda user: [step.name for step in workflow.available_steps(user, task)]  # noqa: E731
    assert names(cast.user("community_official")) == ["progress", "submit"]
    assert names(cast.user("inspector")) == ["reassign"]
    assert names(cast.user("inspection_office")) == ["reassign", "extend"]
    assert names(cast.user("street_official")) == []
