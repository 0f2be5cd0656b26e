"""Uploaded photos: a decompression bomb is refused by its header, before a pixel is decoded; an accepted photo is
decoded once for the photo and its thumbnail."""

import io
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from wudu import images


def upload(image: Image.Image, fmt: str, name: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    image.save(out, format=fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type=f"image/{fmt.lower()}")


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """The probe's file: a PNG of 79 megapixels that weighs about 77 KB."""
    out = io.BytesIO()
    Image.new("L", (10_000, 7_900)).save(out, format="PNG", optimize=True)
    return out.getvalue()


@pytest.fixture
def decodes(monkeypatch):
    """How many times Pillow started decoding pixel data."""
    calls = []
    real = Image._getdecoder

    def counting(*args, **kwargs):
        calls.append(args[1] if len(args) > 1 else "")
        return real(*args, **kwargs)

    monkeypatch.setattr(Image, "_getdecoder", counting)
    return calls


def test_a_decompression_bomb_is_refused_before_decoding(bomb, decodes):
    assert len(bomb) < 200_000
    started = time.monotonic()
    with pytest.raises(ValidationError) as refused:
        images.photo_and_thumbnail(SimpleUploadedFile("bomb.png", bomb, content_type="image/png"))
    assert refused.value.code == "too_many_pixels"
    assert "约 79 百万像素" in refused.value.messages[0]
    assert decodes == []  # not one pixel decoded
    assert time.monotonic() - started < 0.5


def test_a_picture_just_over_the_budget_is_refused_and_one_at_it_is_kept(decodes):
    side = int(images.MAX_PIXELS ** 0.5)
    with pytest.raises(ValidationError):
        images.clean_photo(upload(Image.new("RGB", (side + 10, side + 10)), "PNG", "big.png"))
    photo = images.clean_photo(upload(Image.new("RGB", (6000, 4000), "white"), "JPEG", "ok.jpg"))
    assert Image.open(photo).size == (1600, 1067)


def test_an_accepted_photo_is_decoded_once_for_photo_and_thumbnail(decodes):
    photo, thumbnail = images.photo_and_thumbnail(upload(Image.new("RGB", (4000, 3000), "red"), "JPEG", "p.jpg"))
    assert len(decodes) == 1
    assert Image.open(photo).size == (1600, 1200) and Image.open(thumbnail).size == (320, 240)


def test_a_png_photo_is_decoded_once_too(decodes):
    images.photo_and_thumbnail(upload(Image.new("RGB", (2000, 1000), "blue"), "PNG", "p.png"))
    assert len(decodes) == 1


def test_a_residents_bomb_gets_a_clear_error_and_no_case(client, cast, bomb):
    from cases import services
    from cases.models import Case, LimitUnit
    from tests.cases.conftest import key
    from tests.cases.test_public import IN_G1

    category = services.case_category_create(
        actor=cast.user("system_admin"), district=cast.place("D"), code="shirong", name="市容环境",
        department=cast.departments["chengguan@D"], time_limit=3, limit_unit=LimitUnit.WORKING_DAYS)
    data = {"mobile": "13812345678", "name": "", "category": category.pk, "description": "路灯不亮", "grid": "",
            "address": "", "key": key(), "website": "", **IN_G1,
            "photos": SimpleUploadedFile("bomb.png", bomb, content_type="image/png")}
    started = time.monotonic()
    response = client.post("/suqiu/", data)
    assert time.monotonic() - started < 3
    assert response.status_code == 400  # the form again, with the reason next to the photos
    assert "照片尺寸过大" in response.content.decode()
    assert not Case.objects.exists()
