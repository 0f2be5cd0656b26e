import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from grids.models import Role, User


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (3000, 2000), (200, 30, 30))
    exif = Image.Exif()
    exif[0x8825] = {2: (34.0, 1.0, 30.0)}  # GPSInfo
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_worker_uploads_a_photo_which_is_shrunk_and_stripped_of_location(client, cast):
    client.force_login(cast.user(Role.GRID_WORKER))
    upload = SimpleUploadedFile("me.jpg", _jpeg_with_gps(), content_type="image/jpeg")
    response = client.post(reverse("profile"), {"real_name": "网格员甲", "mobile": "13900000001", "photo": upload})
    assert response.status_code == 302
    user = User.objects.get(pk=cast.user(Role.GRID_WORKER).pk)
    with Image.open(user.photo.path) as saved:
        assert saved.format == "JPEG"
        assert max(saved.size) == 600
        assert not saved.getexif()


def test_a_file_that_is_not_an_image_is_refused_and_nothing_changes(client, cast):
    client.force_login(cast.user(Role.GRID_WORKER))
    upload = SimpleUploadedFile("me.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    response = client.post(reverse("profile"), {"real_name": "改名", "mobile": "13900000001", "photo": upload})
    assert response.status_code == 400
    assert "不是可识别的图片" in response.content.decode()
    user = User.objects.get(pk=cast.user(Role.GRID_WORKER).pk)
    assert user.real_name == "网格员甲" and not user.photo


def test_an_oversize_photo_is_refused(client, cast):
    client.force_login(cast.user(Role.GRID_WORKER))
    upload = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (5 * 1024 * 1024 + 10), content_type="image/jpeg")
    response = client.post(reverse("profile"), {"real_name": "网格员甲", "mobile": "13900000001", "photo": upload})
    assert response.status_code == 400
    assert "5 MB" in response.content.decode()


def test_profile_mobile_is_validated(client, cast):
    client.force_login(cast.user(Role.GRID_WORKER))
    response = client.post(reverse("profile"), {"real_name": "网格员甲", "mobile": "139"})
    assert response.status_code == 400
    assert "11 位手机号码" in response.content.decode()
