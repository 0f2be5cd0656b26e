"""Document numbers (文号) per district and year: consecutive, no gaps, no duplicates, also under parallel issues
(PostgreSQL, real connections); the same document issued twice at once is one document."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction

from inspections.models import Ladder, Notice, NoticeCounter, Rectification
from inspections.services import ladder
from tests.cast import build_cast
from tests.inspections.ladder_helpers import at, make_task
from tests.test_concurrency import _race

DUE = datetime.date(2027, 3, 15)
postgres_only = [pytest.mark.postgres,
                 pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real parallel connections")]


def test_numbers_run_per_district_and_year_and_a_rollback_gives_its_number_back(cast):
    task = make_task(cast, deadline=DUE)
    first = ladder.issue_notice(task, Ladder.NOTICE, now=at(datetime.date(2027, 1, 5)))
    with pytest.raises(RuntimeError), transaction.atomic():
        ladder.issue_notice(task, Ladder.REMINDER, now=at(datetime.date(2027, 3, 8)))
        raise RuntimeError("the caller's transaction failed")
    second = ladder.issue_notice(task, Ladder.REMINDER, now=at(datetime.date(2027, 3, 8)))
    next_year = ladder.issue_notice(task, Ladder.WARNING, now=at(datetime.date(2028, 1, 2)))

    assert [first.number, second.number, next_year.number] == [
        "巡督〔2027〕411002-0001号", "巡提〔2027〕411002-0002号", "巡告〔2028〕411002-0001号"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("_", [pytest.param(None, marks=postgres_only)])
def test_parallel_issues_take_consecutive_numbers(_):
    cast = build_cast()
    n = 6
    tasks = [make_task(cast, deadline=DUE, assign=False).pk for _i in range(n)]

    results = _race(lambda i: ladder.issue_notice(Rectification.objects.get(pk=tasks[i]), Ladder.NOTICE,
                                                  now=at(DUE)).number, n)

    assert all(kind == "ok" for kind, _v in results), results
    assert sorted(v for _k, v in results) == [f"巡督〔2027〕411002-{i:04d}号" for i in range(1, n + 1)]
    assert NoticeCounter.objects.get(year=2027).last == n


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("_", [pytest.param(None, marks=postgres_only)])
def test_the_same_document_issued_twice_at_once_is_one(_):
    cast = build_cast()
    task = make_task(cast, deadline=DUE, assign=False).pk

    results = _race(lambda i: ladder.issue_notice(Rectification.objects.get(pk=task), Ladder.WARNING,
                                                  now=at(DUE)).pk, 4)

    assert all(kind == "ok" for kind, _v in results), results
    assert len({v for _k, v in results}) == 1 and Notice.objects.count() == 1
    assert NoticeCounter.objects.get(year=2027).last == 1  # no number lost
    assert Rectification.objects.get(pk=task).steps.filter(action="escalate").count() == 1
