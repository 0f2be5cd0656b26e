"""A body Django refuses before any view reads it (more files than DATA_UPLOAD_MAX_NUMBER_FILES) is answered under
/api/ as the schema documents a 400 — JSON with a `detail` — and nothing is saved; pages keep Django's own 400."""

from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Case
from grids.models import Role


def files(n):
    return [SimpleUploadedFile(f"p{i}.jpg", b"\xff\xd8\xff", content_type="image/jpeg") for i in range(n)]


def test_too_many_files_answer_the_apis_json_400(cast, client, settings):
    client.force_login(cast.user(Role.GRID_WORKER))
    before = Case.objects.count()
    response = client.post("/api/v1/cases/", {"title": "楼道堆物", "photos": files(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "文件超过上限" in response.json()["detail"]
    assert Case.objects.count() == before


def test_a_page_keeps_djangos_own_400(client, settings):
    response = client.post("/suqiu/", {"photos": files(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
