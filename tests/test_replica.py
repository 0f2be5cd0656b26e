"""Dashboards read from the read replica when one is configured; people's own actions never do.

The replica here is a second connection to the same PostgreSQL database (a streaming replica holds the same rows).
It is added for these tests only: everywhere else there is no replica and the router changes nothing.
"""

import copy
import datetime
import uuid

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grids.models import Role
from ledger import services as ledger
from tests.cast import build_cast
from wudu.db import REPLICA, ReplicaRouter, replica_reads

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a second real connection (PostgreSQL)"),
]


@pytest.fixture
def replica(transactional_db):
    connections.settings[REPLICA] = copy.deepcopy(connections.settings["default"])
    # Connected here, by the test itself: Django's test case refuses lazy connections to aliases it was not told of.
    connections[REPLICA].connect()
    yield connections[REPLICA]
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


def _sql(captured) -> str:
    return "\n".join(q["sql"] for q in captured.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_ledger_terminal_and_export_read_from_the_replica_and_a_visit_is_saved_on_the_primary(client, replica):
    cast = build_cast()
    worker = cast.user(Role.GRID_WORKER)
    patrol = ledger.patrol_start(actor=worker, grid=cast.place("G1"), client_id=uuid.uuid4())
    ledger.visit_record(actor=worker, patrol=patrol, client_id=uuid.uuid4(), visit_type="patrol",
                        finding="楼道堆物", visited_at=timezone.now() - datetime.timedelta(minutes=5))
    primary = connections["default"]

    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    with CaptureQueriesContext(primary) as on_primary, CaptureQueriesContext(replica) as on_replica:
        page = client.get(reverse("ledger:list"))
    assert page.status_code == 200 and len(page.context["rows"]) == 1
    assert "grids_visit" in _sql(on_replica) and "grids_visit" not in _sql(on_primary)
    assert "django_session" in _sql(on_primary)  # who is asking: the primary, before the view

    with CaptureQueriesContext(primary) as on_primary, CaptureQueriesContext(replica) as on_replica:
        job_page = client.get(reverse("ledger:xlsx"))  # the export's job runs as the request commits (eager)
        location = job_page["Location"]  # the job's page, or its file when the job ran at once
        export = client.get(location + "download" if location.endswith("/") else location)
        body = b"".join(export.streaming_content)
    assert export.status_code == 200 and body.startswith(b"PK")
    assert "grids_visit" in _sql(on_replica) and "grids_visit" not in _sql(on_primary)

    with CaptureQueriesContext(primary) as on_primary, CaptureQueriesContext(replica) as on_replica:
        terminal = client.get(reverse("terminal", args=[cast.place("C1").code]))
    assert terminal.status_code == 200
    assert "grids_dailyreport" in _sql(on_replica) and "grids_dailyreport" not in _sql(on_primary)

    # A grid worker saving a visit: written and read back on the primary only.
    client.force_login(worker)
    with CaptureQueriesContext(primary) as on_primary, CaptureQueriesContext(replica) as on_replica:
        saved = client.post(reverse("patrol:visit", args=[patrol.pk]),
                            {"client_id": str(uuid.uuid4()), "visit_type": "patrol"}, HTTP_ACCEPT="application/json")
    assert saved.status_code == 201
    assert on_replica.captured_queries == [] and "INSERT INTO \"grids_visit\"" in _sql(on_primary)


def test_without_a_replica_every_read_stays_on_the_primary():
    router = ReplicaRouter()
    seen = replica_reads(lambda request: router.db_for_read(None))(None)
    assert seen is None  # no replica configured: Django's default database
    assert router.db_for_write(None) == "default"
    assert router.db_for_read(None) is None
