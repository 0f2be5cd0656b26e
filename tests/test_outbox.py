"""The outbox (wudu/outbox.py): a task asked for by a change is written with it, published after commit, relayed
until the broker takes it (at least once), and its consumer does its effect once. A broker that fails is a fake
one here, or a real connection to a port where nothing listens; tests/celery_live/test_outbox_live.py stops a real
Redis."""

import datetime
import socket
import time
import uuid
from contextlib import contextmanager

import pytest
from celery import shared_task
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from wudu import outbox
from wudu.models import OutboxEffect, OutboxMessage

CALLS: list = []


@shared_task(name="tests.test_outbox.probe_task")
def probe_task(value):
    CALLS.append(value)
    return value


class FakeBroker:
    """Down until told otherwise; once up, keeps what it was given."""

    def __init__(self):
        self.down = True
        self.received: list[tuple[str, list, str]] = []

    def publish(self, message, connection):
        if self.down:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        self.received.append((message.task, message.args, message.key))


@contextmanager
def _no_connection():
    yield None


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()


@pytest.fixture
def broker(monkeypatch, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    fake = FakeBroker()
    monkeypatch.setattr(outbox, "publish", fake.publish)
    monkeypatch.setattr(outbox, "broker_connection", _no_connection)
    return fake


def later(seconds: float = 3600) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=seconds)


# ---------------------------------------------------------------------------------------------- no broker (eager)


