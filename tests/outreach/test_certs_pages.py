"""The certificate pages: the staff's list, issue form, detail, PDF and revoke; the public verification page."""

from __future__ import annotations

import datetime
import shutil
import subprocess

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from outreach import services
from outreach.models import Certificate, CertificateVerification
from tests.outreach import certs_world as w
from tests.scope.matrix import BACKEND

TODAY = timezone.localdate()


@pytest.fixture
def team(cast):
    org = w.org(cast.places["C1"])
    who = w.volunteer(cast.places["G1"])
    w.record(who, org, datetime.date(2026, 3, 7), 120, title="垃圾分类宣讲")
    w.record(who, org, datetime.date(2026, 4, 11), 90, title="校园环保课")
    w.honour(who, org, 300, cast.user("community_official"))
    return {"org": org, "who": who, "official": cast.user("community_official")}


@pytest.fixture
def official(client, team):
    client.force_login(team["official"], backend=BACKEND)
    return client


def _issue(team, who=None):
    return services.certificate_issue(actor=team["official"], organization=team["org"], volunteer=who or team["who"],
                                      period_from=datetime.date(2026, 1, 1), period_to=TODAY)


def test_the_issue_form_shows_the_verified_hours_it_will_cover(official, team):
    response = official.get(reverse("outreach_certs:issue"), {
        "organization": team["org"].pk, "volunteer": team["who"].pk, "period_from": "2026-01-01",
        "period_to": str(TODAY)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "服务时长 3.5 小时（2 条记录）" in page and "荣誉时长 5.0 小时（另计）" in page


def test_issuing_from_the_page_leads_to_the_certificate(official, team):
    data = {"organization": team["org"].pk, "volunteer": team["who"].pk, "period_from": "2026-01-01",
            "period_to": str(TODAY), "content": "", "idempotency_key": "8d1f5c39-1111-4d1a-9e1e-000000000001"}
    response = official.post(reverse("outreach_certs:issue"), data)
    certificate = Certificate.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("outreach_certs:detail",
                                                                           args=[certificate.pk])
    assert official.post(reverse("outreach_certs:issue"), data).status_code == 302  # a double click: one
    assert Certificate.objects.count() == 1


def test_the_page_says_why_pending_hours_are_refused(official, team):
    w.record(team["who"], team["org"], datetime.date(2026, 7, 1), 60, status="pending")
    response = official.post(reverse("outreach_certs:issue"), {
        "organization": team["org"].pk, "volunteer": team["who"].pk, "period_from": "2026-01-01",
        "period_to": str(TODAY), "content": ""})
    assert response.status_code == 400
    assert "只能为已确认的时长出具证明" in response.content.decode()
    assert not Certificate.objects.exists()


def test_a_grid_worker_has_no_issue_form(client, team, cast):
    client.force_login(cast.user("grid_worker"), backend=BACKEND)
    assert client.get(reverse("outreach_certs:issue")).status_code == 404


def test_the_list_keeps_its_query_count_as_it_grows(official, team, cast, django_assert_max_num_queries):
    _issue(team)
    with django_assert_max_num_queries(12) as small:
        assert official.get(reverse("outreach_certs:list")).status_code == 200
    for index in range(8):
        who = w.volunteer(cast.places["G1"], f"志愿者{index}")
        w.record(who, team["org"], datetime.date(2026, 5, 1 + index), 60)
        _issue(team, who)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = official.get(reverse("outreach_certs:list"))
    assert len(response.context["rows"]) == 9


def test_detail_counts_verifications_and_revoking_shows_on_the_public_page(official, client, team):
    certificate = _issue(team)
    public = reverse("certs_public:verify", args=[certificate.token])
    official.logout()
    assert client.get(public).status_code == 200
    assert client.get(public, HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile").status_code == 200
    assert list(CertificateVerification.objects.values_list("agent", flat=True).order_by("pk")) == ["other", "phone"]
    client.force_login(team["official"], backend=BACKEND)
    detail = client.get(reverse("outreach_certs:detail", args=[certificate.pk]))
    assert detail.context["c"].verification_count == 2
    response = client.post(reverse("outreach_certs:revoke", args=[certificate.pk]),
                           {"reason": "", "version": certificate.version})
    assert response.status_code == 400 and "作废原因" in response.content.decode()
    client.post(reverse("outreach_certs:revoke", args=[certificate.pk]),
                {"reason": "志愿者姓名有误", "version": certificate.version})
    client.logout()
    page = client.get(public).content.decode()
    assert "此证明已作废" in page and "真实有效" not in page


def test_the_public_page_shows_partial_data_only(client, team):
    certificate = _issue(team)
    response = client.get(reverse("certs_public:verify", args=[certificate.token]))
    page = response.content.decode()
    assert response.status_code == 200 and response["Referrer-Policy"] == "no-referrer"
    assert "张*明" in page and "张晓明" not in page and team["who"].mobile not in page
    assert "此证明真实有效" in page and certificate.number in page and "3.5 小时" in page
    assert "环保志愿服务队" in page and "5.0 小时" in page
    assert CertificateVerification.objects.filter(certificate=certificate).count() == 1


def test_an_unknown_token_is_a_clear_404(client, team):
    response = client.get(reverse("certs_public:verify", args=["no-such-certificate-token"]))
    assert response.status_code == 404 and "未找到该证明" in response.content.decode()
    assert not CertificateVerification.objects.exists()


@override_settings(CERTIFICATE_VERIFY_PER_IP="3/h")
def test_verifications_are_rate_limited_per_address(client, team):
    certificate = _issue(team)
    url = reverse("certs_public:verify", args=[certificate.token])
    assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert CertificateVerification.objects.count() == 3
    assert client.get(url, REMOTE_ADDR="10.0.0.9").status_code == 200  # another address is not held back


def test_the_api_lists_certificates_in_scope(client, team, cast, django_assert_max_num_queries):
    certificate = _issue(team)
    client.force_login(cast.user("street_official"), backend=BACKEND)
    with django_assert_max_num_queries(12) as small:
        rows = client.get(reverse("api:certificate-list")).json()["results"]
    assert [(r["number"], r["service_minutes"], r["honour_minutes"], r["valid"]) for r in rows] == [
        (certificate.number, 210, 300, True)]
    for index in range(6):
        who = w.volunteer(cast.places["G1"], f"志愿者{index}")
        w.record(who, team["org"], datetime.date(2026, 5, 1 + index), 60)
        _issue(team, who)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get(reverse("api:certificate-list")).json()["results"]) == 7
    client.force_login(cast.user("department_staff"), backend=BACKEND)
    assert client.get(reverse("api:certificate-detail", args=[certificate.pk])).status_code == 404


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils")
def test_the_pdf_renders_in_chinese_with_the_qr_code(official, team):
    certificate = _issue(team)
    started = timezone.now()
    response = official.get(reverse("outreach_certs:pdf", args=[certificate.pk]))
    seconds = (timezone.now() - started).total_seconds()
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert seconds < 5, seconds
    path = "/tmp/certs-certificate.pdf"
    with open(path, "wb") as out:
        out.write(response.content)
    text = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True).stdout
    for part in ("志愿服务记录证明", "张晓明", "3.5", "5.0", "环保志愿服务队", certificate.number, "垃圾分类宣讲"):
        assert part in text, part
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", path, "/tmp/certs-certificate"], check=True)
    # The QR code on the page leads to the public verification address.
    import zxingcpp
    from PIL import Image

    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", path, "/tmp/certs-certificate-hi"], check=True)
    found = zxingcpp.read_barcodes(Image.open("/tmp/certs-certificate-hi.png"))
    assert [code.text for code in found] == [f"http://testserver/zhengshu/{certificate.token}/"]
