"""An approval with a certificate: the PDF (Chinese, the applicant and the item on it, a QR code to the public
verification page), served to the applicant and the handling unit only, and the verification page."""

import shutil
import subprocess
import time

import pytest
from django.urls import reverse

from affairs import services
from affairs.models import Certificate, ResultKind
from grids.models import Role
from tests.affairs.conftest import key, submit

pytestmark = pytest.mark.django_db
STATEMENT = "该居民自2024年3月起在董庄社区居住至今"


def approve(cast, item, kind=ResultKind.CERTIFICATE, result=STATEMENT):
    application, token = submit(item)
    official = cast.user(Role.COMMUNITY_OFFICIAL)
    for action, inputs in (("receive", {}), ("accept", {}), ("process", {}),
                           ("approve", {"result_kind": kind, "result": result})):
        services.application_act(actor=official, application=application, action=action,
                                 version=application.version, key=key(), **inputs)
    return application, token


def test_an_approval_with_a_certificate_issues_one_with_an_unguessable_code(cast, item):
    application, _token = approve(cast, item)
    certificate = application.certificate
    assert (certificate.item_name, certificate.applicant_name, certificate.statement, certificate.unit_name) == (
        "居住证明", "王女士", STATEMENT, cast.place("C1").name)
    assert certificate.number == "ZM" + application.reference[1:]
    assert len(certificate.code) >= 22 and certificate.code not in (application.reference, certificate.number)
    other, _token = approve(cast, item)
    assert other.certificate.code != certificate.code


def test_an_approval_to_collect_issues_no_certificate(cast, item):
    approve(cast, item, kind=ResultKind.COLLECT, result="请于工作日到社区服务站领取")
    assert not Certificate.objects.exists()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")
def test_the_applicant_downloads_the_pdf_in_chinese_with_a_qr_code_to_the_verify_page(client, cast, item):
    application, token = approve(cast, item)
    page = client.get(reverse("affairs:track", args=[token])).content.decode()
    assert reverse("affairs:track_certificate", args=[token]) in page
    started = time.monotonic()
    response = client.get(reverse("affairs:track_certificate", args=[token]))
    seconds = time.monotonic() - started
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf", response.status_code
    path = "/tmp/aff2/certificate.pdf"
    with open(path, "wb") as out:
        out.write(response.content)
    text = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True).stdout
    number = application.certificate.number
    for part in ("证明", "王女士", "居住证明", STATEMENT, cast.place("C1").name, number):
        assert part in text, part
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", path, "/tmp/aff2/certificate"], check=True)
    url = f"http://testserver/affairs/verify/{application.certificate.code}/"
    try:
        import zxingcpp
        from PIL import Image
    except ImportError:  # no decoder: the address is at least printed under the code
        assert url in text.replace("\n", "")
    else:
        assert [c.text for c in zxingcpp.read_barcodes(Image.open("/tmp/aff2/certificate.png"))] == [url]
    started = time.monotonic()
    client.get(reverse("affairs:track_certificate", args=[token]))
    print(f"certificate PDF: {len(response.content) // 1024} KB in {seconds:.2f} s, then {time.monotonic() - started:.2f} s")


def test_the_verify_page_shows_what_it_states_masked_and_whether_it_is_valid(client, cast, item):
    application, _token = approve(cast, item)
    certificate = application.certificate
    url = reverse("affairs:verify", args=[certificate.code])
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200 and 'data-verdict="valid"' in page
    assert "王*士" in page and "王女士" not in page and application.applicant_mobile not in page
    assert "居住证明" in page and STATEMENT in page and certificate.number in page
    assert response["X-Robots-Tag"] == "noindex"
    services.certificate_revoke(actor=cast.user(Role.COMMUNITY_OFFICIAL), certificate=certificate, reason="登记有误")
    page = client.get(url).content.decode()
    assert 'data-verdict="revoked"' in page and "此证明已作废" in page


def test_an_unknown_code_says_the_certificate_is_not_found(client, cast, item):
    approve(cast, item)
    response = client.get(reverse("affairs:verify", args=["x" * 22]))
    assert response.status_code == 404 and "未找到该证明" in response.content.decode()


def test_the_verify_page_is_throttled_per_network(client, cast, item, settings):
    settings.AFFAIRS_VERIFY_PER_IP = "2/h"
    application, _token = approve(cast, item)
    url = reverse("affairs:verify", args=[application.certificate.code])
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]


def test_only_the_handling_unit_and_the_applicant_get_the_pdf(client, cast, item):
    application, _token = approve(cast, item)
    url = reverse("affairs:certificate", args=[application.reference])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(cast.user(Role.STREET_OFFICIAL))  # reads the application, not the applicant's data
    assert client.get(url).status_code == 403
    client.force_login(cast.user(Role.GRID_WORKER))
    assert client.get(url).status_code == 404
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert client.get(reverse("affairs:track_certificate", args=["nope"])).status_code == 404


def test_only_the_handling_unit_revokes_and_a_revocation_needs_a_reason(client, cast, item):
    application, _token = approve(cast, item)
    url = reverse("affairs:revoke_certificate", args=[application.reference])
    client.force_login(cast.user(Role.STREET_OFFICIAL))
    assert client.post(url, {"reason": "x"}).status_code == 403
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "登记有误"}).status_code == 302
    application.certificate.refresh_from_db()
    assert application.certificate.revoked_reason == "登记有误"


def test_the_new_staff_pages_send_the_anonymous_to_the_login_page(client, cast, item):
    application, _token = approve(cast, item)
    for name in ("certificate", "revoke_certificate", "rectify"):
        url = reverse(f"affairs:{name}", args=[application.reference])
        response = client.post(url) if name != "certificate" else client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], name
