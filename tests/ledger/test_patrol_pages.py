"""The phone patrol pages: start, visit with a photo, end; retries; Chinese errors; only grid staff."""

import datetime
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from grids.models import Role
from ledger import services as ledger
from ledger.models import FindingCategory, Patrol, Visit

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def worker(cast):
    return cast.user(Role.GRID_WORKER)


@pytest.fixture
def worker_client(client, worker):
    client.force_login(worker)
    return client


@pytest.fixture
def household(cast):
    return ledger.household_create(actor=cast.user(Role.GRID_HEAD), grid=cast.place("G1"), address="幸福路 1 号",
                                   unit="1单元", room="101", head_name="张三")


def _photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, format="JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


def _start(client, cast, key=None):
    key = key or uuid.uuid4()
    return client.post(reverse("patrol:start"), {"client_id": key, "grid": cast.place("G1").pk}, **JSON), key


def test_grid_worker_starts_logs_a_visit_with_a_photo_and_ends(worker_client, cast, worker, household):
    response, _key = _start(worker_client, cast)
    assert response.status_code == 201
    patrol = Patrol.objects.get(pk=response.json()["id"])
    assert patrol.worker == worker and patrol.is_open

    page = worker_client.get(reverse("patrol:home"))
    assert page.status_code == 200
    assert "记录走访" in page.content.decode() and "结束巡查" in page.content.decode()
    assert "幸福路 1 号" in page.content.decode()

    category = FindingCategory.objects.filter(active=True).first()
    response = worker_client.post(reverse("patrol:visit", args=[patrol.pk]), {
        "client_id": uuid.uuid4(), "visit_type": "household", "household": household.pk, "category": category.pk,
        "unsettled": "on", "finding": "楼道堆放杂物", "photos": [_photo()],
    }, **JSON)
    assert response.status_code == 201, response.content
    visit = Visit.objects.get(pk=response.json()["id"])
    assert visit.household == household and not visit.settled and visit.photos.count() == 1

    response = worker_client.post(reverse("patrol:end", args=[patrol.pk]), {"client_id": uuid.uuid4()}, **JSON)
    assert response.status_code == 201
    patrol.refresh_from_db()
    assert not patrol.is_open and patrol.duration_seconds >= 0


def test_plain_forms_work_without_javascript(worker_client, cast):
    response = worker_client.post(reverse("patrol:start"), {"client_id": uuid.uuid4(), "grid": cast.place("G1").pk})
    assert response.status_code == 302 and response.url == reverse("patrol:home")
    patrol = Patrol.objects.get()
    response = worker_client.post(reverse("patrol:visit", args=[patrol.pk]),
                                  {"client_id": uuid.uuid4(), "visit_type": "patrol"}, follow=True)
    assert "走访记录已保存。" in response.content.decode()
    assert patrol.visits.get().settled  # 当场解决 by default
    response = worker_client.post(reverse("patrol:end", args=[patrol.pk]), {"client_id": uuid.uuid4()}, follow=True)
    assert "巡查已结束。" in response.content.decode()


def test_a_retry_with_the_same_client_id_returns_the_same_record(worker_client, cast):
    first, key = _start(worker_client, cast)
    again, _key = _start(worker_client, cast, key)
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    patrol_id = first.json()["id"]
    visit_key = uuid.uuid4()
    answers = [worker_client.post(reverse("patrol:visit", args=[patrol_id]),
                                  {"client_id": visit_key, "visit_type": "patrol", "photos": [_photo()]}, **JSON)
               for _i in range(2)]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert Visit.objects.filter(client_id=visit_key).count() == 1 and Visit.objects.get().photos.count() == 1


def test_a_household_of_another_grid_is_refused_in_chinese(worker_client, cast):
    other = ledger.household_create(actor=cast.admin, grid=cast.place("G1b"), address="别处路 9 号")
    response, _key = _start(worker_client, cast)
    answer = worker_client.post(reverse("patrol:visit", args=[response.json()["id"]]),
                                {"client_id": uuid.uuid4(), "visit_type": "household", "household": other.pk}, **JSON)
    assert answer.status_code == 400
    assert answer.json() == {"household": ["该住户不在本网格内，只能走访本网格的住户。"]}
    assert not Visit.objects.exists()


def test_a_patrol_that_ends_before_it_starts_is_refused_in_chinese(worker_client, cast):
    response, _key = _start(worker_client, cast)
    patrol = Patrol.objects.get(pk=response.json()["id"])
    too_early = patrol.started_at - datetime.timedelta(hours=1)
    answer = worker_client.post(reverse("patrol:end", args=[patrol.pk]),
                                {"client_id": uuid.uuid4(), "ended_at": too_early.isoformat()}, **JSON)
    assert answer.status_code == 400
    assert answer.json() == {"ended_at": ["巡查结束时间不能早于开始时间。"]}


