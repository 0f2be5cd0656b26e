"""Patrols, visits and the register through the services: never twice, never outside the grid."""

import datetime
import io
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from grids.models import Role
from ledger import services as ledger
from ledger.models import FindingCategory, Household, Patrol, Site, Visit


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def worker(cast):
    return cast.user(Role.GRID_WORKER)


@pytest.fixture
def household(cast):
    return ledger.household_create(actor=cast.user(Role.GRID_HEAD), grid=cast.place("G1"), address="幸福路 1 号",
                                   unit="1单元", room="101", residents=2)


def _photo(color=(10, 120, 200)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), color).save(out, format="JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


def _start(cast, worker, **kw):
    return ledger.patrol_start(actor=worker, grid=cast.place("G1"), client_id=uuid.uuid4(), **kw)


def test_a_patrol_with_visits_and_a_photo(cast, worker, household):
    patrol = _start(cast, worker, lng=113.1, lat=34.7)
    category = FindingCategory.objects.get(code="safety")
    visit = ledger.visit_record(
        actor=worker, patrol=patrol, client_id=uuid.uuid4(), visit_type="household", household=household,
        category=category, finding="楼道堆放杂物", action="已通知清理", settled=False, photos=[_photo()],
    )
    ended = ledger.patrol_end(actor=worker, patrol=patrol, route=[[113.11, 34.71, 1], [113.12, 34.72, 2]])
    assert visit.grid == cast.place("G1") and visit.is_open_finding
    assert visit.photos.count() == 1
    assert ended.duration_seconds >= 0 and len(ended.route) == 3


def test_a_retried_submission_returns_the_record_already_saved(cast, worker):
    key = uuid.uuid4()
    first = ledger.patrol_start(actor=worker, grid=cast.place("G1"), client_id=key)
    again = ledger.patrol_start(actor=worker, grid=cast.place("G1"), client_id=key)
    assert first.pk == again.pk and Patrol.objects.count() == 1
    visit_key = uuid.uuid4()
    v1 = ledger.visit_record(actor=worker, patrol=first, client_id=visit_key, visit_type="patrol")
    v2 = ledger.visit_record(actor=worker, patrol=first, client_id=visit_key, visit_type="patrol")
    assert v1.pk == v2.pk and Visit.objects.count() == 1


def test_a_second_open_patrol_is_refused(cast, worker):
    _start(cast, worker)
    with pytest.raises(ValidationError) as error:
        _start(cast, worker)
    assert "未结束的巡查" in str(error.value)


def test_a_patrol_cannot_end_before_it_starts(cast, worker):
    patrol = _start(cast, worker)
    with pytest.raises(ValidationError) as error:
        ledger.patrol_end(actor=worker, patrol=patrol, ended_at=patrol.started_at - datetime.timedelta(minutes=1))
    assert "不能早于开始时间" in str(error.value)
    assert Patrol.objects.get(pk=patrol.pk).ended_at is None


def test_future_times_are_refused(cast, worker):
    with pytest.raises(ValidationError) as error:
        _start(cast, worker, started_at=timezone.now() + datetime.timedelta(hours=2))
    assert "不能晚于现在" in str(error.value)


def test_a_worker_cannot_patrol_another_grid(cast, worker):
    with pytest.raises(PermissionDenied) as error:
        ledger.patrol_start(actor=worker, grid=cast.place("G1b"), client_id=uuid.uuid4())
    assert "本人负责的网格" in str(error.value)


def test_a_visit_to_a_household_of_another_grid_is_refused(cast, worker):
    elsewhere = ledger.household_create(actor=cast.admin, grid=cast.place("G1b"), address="别处路 9 号")
    patrol = _start(cast, worker)
    with pytest.raises(ValidationError) as error:
        ledger.visit_record(actor=worker, patrol=patrol, client_id=uuid.uuid4(), visit_type="household",
                            household=elsewhere)
    assert "不在本网格内" in str(error.value)
    assert not Visit.objects.exists()


def test_a_visit_names_a_household_or_a_site_not_both(cast, worker, household):
    site = ledger.site_create(actor=cast.user(Role.GRID_HEAD), grid=cast.place("G1"), kind="monitoring_station",
                              name="六一路国控站点", lng=113.1, lat=34.7, duty_radius_m=500)
    patrol = _start(cast, worker)
    with pytest.raises(ValidationError) as error:
        ledger.visit_record(actor=worker, patrol=patrol, client_id=uuid.uuid4(), visit_type="household",
                            household=household, site=site)
    assert error.value.message_dict == {"site": ["一条走访记录只能对应一个住户或一个场所。"]}
    assert not Visit.objects.exists()


def test_a_non_image_photo_saves_nothing(cast, worker):
    patrol = _start(cast, worker)
    bogus = SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        ledger.visit_record(actor=worker, patrol=patrol, client_id=uuid.uuid4(), visit_type="patrol", photos=[bogus])
    assert "不是可识别的图片" in str(error.value)
    assert not Visit.objects.exists()


def test_at_most_five_photos(cast, worker):
    patrol = _start(cast, worker)
    with pytest.raises(ValidationError) as error:
        ledger.visit_record(actor=worker, patrol=patrol, client_id=uuid.uuid4(), visit_type="patrol",
                            photos=[_photo((i, i, i)) for i in range(6)])
    assert "最多 5 张" in str(error.value)


def test_an_inactive_category_is_refused(cast, worker):
    category = FindingCategory.objects.get(code="other")
    category.active = False
    category.save()
    patrol = _start(cast, worker)
    with pytest.raises(ValidationError) as error:
        ledger.visit_record(actor=worker, patrol=patrol, client_id=uuid.uuid4(), visit_type="patrol",
                            category=category, settled=False)
    assert "已停用" in str(error.value)


def test_id_numbers_are_refused_unless_allowed_and_always_masked(cast, settings):
    grid_head = cast.user(Role.GRID_HEAD)
    with pytest.raises(ValidationError) as error:
        ledger.household_create(actor=grid_head, grid=cast.place("G1"), address="甲路 1 号", id_number="11010519491231002X")
    assert "未开启身份证号存储" in str(error.value)
    settings.STORE_ID_NUMBERS = True
    with pytest.raises(ValidationError):
        ledger.household_create(actor=grid_head, grid=cast.place("G1"), address="甲路 1 号", id_number="110105194912310021")
    household = ledger.household_create(actor=grid_head, grid=cast.place("G1"), address="甲路 1 号",
                                        id_number="11010519491231002X")
    assert household.masked_id_number == "110105********002X"


def test_sites_belong_to_a_grid(cast):
    site = ledger.site_create(actor=cast.user(Role.GRID_HEAD), grid=cast.place("G1"), kind="monitoring_station",
                              name="六一路国控站点", lng=113.1, lat=34.7, duty_radius_m=500)
    assert Site.objects.visible_to(cast.user(Role.GRID_WORKER)).filter(pk=site.pk).exists()
    assert not Site.objects.visible_to(cast.user(Role.DEPARTMENT_STAFF)).exists()
    assert Household.objects.visible_to(cast.user(Role.STREET_OFFICIAL)).count() == 0
