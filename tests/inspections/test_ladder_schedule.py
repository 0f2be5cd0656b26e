"""The ladder's beat on hand-worked timelines (a fixed `now`): a task due on 2027-03-15 owned by 董庄社区's office,
whose official (u_community_official) is also its responsible person; 新兴街道's official is the superior.

    03-08 (7 days before)  a week's reminder to the unit (1 person), the 提醒书
    03-14 (1 day before)   the day's reminder
    03-15 (due day)        nothing new
    03-16 (overdue)        the 告诫书 (final deadline 03-31), the overdue list to the unit and the street (2 digests)
    03-31 (final day)      nothing new
    04-01 (past final)     the 问责书
Each run twice: the second sends nothing.
"""

from __future__ import annotations

import datetime

import pytest

from cases import notify
from cases.models import Notification
from grids.models import Role
from inspections.models import Ladder, Notice, Reminder, ReminderKind, TaskStatus, TaskStep
from inspections.services import ladder
from inspections.services.steps import record_step
from tests.inspections.ladder_helpers import at, make_task

DUE = datetime.date(2027, 3, 15)
NOTHING = {"week_before": 0, "day_before": 0, "overdue": 0, "notice": 0, "reminder": 0, "warning": 0,
           "accountability": 0}


def run(day: datetime.date) -> dict:
    return ladder.ladder_run(now=at(day))


@pytest.fixture
def sms(settings):
    settings.NOTIFY_CHANNELS = ["memory"]
    notify.OUTBOX.clear()
    return notify.OUTBOX


def test_a_task_s_timeline_sends_each_message_once(cast, sms):
    official, street = cast.user(Role.COMMUNITY_OFFICIAL), cast.user(Role.STREET_OFFICIAL)
    task = make_task(cast, deadline=DUE)

    assert run(DUE - datetime.timedelta(days=8)) == NOTHING  # more than a week ahead
    assert run(DUE - datetime.timedelta(days=7)) == {**NOTHING, "week_before": 1, "reminder": 1}
    assert run(DUE - datetime.timedelta(days=7)) == NOTHING
    assert run(DUE - datetime.timedelta(days=3)) == NOTHING
    reminder_doc = Notice.objects.get(task=task, kind=Ladder.REMINDER)
    assert reminder_doc.deadline == DUE and reminder_doc.number.startswith("巡提〔2027〕411002-")
    assert list(Reminder.objects.filter(task=task).values_list("kind", "recipient")) == [
        (ReminderKind.WEEK_BEFORE, official.pk)]
    assert [m for _mobile, m in sms] == [
        "【网格通】整改任务“清理违规发放的补贴”将于 2027-03-15 到期（还剩 7 天），请按期完成整改并上传佐证材料。"]

    assert run(DUE - datetime.timedelta(days=1)) == {**NOTHING, "day_before": 1}
    assert run(DUE - datetime.timedelta(days=1)) == NOTHING
    assert run(DUE) == NOTHING
    assert "还剩 1 天" in sms[-1][1] and len(sms) == 2

    assert run(DUE + datetime.timedelta(days=1)) == {**NOTHING, "overdue": 2, "warning": 1}
    assert run(DUE + datetime.timedelta(days=1)) == NOTHING
    task.refresh_from_db()
    final = DUE + datetime.timedelta(days=15)
    assert (task.ladder, task.final_deadline, task.status) == (Ladder.WARNING, final, TaskStatus.ASSIGNED)
    assert Notice.objects.get(task=task, kind=Ladder.WARNING).deadline == final
    digests = Notification.objects.filter(kind="inspection_overdue").order_by("user_id")
    assert [(n.user_id, n.message) for n in digests] == sorted([
        (pk, "【网格通】逾期未完成的整改任务 1 项：清理违规发放的补贴（期限 2027-03-15，逾期 1 天）。请抓紧整改。")
        for pk in (official.pk, street.pk)])

    assert run(final) == NOTHING
    assert run(final + datetime.timedelta(days=1)) == {**NOTHING, "accountability": 1}
    assert run(final + datetime.timedelta(days=2)) == NOTHING
    task.refresh_from_db()
    assert task.ladder == Ladder.ACCOUNTABILITY
    assert Notice.objects.get(task=task, kind=Ladder.ACCOUNTABILITY).deadline == final
    # every document wrote its escalate step; the status never moved
    steps = TaskStep.objects.filter(task=task, action="escalate").order_by("id")
    assert [s.data["kind"] for s in steps] == ["reminder", "warning", "accountability"]
    assert {s.to_status for s in steps} == {TaskStatus.ASSIGNED}
    assert len(sms) == 4  # two reminders, two digests: the team and the office hear nothing
    assert Reminder.objects.filter(task=task).count() == 4


