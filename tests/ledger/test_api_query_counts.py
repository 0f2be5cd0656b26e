"""Every ledger list endpoint costs the same number of queries however many rows it returns.

Requests carry a real token: token + user (1), the requester's grants (1), the page (1), then one per
prefetched relation (household tags, visit or spot-check photos). The configuration lists are not gated:
token (1) and the list (1).
"""

import datetime
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from grids.models import Role, User
from ledger import services as ledger
from ledger.models import FindingCategory, HouseholdTag
from ledger.reports import daily_report_build

MORE = 4


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _photo(n: int) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (n * 40 % 256, 90, 160)).save(out, format="JPEG")
    return SimpleUploadedFile(f"p{n}.jpg", out.getvalue(), content_type="image/jpeg")


class Grow:
    """Adds rows on each call, so the two measurements see different sizes."""

    def __init__(self):
        self.calls = 0

    def __call__(self, cast):
        self.calls += 1
        self.grow(cast, range((self.calls - 1) * MORE, self.calls * MORE))


class Households(Grow):
    def grow(self, cast, numbers):
        tags = list(HouseholdTag.objects.all()[:2])
        for n in numbers:
            ledger.household_create(actor=cast.admin, grid=cast.place("G1"), address=f"幸福路 {n} 号", tags=tags)


class Sites(Grow):
    def grow(self, cast, numbers):
        for n in numbers:
            ledger.site_create(actor=cast.admin, grid=cast.place("G2"), kind="shop", name=f"商铺{n}")


class Patrols(Grow):
    def grow(self, cast, numbers):
        worker = cast.user(Role.GRID_WORKER)
        for n in numbers:
            started = timezone.now() - datetime.timedelta(minutes=10 * (n + 1))
            patrol = ledger.patrol_start(actor=worker, grid=cast.place("G1"), client_id=uuid.uuid4(), started_at=started)
            ledger.visit_record(actor=worker, patrol=patrol, client_id=uuid.uuid4(), visit_type="patrol",
                                visited_at=started)
            ledger.patrol_end(actor=worker, patrol=patrol, ended_at=started + datetime.timedelta(minutes=5))


class Visits(Grow):
    def grow(self, cast, numbers):
        worker = User.objects.get(username="worker_G2")
        started = timezone.now() - datetime.timedelta(hours=self.calls)
        patrol = ledger.patrol_start(actor=worker, grid=cast.place("G2"), client_id=uuid.uuid4(), started_at=started)
        category = FindingCategory.objects.get(code="safety")
        for n in numbers:
            ledger.visit_record(actor=worker, patrol=patrol, client_id=uuid.uuid4(), visit_type="patrol",
                                visited_at=started, category=category, settled=False, photos=[_photo(n)])
        ledger.patrol_end(actor=worker, patrol=patrol, ended_at=started + datetime.timedelta(minutes=30))


class DailyReports(Grow):
    def grow(self, cast, numbers):
        daily_report_build(timezone.localdate() - datetime.timedelta(days=self.calls))


class SpotChecks(Grow):
    def grow(self, cast, numbers):
        for n in numbers:
            ledger.spot_check_record(
                actor=cast.user(Role.DISTRICT_OFFICIAL), grid=cast.place("G3"), client_id=uuid.uuid4(),
                checked_on=timezone.localdate(), findings=f"暗访发现{n}", score=80, photos=[_photo(n)],
            )


class Categories(Grow):
    def grow(self, cast, numbers):
        for n in numbers:  # configuration: kept in the admin, no service
            FindingCategory.objects.create(code=f"extra{n}", name=f"新类别{n}")


class Tags(Grow):
    def grow(self, cast, numbers):
        for n in numbers:
            HouseholdTag.objects.create(code=f"extra{n}", name=f"新标签{n}")


def _rows(answer):
    body = answer.json()
    return body["results"] if isinstance(body, dict) else body


@pytest.mark.parametrize(
    "basename, grow, queries",
    [
        ("household", Households, 4),
        ("site", Sites, 3),
        ("patrol", Patrols, 3),
        ("visit", Visits, 4),
        ("daily-report", DailyReports, 3),
        ("spot-check", SpotChecks, 4),
        ("finding-category", Categories, 2),
        ("household-tag", Tags, 2),
    ],
)
def test_ledger_list_query_count_is_constant(cast, token_client, django_assert_num_queries, basename, grow, queries):
    grow = grow()
    grow(cast)  # at least one row: prefetches only run for a non-empty page
    client = token_client(Role.DISTRICT_OFFICIAL)
    url = reverse(f"api:{basename}-list")
    with django_assert_num_queries(queries):
        before = client.get(url)
    grow(cast)
    with django_assert_num_queries(queries):
        after = client.get(url)
    assert before.status_code == after.status_code == 200
    assert len(_rows(after)) >= len(_rows(before)) + MORE