def test_missing_fields_answer_in_chinese(worker_client, cast):
    response, _key = _start(worker_client, cast)
    answer = worker_client.post(reverse("patrol:visit", args=[response.json()["id"]]), {"client_id": "x"}, **JSON)
    assert answer.status_code == 400
    assert answer.json()["visit_type"] == ["请选择走访类型。"]
    assert all("\u4e00" <= message[0] <= "\u9fff" for messages in answer.json().values() for message in messages)


def test_a_second_open_patrol_is_refused(worker_client, cast):
    _start(worker_client, cast)
    answer, _key = _start(worker_client, cast)
    assert answer.status_code == 400 and answer.json() == {"__all__": ["您已有一次未结束的巡查，请先结束它。"]}


@pytest.mark.parametrize("role", [Role.COMMUNITY_OFFICIAL, Role.DEPARTMENT_STAFF, Role.INSTRUCTOR])
def test_users_without_a_grid_post_are_refused(client, cast, role):
    client.force_login(cast.user(role))
    page = client.get(reverse("patrol:home"))
    assert page.status_code == 403 and "仅供网格员和网格长使用" in page.content.decode()
    answer, _key = _start(client, cast)
    assert answer.status_code == 403 and not Patrol.objects.exists()


def test_another_workers_patrol_cannot_take_visits(client, cast, worker):
    patrol = ledger.patrol_start(actor=worker, grid=cast.place("G1"), client_id=uuid.uuid4())
    client.force_login(cast.user(Role.GRID_HEAD))  # sees G1's patrols, but this one is not theirs
    answer = client.post(reverse("patrol:visit", args=[patrol.pk]), {"client_id": uuid.uuid4(), "visit_type": "patrol"},
                         **JSON)
    assert answer.status_code == 403 and answer.json()["__all__"] == ["只能在本人的巡查中记录走访。"]
    client.force_login(cast.user(Role.GRID_WORKER).__class__.objects.get(username="worker_G2"))
    assert client.post(reverse("patrol:end", args=[patrol.pk]), **JSON).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client):
    assert client.get(reverse("patrol:home")).status_code == 302


def test_the_grid_terminal_links_grid_workers_to_the_patrol(worker_client, cast):
    page = worker_client.get(reverse("terminal", args=[cast.place("G1").code]))
    assert reverse("patrol:home") in page.content.decode()


def _fill(cast, worker, n):
    patrol = Patrol.objects.filter(worker=worker, ended_at__isnull=True).first() or ledger.patrol_start(
        actor=worker, grid=cast.place("G1"), client_id=uuid.uuid4(), started_at=timezone.now())
    categories = list(FindingCategory.objects.filter(active=True))
    for i in range(n):
        household = ledger.household_create(actor=worker, grid=cast.place("G1"), address=f"测试路 {uuid.uuid4().hex[:6]} 号")
        ledger.visit_record(actor=worker, patrol=patrol, client_id=uuid.uuid4(), visit_type="household",
                            household=household, category=categories[i % len(categories)], settled=False)


def test_the_patrol_page_query_count_does_not_grow(worker_client, cast, worker, django_assert_num_queries):
    _fill(cast, worker, 2)
    # … and one for today's minutes of the worker's grids (the timer against the minimum)
    with django_assert_num_queries(10) as small:
        worker_client.get(reverse("patrol:home"))
    _fill(cast, worker, 12)
    with django_assert_num_queries(len(small.captured_queries)):
        response = worker_client.get(reverse("patrol:home"))
    assert response.content.decode().count("data-visit data-client-id") == 14


def test_an_oversized_finding_is_refused_with_the_limit_and_nothing_is_saved(worker_client, cast):
    response, _key = _start(worker_client, cast)
    answer = worker_client.post(reverse("patrol:visit", args=[response.json()["id"]]), {
        "client_id": uuid.uuid4(), "visit_type": "patrol", "finding": "查" * 501}, **JSON)
    assert answer.status_code == 400
    assert "500" in answer.json()["finding"][0] and "字符" in answer.json()["finding"][0]
    assert not Visit.objects.exists()


def test_a_retried_visit_after_the_patrol_ended_is_answered_like_the_first(worker_client, cast):
    """The phone's queue may resend a visit after the patrol is over: same 201 and the same record."""
    started, _key = _start(worker_client, cast)
    patrol_id, visit_key = started.json()["id"], uuid.uuid4()

    def send():
        return worker_client.post(reverse("patrol:visit", args=[patrol_id]),
                                  {"client_id": visit_key, "visit_type": "patrol", "finding": "路灯不亮"}, **JSON)

    first = send()
    worker_client.post(reverse("patrol:end", args=[patrol_id]), {"client_id": uuid.uuid4()}, **JSON)
    retry = send()
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and Visit.objects.count() == 1
