"""A grid worker's patrol on a phone: visits logged with no signal wait on the phone and arrive once each."""

import io
import json

import pytest
from PIL import Image
from playwright.sync_api import expect

from grids.models import Role
from ledger import services as ledger
from ledger.models import FindingCategory, Patrol, Visit
from tests.cast import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _jpeg() -> dict:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 120, 200)).save(out, format="JPEG")
    return {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def _queue_count(page) -> int:
    return int(page.locator("#patrol-app").get_attribute("data-queue-count") or "0")


def _wait_queue_empty(page, timeout=45_000):
    page.wait_for_selector("#patrol-app[data-queue-count='0']", state="attached", timeout=timeout)


def test_worker_logs_visits_offline_and_they_arrive_once(live_server, phone, screenshot):
    cast = build_cast()
    # Reference data seeded by a migration; a transactional test before this one may have flushed it.
    FindingCategory.objects.get_or_create(code="safety", defaults={"name": "安全隐患"})
    worker = cast.user(Role.GRID_WORKER)
    ledger.household_create(actor=cast.user(Role.GRID_HEAD), grid=cast.place("G1"), address="幸福路 1 号",
                            unit="1单元", room="101", head_name="张三")
    context = phone.context
    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation({"latitude": 34.7, "longitude": 113.1})

    phone.goto(f"{live_server.url}/accounts/login/")
    phone.fill("#id_username", worker.username)
    phone.fill("#id_password", PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(f"{live_server.url}/places/{cast.place('G1').code}/")
    phone.locator("[data-patrol-link]").click()
    phone.wait_for_url(f"{live_server.url}/patrol/")
    screenshot(phone, "patrol-start-phone", full_page=False)

    phone.get_by_role("button", name="开始巡查").click()
    phone.wait_for_selector("[data-open-panel]:not([hidden])")
    phone.wait_for_function(f"() => (JSON.parse(localStorage.getItem('wudu-patrol-current-{worker.pk}')) || {{}}).id")
    _wait_queue_empty(phone)
    patrol = Patrol.objects.get(worker=worker)
    assert patrol.is_open and patrol.route and patrol.route[0][:2] == [113.1, 34.7]
    # Reload once online: the page comes from the server now (and the service worker keeps a copy).
    # The service worker installed on the first page; once it is active, a page it does not control yet (it
    # claims open pages, but a slow install on a shared CI machine can miss this one) is controlled after a reload.
    phone.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)", timeout=60_000)
    if not phone.evaluate("() => navigator.serviceWorker.controller !== null"):
        phone.reload()
    phone.wait_for_function("() => navigator.serviceWorker.controller !== null")
    phone.reload()
    phone.wait_for_selector("[data-open-panel]:not([hidden])")

    taps = 0

    def tap(locator):
        nonlocal taps
        locator.click()
        taps += 1

    # One visit: type, household, finding, 保存 — with a photo from the camera input.
    tap(phone.locator("label[for='vt-household']"))
    tap(phone.locator("[data-household]", has_text="幸福路 1 号"))
    tap(phone.get_by_text("安全隐患", exact=True))
    phone.set_input_files("[data-photos]", files=[_jpeg()])
    assert phone.locator("[data-photo-count]").inner_text() == "已选 1 张"
    tap(phone.get_by_role("button", name="保存"))
    assert taps <= 4
    _wait_queue_empty(phone)
    phone.wait_for_selector("[data-visit-list] [data-visit]:not(.waiting)")
    first = Visit.objects.get(patrol=patrol)
    assert first.household.head_name == "张三" and first.category.code == "safety" and first.settled
    assert first.photos.count() == 1
    assert phone.locator("[data-visit-count]").inner_text() == "1"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "patrol-online-phone")

    # No signal: two more visits wait on the phone.
    context.set_offline(True)
    phone.locator("label[for='vt-patrol']").click()
    phone.get_by_role("button", name="保存").click()
    # One at a time, as a person would: the form is ready for the next visit once the first one waits.
    phone.wait_for_selector("#patrol-app[data-queue-count='1']", state="attached")
    phone.locator("label[for='vt-follow_up']").click()
    phone.locator("[data-household]", has_text="幸福路 1 号").click()
    phone.get_by_role("button", name="保存").click()
    phone.wait_for_selector("#patrol-app[data-queue-count='2']", state="attached")
    phone.wait_for_timeout(300)  # a send attempt fails while offline; the items stay
    assert _queue_count(phone) == 2
    queue = phone.locator("[data-queue]")
    assert queue.is_visible() and "待上传 2 条" in queue.inner_text().replace("\n", " ")
    assert phone.locator("[data-queue-list] li").count() == 2
    assert phone.locator("[data-visit-list] [data-visit].waiting").count() == 2
    assert phone.locator("[data-offline-badge]").is_visible()
    assert Visit.objects.filter(patrol=patrol).count() == 1
    # The page opens with no signal (service worker) and the queue is still there.
    phone.reload()
    phone.wait_for_selector("#patrol-app[data-queue-count='2']", state="attached")
    assert phone.locator("[data-visit-list] [data-visit].waiting").count() == 2
    # The cached copy predates the first visit; the phone's own log still lists it.
    assert phone.locator("[data-visit-list] [data-visit]").count() == 3
    assert phone.locator("[data-visit-count]").inner_text() == "3"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "patrol-offline-2-waiting-phone")

    # Back online: the queue empties itself, in order, each visit once.
    context.set_offline(False)
    _wait_queue_empty(phone)
    assert phone.locator("[data-queue]").is_hidden()
    assert phone.locator("[data-visit-list] [data-visit].waiting").count() == 0
    visits = Visit.objects.filter(patrol=patrol).order_by("visited_at")
    assert [v.visit_type for v in visits] == ["household", "patrol", "follow_up"]
    client_ids = list(visits.values_list("client_id", flat=True))
    assert len(client_ids) == 3 and len(set(client_ids)) == 3
    assert visits[2].household is not None and visits[1].household is None
    screenshot(phone, "patrol-synced-phone")

    # A retry of a queued item already answered (its answer lost) gives the same record, not a second one.
    visit = visits[2]
    answer = phone.evaluate(
        """async ([url, clientId]) => {
            const body = new FormData();
            body.append('client_id', clientId); body.append('visit_type', 'follow_up');
            const token = document.cookie.match(/csrftoken=([^;]+)/)[1];
            const r = await fetch(url, {method: 'POST', body, headers: {Accept: 'application/json', 'X-CSRFToken': token}});
            return [r.status, await r.text()];
        }""",
        [f"/patrol/{patrol.pk}/visits/", str(visit.client_id)],
    )
    assert answer[0] == 201 and json.loads(answer[1])["id"] == visit.pk
    assert Visit.objects.filter(patrol=patrol).count() == 3

    # The worker walks on: the phone keeps the route while the patrol is open.
    for step in (1, 2):
        context.set_geolocation({"latitude": 34.7 + 0.002 * step, "longitude": 113.1 + 0.002 * step})
        phone.wait_for_function(
            f"() => JSON.parse(localStorage.getItem('wudu-route-' + "
            f"JSON.parse(localStorage.getItem('wudu-patrol-current-{worker.pk}')).client_id) || '[]')"
            f".some(p => Math.abs(p[1] - {34.7 + 0.002 * step}) < 1e-6)"
        )

    # 结束巡查 asks first, with the figures, then closes it on the server, with the route.
    phone.locator("[data-end-confirm] > summary").click()
    # (the figures are filled by the details' toggle event, which the browser fires a moment after the click)
    expect(phone.locator("[data-end='visits']")).to_have_text("3")
    phone.get_by_role("button", name="确认结束").click()
    phone.wait_for_selector("[data-start-panel]:not([hidden])")
    assert phone.locator("[data-ended-summary]").is_visible()
    expect(phone.locator("[data-sum='visits']")).to_have_text("3")
    expect(phone.locator("[data-sum='findings']")).to_have_text("1")
    _wait_queue_empty(phone)
    patrol.refresh_from_db()
    assert not patrol.is_open
    assert patrol.route[0][:2] == [113.1, 34.7] and patrol.route[-1][:2] == pytest.approx([113.104, 34.704])
    assert len(patrol.route) >= 3

    offline_noise = ("ERR_INTERNET_DISCONNECTED", "Failed to load resource: net::")
    assert [p for p in phone.problems if not any(n in p for n in offline_noise)] == []
