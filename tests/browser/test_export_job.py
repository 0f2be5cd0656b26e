"""An export job's page in a real browser: the bar follows the job's progress (the page asks its status), and when
the file is ready the page says so and the download starts by itself."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from wudu import exports
from wudu.models import ExportJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_bar_follows_the_job_and_the_file_downloads_when_ready(live_server, phone, screenshot, settings_dir):
    owner = get_user_model().objects.create_user(username="export_owner", password="Weidu-2026-export")
    client = Client()
    client.force_login(owner)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    phone.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    now = timezone.now()
    job = ExportJob.objects.create(
        owner=owner, kind="test.csv", params={}, params_key="k", label="走访台账 · PDF", status="running", done=30,
        total=100, created_at=now, expires_at=now + datetime.timedelta(hours=72))

    phone.goto(f"{live_server.url}/exports/{job.pk}/")
    assert phone.locator("#export-progress").get_attribute("value") == "30"
    ExportJob.objects.filter(pk=job.pk).update(done=60)
    expect(phone.locator("#export-progress")).to_have_attribute("value", "60", timeout=10_000)
    screenshot(phone, "export-job-phone")

    name = exports.storage().save(f"{owner.pk}/t.csv", ContentFile(b"a,b\n"))
    with phone.expect_download(timeout=15_000) as download:
        ExportJob.objects.filter(pk=job.pk).update(status="done", file=name, filename="台账.csv",
                                                   content_type="text/csv", rows=1, finished_at=timezone.now())
    assert download.value.suggested_filename == "台账.csv"
    assert phone.locator(".export-when-done").is_visible()
    assert not phone.problems


@pytest.fixture
def settings_dir(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
