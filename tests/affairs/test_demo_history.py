"""The demo history of community services (affairs.demo_history) on the cast's district (named 魏都区, as the demo's):
a few dozen applications to the demo items in every state, through the services, deterministic, and a second run
that adds nothing."""

import datetime
import time
from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone

from affairs.demo import load_service_items
from affairs.demo_history import PLAN, load_affairs_history
from affairs.models import Application, ApplicationStep, Certificate, Rating, Rectification, Status
from grids.demo import _HISTORY_HOOKS
from grids.models import Department, Role

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 11, 30, 10))


@pytest.fixture
def demo_items(cast):
    Department.objects.get_or_create(district=cast.place("D"), short_code="minzheng", defaults={"name": "民政"})
    return load_service_items(actor=cast.admin, district=cast.place("D"))


def test_the_history_fills_every_desk_state_in_seconds(cast, demo_items):
    started = time.monotonic()
    result = load_affairs_history(now=NOW)
    elapsed = time.monotonic() - started
    total = sum(count for _target, count in PLAN)
    assert result == {"affairs_applications": total} and Application.objects.count() == total == 37
    assert elapsed < 20, elapsed
    print(f"affairs demo history: {elapsed:.2f} s")
    states = {s: Application.objects.filter(status=s).count() for s in Status.values}
    assert all(states[s] >= 2 for s in Status.values), states
    # Everything happened in the past, each application's steps in order, the demo items only.
    assert not ApplicationStep.objects.filter(at__gt=NOW).exists()
    assert set(Application.objects.values_list("item__is_demo", flat=True)) == {True}
    for application in Application.objects.all():
        times = list(application.steps.values_list("at", flat=True))
        assert times == sorted(times) and times[0] == application.submitted_at


def test_the_history_shows_the_things_a_reviewer_looks_for(cast, demo_items):
    load_affairs_history(now=NOW)
    # Materials requested once (一次性告知), then resubmitted: no second request anywhere.
    assert Application.objects.filter(material_requests=1).count() >= 5
    assert not Application.objects.filter(material_requests__gt=1).exists()
    # Approved with a certificate, refused with a reason and its basis.
    assert Certificate.objects.count() >= 3
    refused = Application.objects.exclude(refusal_reason="")
    assert refused.count() >= 2 and not refused.filter(refusal_basis="").exists()
    # Rated: good ones, bad ones with the rectification answered, one overdue now.
    assert Rating.objects.filter(level__gte=3).count() == 6
    rectifications = list(Rectification.objects.all())
    assert len(rectifications) == 3
    assert sum(r.answered_at is not None and r.answered_at <= r.due_at for r in rectifications) == 2
    assert [r.due_at < NOW for r in rectifications if r.answered_at is None] == [True]
    # One application open past its time limit; one made by the grid worker for a household of their grid.
    assert Application.objects.open().filter(due_at__lt=NOW).exists()
    on_behalf = Application.objects.get(on_behalf_of__isnull=False)
    assert on_behalf.on_behalf_of == cast.user(Role.GRID_WORKER)
    assert on_behalf.household.grid == cast.place("G1")


def test_the_history_is_deterministic_and_a_second_run_adds_nothing(cast, demo_items):
    def made():
        return list(Application.objects.order_by("submitted_at", "id").values_list(
            "item__name", "status", "applicant_name", "applicant_mobile", "submitted_at"))

    with transaction.atomic():
        load_affairs_history(now=NOW)
        first = made()
        transaction.set_rollback(True)
    assert not Application.objects.exists()
    load_affairs_history(now=NOW)
    assert made() == first
    # The states follow the plan: every desk tab has work.
    assert dict(Counter(status for _item, status, *_rest in first)) == {
        "submitted": 3, "received": 3, "materials_requested": 3, "resubmitted": 2, "accepted": 3,
        "processing": 5, "approved": 2, "refused": 2, "closed": 14}
    assert load_affairs_history(now=NOW) == {"applications": 0}
    assert made() == first
    assert load_affairs_history in _HISTORY_HOOKS  # `manage.py load_demo_history` runs it


def test_without_the_demo_items_the_history_adds_nothing(cast):
    assert load_affairs_history(now=NOW) == {"applications": 0}
    assert not Application.objects.exists()
