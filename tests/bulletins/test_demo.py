"""The demo's bulletins (bulletins.demo), on the real demo district with a short case history: the last three
months for the district and its streets, the older two published after an objection each, the last one open for
objections, and the last quarter's ranking published. A second run adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from bulletins.demo import load_demo_bulletins
from bulletins.models import Bulletin, Kind, Objection, ObjectionStatus, Stage
from cases.demo_history import load_case_history
from grids import demo as grids_demo
from grids.models import Level, Place
from wudu.measures import Period

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo_bulletins")]

DAYS = 35  # reaches into last month whatever today is


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    # The small demo district (two communities a street, as tests/inspections/test_demo.py builds it): the
    # whole one costs minutes per database and proves nothing more here (tests/test_demo.py builds it whole).
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(grids_demo, "STREETS", [(street, communities[:2]) for street, communities in grids_demo.STREETS])
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_demo", stdout=StringIO())
            load_case_history(days=DAYS)
            yield load_demo_bulletins()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_three_months_and_a_quarter_through_the_services(demo):
    places = 1 + Place.objects.filter(level=Level.STREET, parent__name="魏都区").count()
    last = Period.last_closed(Period.MONTH, timezone.localdate())
    months = {last.key, last.previous().key, last.previous().previous().key}
    bulletins = Bulletin.objects.filter(kind=Kind.BULLETIN)
    assert demo["bulletins"] == 3 * places + 1
    assert set(bulletins.values_list("period", flat=True)) == months
    assert bulletins.filter(stage=Stage.PUBLISHED).count() == 2 * places
    open_drafts = bulletins.filter(period=last.key, stage=Stage.DRAFT)
    assert open_drafts.count() == places and all(b.objection_until > timezone.now() for b in open_drafts)
    district = open_drafts.get(place__level=Level.DISTRICT)
    assert district.snapshot["total"]["case.closing"][1] > 0  # last month's cases are counted
    ranking = Bulletin.objects.get(kind=Kind.RANKING)
    assert ranking.stage == Stage.PUBLISHED and ranking.period == Period.last_closed(Period.QUARTER).key


def test_objections_were_answered_both_ways_and_a_second_run_adds_nothing(demo):
    assert set(Objection.objects.values_list("status", flat=True)) == {ObjectionStatus.ACCEPTED,
                                                                      ObjectionStatus.REJECTED}
    assert all(o.decision for o in Objection.objects.all())
    assert load_demo_bulletins() == {"bulletins": 0}
