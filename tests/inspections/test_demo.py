"""The inspections' demo (inspections.demo, run by `manage.py load_demo_history`): two rounds of the demo district,
the first one's findings in every state, overdue tasks with their ladder documents, exactly one failed re-check;
a second run adds nothing; the demo's inspection accounts sign in and land on the inspections home.

The demo district is built once for the module, small (two communities a street: every community the demo names),
inside a transaction rolled back at the end, as tests/test_demo.py does.
"""

import datetime
import tempfile

import pytest
from django.apps import apps
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

import outreach.demo  # noqa: F401  (as load_app_histories does, in the apps' order: outreach's hooks first)
from grids import demo as grids_demo
from grids.demo import DEMO_PASSWORD, Loader
from grids.models import Membership, Role, User
from inspections.demo import CURRENT_ROUND, FIRST_ROUND, load_inspections_history
from inspections.models import (
    OPEN_STATUSES,
    EvidenceKind,
    FindingStatus,
    Ladder,
    Notice,
    Recheck,
    RecheckResult,
    Rectification,
    Round,
    TaskEvidence,
    TaskStatus,
    TaskStep,
)
from wudu.models import OutboxEffect, OutboxMessage

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]

SMALL_STREETS = [(street, communities[:2]) for street, communities in grids_demo.STREETS]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The small demo district and the inspections' demo on it (the hook's counts)."""
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch, \
            override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="insp-demo-")):
        patch.setattr(grids_demo, "STREETS", SMALL_STREETS)
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            Loader().load()
            yield load_inspections_history()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models(include_auto_created=True)}


def test_the_hook_runs_after_outreachs_history():
    autodiscover_modules("demo")  # as load_app_histories does
    hooks = grids_demo._HISTORY_HOOKS
    names = [hook.__module__ for hook in hooks]
    assert names[-1] == "inspections.demo"
    assert names.index("inspections.demo") > max(i for i, name in enumerate(names) if name.startswith("outreach"))


def test_two_rounds_four_teams_covering_every_street(demo):
    assert demo["inspection_rounds"] == 2
    today = timezone.localdate()
    current = Round.objects.get(name=CURRENT_ROUND)
    first = Round.objects.get(name=FIRST_ROUND)
    assert current.starts_on <= today <= current.ends_on and (current.ends_on - current.starts_on).days == 29
    assert first.ends_on < today - datetime.timedelta(days=60) < today < first.follow_up_until
    for round_ in (current, first):
        teams = list(round_.teams.prefetch_related("coverage__place"))
        assert len(teams) == 4
        streets = sorted(c.place.name for team in teams for c in team.coverage.all())
        assert streets == sorted(name for name, _c in SMALL_STREETS)  # all 8 streets, each once
    team = current.teams.get(name="第一巡察组")
    assert {(m.user.username, m.is_leader) for m in team.members.select_related("user")} == {
        ("xcz1", True), ("xcz2", False)}
    assert current.findings.count() >= 4
    assert all(f.title.startswith("【演示】") for f in current.findings.all())


def test_findings_in_every_state_with_overdue_tasks_and_ladder_documents(demo):
    first = Round.objects.get(name=FIRST_ROUND)
    states = set(first.findings.values_list("status", flat=True))
    assert states == set(FindingStatus.values)
    task_states = set(Rectification.objects.filter(finding__round=first).values_list("status", flat=True))
    assert task_states == set(TaskStatus.values)
    today = timezone.localdate()
    overdue = Rectification.objects.filter(status__in=OPEN_STATUSES, deadline__lt=today)
    assert overdue.filter(status__in=[TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS]).exists()
    kinds = set(Notice.objects.values_list("kind", flat=True))
    assert {Ladder.NOTICE, Ladder.REMINDER, Ladder.WARNING} <= kinds
    assert Rectification.objects.filter(ladder=Ladder.WARNING, status__in=OPEN_STATUSES).exists()


def test_ticked_off_tasks_carry_the_evidence_their_category_asks_for(demo):
    ticked = Rectification.objects.filter(status=TaskStatus.TICKED_OFF).select_related("finding")
    assert ticked.count() >= 5
    kinds = set()
    for task in ticked:
        evidence = list(TaskEvidence.objects.filter(task=task))
        assert evidence, task
        for item in evidence:
            kinds.add(item.kind)
            if item.kind == EvidenceKind.PHOTO:
                assert item.lng is not None and item.lat is not None
            if item.kind == EvidenceKind.RESIDENT:
                assert item.resident_resolved is True
        assert task.ticked_off_by is not None and not Membership.objects.filter(user=task.ticked_off_by).exists()
    assert kinds == {EvidenceKind.DOCUMENT, EvidenceKind.PHOTO, EvidenceKind.RESIDENT}


def test_exactly_one_failed_recheck_reopens_its_task(demo):
    failed = Recheck.objects.filter(result=RecheckResult.FAILED)
    assert failed.count() == 1
    task = failed.get().task
    assert task.status == TaskStatus.REOPENED and task.finding.status == FindingStatus.REOPENED
    assert task.steps.filter(action="recheck_failed").exists()


def test_a_second_run_adds_nothing(demo):
    before = row_counts()
    assert load_inspections_history() == {"inspection_rounds": 0, "inspection_findings": 0, "inspection_tasks": 0}
    assert row_counts() == before


@pytest.mark.parametrize("username", ["xuncha", "xcz1", "xcz2"])
def test_the_demo_accounts_sign_in_and_land_on_the_inspections_home(demo, client, username):
    user = User.objects.get(username=username)
    assert user.check_password(DEMO_PASSWORD)
    assert Membership.objects.filter(user=user).exists() == (username == "xuncha")
    response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("inspections:home")
    assert "【演示】2026年第二轮巡察" in response.content.decode()


def test_the_office_is_a_membership_at_the_district(demo):
    membership = Membership.objects.get(user__username="xuncha")
    assert membership.role == Role.INSPECTION_OFFICE and membership.place.name == "魏都区"


# ------------------------------------------------------------------ the demo reads as a history that happened in order


def test_each_task_s_steps_are_in_the_order_of_their_times(demo):
    out_of_order = []
    for task in Rectification.objects.all():
        steps = list(TaskStep.objects.filter(task=task).order_by("id").values_list("action", "at"))
        out_of_order += [(task.pk, before, after) for before, after in zip(steps, steps[1:], strict=False)
                         if after[1] < before[1]]
    assert out_of_order == []
    assert TaskStep.objects.count() > 30


def test_every_document_is_issued_after_its_task_s_assignment(demo):
    notices = list(Notice.objects.select_related("step"))
    assert {n.kind for n in notices} >= {Ladder.NOTICE, Ladder.REMINDER, Ladder.WARNING}
    for notice in notices:
        assigned = TaskStep.objects.filter(task=notice.task_id, action="assign").get()
        assert notice.issued_at >= assigned.at, notice.number
        escalated = TaskStep.objects.get(task=notice.task_id, action="escalate", data__number=notice.number)
        assert escalated.at == notice.issued_at
    # an assignment's notice follows its step, and is the system's (the step names who assigned)
    for notice in (n for n in notices if n.kind == Ladder.NOTICE):
        assert notice.step is not None and notice.step.action == "assign" and notice.issued_by is None
        assert notice.issued_at > notice.step.at


def test_the_resident_is_asked_by_sms_before_they_answer(demo):
    asked = list(TaskEvidence.objects.filter(kind=EvidenceKind.RESIDENT).select_related("step"))
    assert any(a.confirmed_at for a in asked)
    for request in asked:
        assert request.uploaded_at == request.step.at  # asked with the progress step that brought it
        message = OutboxMessage.objects.get(key=f"rectification-confirm:{request.pk}")
        sms = OutboxEffect.objects.get(key=f"rectification-confirm-sms:{request.pk}")
        assert request.step.at <= message.created_at <= sms.done_at
        if request.confirmed_at is not None:
            assert sms.done_at < request.confirmed_at


def test_the_first_round_s_progress_is_public_and_the_current_one_s_is_not(demo, client):
    first, current = Round.objects.get(name=FIRST_ROUND), Round.objects.get(name=CURRENT_ROUND)
    assert first.progress_published_by.username == "xuncha"
    page = client.get(reverse("inspection_public:progress", args=[first.pk]))
    assert page.status_code == 200
    shown = first.findings.filter(disclosure="public")
    assert shown.count() >= 5 and all(f.public_summary in page.content.decode() for f in shown)
    assert client.get(reverse("inspection_public:progress", args=[current.pk])).status_code == 404
