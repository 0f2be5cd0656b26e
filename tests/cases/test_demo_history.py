"""The demo history of cases (cases.demo_history), on the real demo district at a small size: every state a short
history allows, timelines that chain, the demo accounts' queues alive, and a second run that adds nothing.

The district is loaded once for the module inside a transaction rolled back at the end (as in tests/test_demo.py);
the module stays on one xdist worker.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from cases.demo_history import load_case_history
from cases.models import Case, CaseEvent, Notification, Status
from grids import demo as grids_demo
from grids.demo import DEMO_PASSWORD
from grids.models import Membership, Role, User
from ledger.demo_history import HistoryLoader
from ledger.models import Visit

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo_cases")]

DAYS = 10


@pytest.fixture(scope="module")
def history(django_db_setup, django_db_blocker):
    """The demo district with a few days of patrols in wgy1's grid (open findings to report), then the cases."""
    # The small demo district (two communities a street, as tests/inspections/test_demo.py builds it): the
    # whole one costs minutes per database and proves nothing more here (tests/test_demo.py builds it whole).
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(grids_demo, "STREETS", [(street, communities[:2]) for street, communities in grids_demo.STREETS])
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_demo", stdout=StringIO())
            grid = Membership.objects.get(user__username="wgy1", role=Role.GRID_WORKER).place
            walker = HistoryLoader(days=DAYS)
            # One grid's walks only: the whole district's visit history is what makes `make run` slow.
            walker._walk(grid, [User.objects.get(username="wgy1")], walker._register(User.objects.get(username="admin"),
                                                                                     grid), timezone.localdate(), DAYS)
            yield load_case_history(days=DAYS)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_a_short_history_has_every_open_queue_and_the_finished_states(history):
    states = set(Case.objects.values_list("status", flat=True))
    assert history["cases"] == Case.objects.count() > 50
    assert {Status.REPORTED, Status.FILED, Status.DISPATCHED, Status.HANDLING, Status.FED_BACK, Status.CLOSED,
            Status.SELF_HANDLED, Status.LOCAL, Status.RETURNED, Status.EXTENSION, Status.SUSPENDED,
            Status.AWAITING_EVALUATION, Status.CANCELLED} <= states
    assert Case.objects.filter(status=Status.CLOSED).exclude(evaluation="").exists()
    assert Case.objects.filter(kind="petition").exists()
    assert set(Case.objects.values_list("source", flat=True)) >= {"patrol", "resident", "hotline", "assigned"}


def test_every_timeline_starts_with_create_and_chains_to_the_case_state(history):
    now = timezone.now()
    events: dict[int, list[CaseEvent]] = {}
    for event in CaseEvent.objects.order_by("case_id", "id"):
        events.setdefault(event.case_id, []).append(event)
    for case in Case.objects.all():
        timeline = events[case.pk]
        assert timeline[0].action == "create" and timeline[0].from_status == "", case
        for before, after in zip(timeline, timeline[1:], strict=False):
            assert after.from_status == before.to_status, (case, after)
            assert before.at <= after.at, (case, after)
        assert timeline[-1].to_status == case.status, case
        assert case.created_at == timeline[0].at and timeline[-1].at <= now, case


def test_the_demo_accounts_have_cases_to_work_on(history):
    for username in ("wgy1", "wgy2", "zhzx", "chengguan"):
        user = User.objects.get(username=username)
        assert Case.objects.visible_to(user).open().exists(), username
    # the departments other than 城市管理 got one account each, with the demo password
    staff = User.objects.filter(username__startswith="dept_")
    assert staff.exists() and all(user.check_password(DEMO_PASSWORD) for user in staff)
    # a case reported from a visit marks the finding escalated
    for case in Case.objects.filter(visit__isnull=False).select_related("visit"):
        assert case.visit.escalated_at is not None and case.grid_id == case.visit.grid_id
    assert Visit.objects.filter(case__isnull=False).count() == Case.objects.filter(visit__isnull=False).count()


def test_held_cases_are_timed_and_finished_cases_notices_are_read(history):
    held = Case.objects.filter(status__in=(Status.DISPATCHED, Status.HANDLING, Status.EXTENSION))
    assert held.exists() and not held.filter(deadline__isnull=True).exists()
    assert not held.filter(deadline__lte=timezone.now()).exclude(alert="overdue").exists()
    assert not Notification.objects.filter(read_at__isnull=True, case__status__in=(Status.CLOSED,)).exists()


def test_loading_the_history_again_creates_nothing(history):
    before = (Case.objects.count(), CaseEvent.objects.count(), Notification.objects.count(), User.objects.count())
    assert load_case_history(days=DAYS) == {"cases": 0}
    assert (Case.objects.count(), CaseEvent.objects.count(), Notification.objects.count(),
            User.objects.count()) == before
