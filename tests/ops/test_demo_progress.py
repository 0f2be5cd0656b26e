"""While `make run` adds the demo history behind the serving site, signed-in pages say how far it has come; once it
is done (or its process is gone) they say nothing, and without a fill the banner asks the database nothing."""

import json

import pytest
from django.urls import reverse

from grids.models import Role
from wudu import demo_progress


@pytest.fixture
def record(settings, tmp_path):
    settings.DEMO_PROGRESS_FILE = tmp_path / "demo-progress.json"
    yield settings.DEMO_PROGRESS_FILE
    demo_progress.finish()


def test_signed_in_pages_show_how_far_the_demo_history_has_come(client, cast, record):
    client.force_login(cast.user(Role.GRID_WORKER))
    demo_progress.begin()
    demo_progress.report("cases", 50, 100)  # half of the cases: 63 % + half of their 30 %

    response = client.get(reverse("home"), follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert "演示数据正在生成：78%。" in page and "正在补录事件" in page
    demo_progress.report("cases", 100, 100)  # the last step of a stage is written at once
    assert json.loads(record.read_text())["percent"] == 93

    demo_progress.finish()
    assert "演示数据正在生成" not in client.get(reverse("home"), follow=True).content.decode()


def test_a_fill_whose_process_is_gone_shows_nothing_nor_to_visitors(client, cast, record):
    demo_progress.begin()
    assert "演示数据正在生成" not in client.get(reverse("login")).content.decode()  # anonymous: never
    record.write_text(json.dumps({"state": "running", "pid": 2 ** 22 + 1, "percent": 40, "stage": "ledger"}))
    client.force_login(cast.user(Role.GRID_WORKER))

    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 200 and "网格通" in response.content.decode()
    assert "演示数据正在生成" not in response.content.decode()  # stopped with Ctrl-C


def test_a_foreground_load_keeps_no_record(record):
    demo_progress.report("ledger", 1, 10)  # `make demo`, a test: no background fill began

    assert not record.exists()


def test_the_sign_in_page_says_the_demo_accounts_are_being_created_while_they_are(client, record):
    demo_progress.begin()
    demo_progress.report("accounts", 1, 3)  # the district and the demo accounts' communities are being built

    assert "演示账号正在创建，请稍候片刻再登录。" in client.get(reverse("login")).content.decode()
    demo_progress.report("accounts", 3, 3)
    demo_progress.report("district", 1, 40)  # the accounts stand; the other communities follow
    assert "演示账号正在创建" not in client.get(reverse("login")).content.decode()