@pytest.fixture
def no_broker(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the embedded default (whatever broker this test run has)


@pytest.mark.django_db
def test_without_a_broker_the_task_runs_when_the_change_commits(no_broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        outbox.enqueue(probe_task, "a", key="probe:a")
        assert CALLS == []  # not before the change is committed
    assert CALLS == ["a"]
    assert OutboxMessage.objects.get(key="probe:a").sent_at is not None


@pytest.mark.django_db
def test_a_change_rolled_back_leaves_no_task(no_broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ZeroDivisionError):
        with transaction.atomic():
            outbox.enqueue(probe_task, "b")
            1 / 0  # noqa: B018 - the change fails
    assert CALLS == [] and not OutboxMessage.objects.exists()


# ---------------------------------------------------------------------------------------------- a broker that fails


@pytest.mark.django_db
def test_a_broker_that_refuses_keeps_the_task_and_the_caller_goes_on(broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            outbox.enqueue(probe_task, "c", key="probe:c")
    message = OutboxMessage.objects.get(key="probe:c")
    assert (message.sent_at, message.attempts) == (None, 1)
    assert "Connection refused" in message.last_error
    assert message.next_attempt_at > timezone.now()  # backing off, 1 s after the first failure

    broker.down = False
    assert outbox.relay(now=later()) == {"sent": 1, "failed": 0, "left": 0}
    assert broker.received == [("tests.test_outbox.probe_task", ["c"], "probe:c")]
    assert outbox.relay(now=later()) == {"sent": 0, "failed": 0, "left": 0}  # sent once, not again


@pytest.mark.django_db
def test_the_relay_backs_off_while_the_broker_is_down_then_sends_every_row_in_order(
        broker, django_capture_on_commit_callbacks):
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            outbox.enqueue(probe_task, n, key=f"probe:{n}")  # committed, and tried at once
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 3
    waits = []
    for _ in range(4):
        first = OutboxMessage.objects.filter(sent_at__isnull=True).order_by("next_attempt_at", "id").first()
        assert outbox.relay(now=later()) == {"sent": 0, "failed": 1, "left": 3}
        first.refresh_from_db()
        waits.append(round((first.next_attempt_at - timezone.now()).total_seconds()))
    assert OutboxMessage.objects.get(key="probe:0").attempts >= 2  # once after commit, then by the relay
    assert all(0 < wait <= outbox.BACKOFF_MAX_SECONDS for wait in waits)
    assert outbox.backoff(1).total_seconds() == 1 and outbox.backoff(4).total_seconds() == 8
    assert outbox.backoff(30).total_seconds() == outbox.BACKOFF_MAX_SECONDS
    # Rows not yet due stay where they are.
    assert outbox.relay(now=timezone.now() - datetime.timedelta(hours=1)) == {"sent": 0, "failed": 0, "left": 3}

    broker.down = False
    assert outbox.relay(now=later())["sent"] == 3
    assert sorted(args for _task, args, _key in broker.received) == [[0], [1], [2]]
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_crash_after_publishing_publishes_again_at_least_once(broker, monkeypatch,
                                                               django_capture_on_commit_callbacks):
    broker.down = False
    original = outbox._sent

    def crash(message):
        raise RuntimeError("the database went away after the broker took the message")

    monkeypatch.setattr(outbox, "_sent", crash)
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue(probe_task, "d", key="probe:d")  # published; `sent_at` never written, the caller goes on
    assert OutboxMessage.objects.get(key="probe:d").sent_at is None
    monkeypatch.setattr(outbox, "_sent", original)
    assert outbox.relay(now=later())["sent"] == 1
    assert [key for _t, _a, key in broker.received] == ["probe:d", "probe:d"]  # twice: consumers are idempotent


@pytest.mark.django_db
def test_a_key_written_twice_is_one_message(broker):
    outbox.enqueue(probe_task, "e", key="probe:e")
    outbox.enqueue(probe_task, "e", key="probe:e")
    assert OutboxMessage.objects.filter(key="probe:e").count() == 1


@pytest.mark.django_db
def test_the_relay_command_drains_the_outbox(broker):
    from django.core.management import call_command

    outbox.enqueue(probe_task, "f", key="probe:f")
    with pytest.raises(SystemExit):  # the broker is down: something is left, the command says so
        call_command("outbox_relay", "--once")
    broker.down = False
    call_command("outbox_relay", "--once")
    assert [key for _t, _a, key in broker.received] == ["probe:f"]


@pytest.mark.django_db
def test_a_real_broker_that_does_not_answer_costs_the_request_no_wait(settings,
                                                                     django_capture_on_commit_callbacks):
    """A real connection to a port where nothing listens: publishing gives up at once (no publish retry, no result
    backend: a Redis result backend that does not answer retried ~19 s before this)."""
    with socket.socket() as probe:  # a free port, closed again
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"redis://127.0.0.1:{port}/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = url
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue(probe_task, "warm-up")  # the first one imports the Redis transport: not what is measured
    start = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue(probe_task, "g", key="probe:g")
    assert time.monotonic() - start < 2
    message = OutboxMessage.objects.get(key="probe:g")
    assert message.sent_at is None and message.attempts == 1 and message.last_error


@pytest.mark.django_db
def test_prune_forgets_old_sent_rows_and_effects_only(broker, django_capture_on_commit_callbacks):
    broker.down = False
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue(probe_task, "h", key="probe:h")
    broker.down = True
    outbox.enqueue(probe_task, "i", key="probe:i")
    with outbox.once("effect:h") as first:
        assert first
    assert outbox.prune(before=later()) == 2
    assert list(OutboxMessage.objects.values_list("key", flat=True)) == ["probe:i"]  # unsent: kept


# ---------------------------------------------------------------------------------------------- idempotent consumers


@pytest.mark.django_db
def test_once_does_an_effect_once_and_again_after_a_failure():
    done = []
    for _ in range(2):
        with outbox.once("effect:1") as first:
            if first:
                done.append(1)
    assert done == [1]
    with pytest.raises(OSError), outbox.once("effect:2") as first:
        raise OSError("the gateway failed")
    assert not OutboxEffect.objects.filter(key="effect:2").exists()  # tried again by the next delivery


@pytest.mark.django_db
def test_a_case_step_delivered_twice_tells_everyone_once(cast, settings, django_capture_on_commit_callbacks):
    """The notice task of a case created during an outage arrives twice (relayed at least once): the staff's notices
    and the resident's acknowledgement SMS are made once."""
    from cases import notify, services
    from cases.models import CaseEvent, LimitUnit, Notification
    from cases.tasks import case_notify_task

    settings.NOTIFY_CHANNELS = ["memory"]
    notify.OUTBOX.clear()
    category = services.case_category_create(
        actor=cast.user("system_admin"), district=cast.place("D"), code="shirong", name="市容环境",
        department=cast.departments["chengguan@D"], time_limit=3, limit_unit=LimitUnit.WORKING_DAYS)
    case = services.case_submit_public(category=category, description="路灯不亮", resident_mobile="13812345678",
                                       key=uuid.uuid4(), lng=113.1, lat=34.7, client_ip=None)
    event = CaseEvent.objects.get(case=case, action="create")
    message = OutboxMessage.objects.get(key=f"case-event:{event.pk}")
    assert (message.task, message.args) == ("cases.tasks.case_notify_task", [event.pk])

    for _ in range(2):
        case_notify_task.apply(message.args, task_id=message.key)
    sms = [text for mobile, text in notify.OUTBOX if mobile == "13812345678"]
    assert len(sms) == 1 and case.reference in sms[0]
    notices = Notification.objects.filter(case=case, kind="create")
    assert notices.exists() and notices.count() == notices.values("user").distinct().count()


@pytest.mark.django_db
def test_a_late_visit_queues_its_days_rebuild_through_the_outbox(cast, broker, django_capture_on_commit_callbacks):
    """Past daily reports rebuild when late data arrives: the rebuild is a row of the outbox, kept through an outage
    and relayed with the day."""
    from grids.models import Role
    from ledger import services as ledger
    from ledger.reports import daily_report_build

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    at = timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time(9)))
    worker = cast.user(Role.GRID_WORKER)
    patrol = ledger.patrol_start(actor=worker, grid=cast.place("G1"), client_id=uuid.uuid4(), started_at=at)
    daily_report_build(yesterday)  # the day is reported (21:00); the patrol's end comes late
    with django_capture_on_commit_callbacks(execute=True):
        ledger.patrol_end(actor=worker, patrol=patrol, ended_at=at + datetime.timedelta(minutes=40))
        ledger.visit_record(actor=worker, patrol=patrol, client_id=uuid.uuid4(), visit_type="patrol",
                            visited_at=at + datetime.timedelta(minutes=20))
    # One rebuild of the district's day for both late records (debounced), sent by the relay once due.
    rows = OutboxMessage.objects.filter(task="ledger.tasks.daily_report_build_task", sent_at__isnull=True)
    assert [row.args for row in rows] == [[yesterday.isoformat(), cast.place("D").code]]

    broker.down = False
    outbox.relay(now=later())
    assert [args for task, args, _key in broker.received] == [[yesterday.isoformat(), cast.place("D").code]]


# ---------------------------------------------------------------------------------------------- lost tasks


def test_every_task_ends_before_the_broker_gives_its_message_to_another_worker(settings):
    """A message taken by a worker killed whole comes back after the visibility timeout: every task's hard time limit
    is below it, so that a task still running is never handed out twice, and it is minutes, not hours."""
    from wudu.celery import app

    app.loader.import_default_modules()
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert timeout == settings.CELERY_VISIBILITY_TIMEOUT_SECONDS <= 15 * 60
    limits = {name: task.time_limit or settings.CELERY_TASK_TIME_LIMIT
              for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert limits["bulletins.tasks.bulletins_build_task"] == max(limits.values())
    assert max(limits.values()) + 60 <= timeout, limits
    soft = {name: task.soft_time_limit for name, task in app.tasks.items() if name in limits and task.soft_time_limit}
    assert all(soft[name] < limits[name] for name in soft)