def test_one_digest_per_person_lists_all_their_newly_overdue_tasks(cast, sms):
    make_task(cast, deadline=DUE, measure="整改一")
    make_task(cast, deadline=DUE - datetime.timedelta(days=2), measure="整改二")

    counts = run(DUE + datetime.timedelta(days=1))

    assert counts["overdue"] == 2 and counts["warning"] == 2  # two people (the unit, the street), one digest each
    official = cast.user(Role.COMMUNITY_OFFICIAL)
    digest = Notification.objects.get(user=official, kind="inspection_overdue")
    assert digest.message.startswith("【网格通】逾期未完成的整改任务 2 项：")
    assert "整改二（期限 2027-03-13，逾期 3 天）" in digest.message and "整改一（期限 2027-03-15，逾期 1 天）" in digest.message


def test_a_department_s_overdue_list_goes_to_its_staff_and_the_command_center(cast, sms):
    department = cast.departments["chengguan@D"]
    make_task(cast, deadline=DUE, department=department, responsible=cast.user(Role.DEPARTMENT_STAFF))

    run(DUE + datetime.timedelta(days=1))

    told = set(Notification.objects.filter(kind="inspection_overdue").values_list("user_id", flat=True))
    assert told == {cast.user(Role.DEPARTMENT_STAFF).pk, cast.user(Role.COMMAND_CENTER).pk}


def test_no_digest_for_units_without_overdue_tasks_nor_for_submitted_or_closed_tasks(cast, sms):
    waiting = make_task(cast, deadline=DUE)
    record_step(waiting, action="submit", to_status=TaskStatus.SUBMITTED, actor=cast.user(Role.COMMUNITY_OFFICIAL))
    done = make_task(cast, deadline=DUE)
    record_step(done, action="verify", to_status=TaskStatus.TICKED_OFF, actor=cast.user(Role.INSPECTOR))
    make_task(cast, deadline=DUE + datetime.timedelta(days=30))

    assert run(DUE + datetime.timedelta(days=1)) == NOTHING
    assert not Notification.objects.filter(kind__startswith="inspection_").exists() and not sms


def test_a_reassigned_task_s_reminders_follow_the_new_deadline_and_people(cast, sms, django_capture_on_commit_callbacks):
    official = cast.user(Role.COMMUNITY_OFFICIAL)
    with django_capture_on_commit_callbacks(execute=True):
        task = make_task(cast, deadline=DUE)
    assert run(DUE - datetime.timedelta(days=7))["week_before"] == 1
    # moved to a department with a later deadline and another responsible person
    department, staff = cast.departments["chengguan@D"], cast.user(Role.DEPARTMENT_STAFF)
    new_due = DUE + datetime.timedelta(days=20)
    # the task as loaded before the beat: the documents' steps claimed no version, so the reassignment goes through
    with django_capture_on_commit_callbacks(execute=True):
        record_step(task, action="reassign", to_status=task.status, actor=cast.user(Role.INSPECTION_OFFICE),
                    fields={"deadline": new_due, "owner_place": None, "owner_department": department,
                            "responsible": staff},
                    data={"old": {"deadline": DUE.isoformat()}, "new": {"deadline": new_due.isoformat()}})

    assert run(DUE - datetime.timedelta(days=1)) == NOTHING  # the old deadline's reminders are gone with it
    assert run(DUE + datetime.timedelta(days=1)) == NOTHING  # and it is not overdue
    assert run(new_due - datetime.timedelta(days=7)) == {**NOTHING, "week_before": 1, "reminder": 1}
    assert list(Reminder.objects.filter(deadline=new_due).values_list("recipient", flat=True)) == [staff.pk]
    assert not Reminder.objects.filter(deadline=new_due, recipient=official).exists()
    # a 督办通知书 for each assignment: the first deadline and the new one
    assert sorted(Notice.objects.filter(task=task, kind=Ladder.NOTICE).values_list("deadline", flat=True)) == [
        DUE, new_due]


def test_the_assignment_issues_its_notice_once_it_commits(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        task = make_task(cast, deadline=DUE)
    notice = Notice.objects.get(task=task)
    task.refresh_from_db()
    assigned = TaskStep.objects.get(task=task, action="assign")
    # issued by the system after the assignment, which names who assigned
    assert (notice.kind, notice.deadline, notice.issued_by, notice.step) == (Ladder.NOTICE, DUE, None, assigned)
    assert assigned.actor == cast.user(Role.INSPECTOR)
    assert task.ladder == Ladder.NOTICE
    escalated = TaskStep.objects.filter(task=task, action="escalate").get()
    assert (escalated.actor, escalated.actor_role) == (None, "system")
    assert escalated.data == {"kind": "notice", "number": notice.number, "deadline": DUE.isoformat(),
                              "assigned_by": cast.user(Role.INSPECTOR).pk}
    # the owner unit hears of it in the app
    told = Notification.objects.get(kind="ladder_notice")
    assert told.user == cast.user(Role.COMMUNITY_OFFICIAL) and notice.number in told.message
    # issued again (a redelivered message): the same document, no new number
    assert ladder.issue_notice(task, Ladder.NOTICE) == notice
    assert Notice.objects.count() == 1
