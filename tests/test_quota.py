"""wudu.quota on any database: a counter per window, used inside the write's transaction, rolled back with it."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from wudu import quota
from wudu.models import QuotaCounter

NOON = timezone.make_aware(datetime.datetime(2026, 11, 29, 12, 30))


def take(limit=2, now=NOON, subject="13812345678", period=quota.DAY):
    with transaction.atomic():
        return quota.take("test", subject, limit=limit, period=period, now=now)


@pytest.mark.django_db
def test_a_limit_of_two_allows_two_a_day_and_the_next_day_two_more():
    assert [take(), take(), take()] == [True, True, False]
    assert take(now=NOON + datetime.timedelta(hours=12)) is True  # 00:30 the next (local) day
    assert take(subject="13900000000") is True


@pytest.mark.django_db
def test_windows_follow_the_local_clock():
    assert quota.window_start(NOON, quota.DAY) == timezone.make_aware(datetime.datetime(2026, 11, 29))
    assert quota.window_start(NOON, quota.HOUR) == timezone.make_aware(datetime.datetime(2026, 11, 29, 12))


@pytest.mark.django_db
def test_a_write_that_fails_after_taking_uses_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        assert quota.take("test", "s", limit=1, period=quota.DAY, now=NOON)
        raise RuntimeError("the insert failed")
    assert take(limit=1, subject="s") is True


@pytest.mark.django_db(transaction=True)
def test_taking_outside_a_transaction_is_a_programming_error():
    with pytest.raises(RuntimeError):
        quota.take("test", "s", limit=1, period=quota.DAY, now=NOON)


@pytest.mark.django_db
def test_the_counter_keeps_no_copy_of_the_subject_and_old_windows_are_pruned():
    take()
    assert not QuotaCounter.objects.filter(subject__contains="13812345678").exists()
    assert quota.prune(before=NOON + datetime.timedelta(days=2)) == 1
    assert not QuotaCounter.objects.exists()


def test_the_daily_task_drops_counters_of_past_windows_only(db):
    import datetime

    from django.utils import timezone

    from wudu.models import QuotaCounter
    from wudu.tasks import quota_prune_task

    now = timezone.now()
    for days in (0, 1, 3, 10):
        QuotaCounter.objects.create(name="t", subject=f"s{days}", window=now - datetime.timedelta(days=days), used=1)
    assert quota_prune_task() == 2
    assert sorted(QuotaCounter.objects.values_list("subject", flat=True)) == ["s0", "s1"]
