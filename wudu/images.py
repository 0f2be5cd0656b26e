"""Uploaded photos: checked by content (not by name), size-limited, re-encoded without EXIF, thumbnailed.

Decompression bombs: a small file can declare a huge picture (a 77 KB PNG of 79 megapixels decodes to 632 MB).
The header is read first and a picture above MAX_PIXELS is refused before any pixel is decoded; the accepted ones
are decoded once (JPEGs straight at the reduced size they are stored at, by the decoder's DCT scaling), and the
photo and its thumbnail are both made from that one decoded picture.
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# 24 megapixels (6000 × 4000): every phone's ordinary photo; a 48/50-megapixel "high resolution" shot is refused
# with a message saying so (it also seldom fits in 5 MB).
MAX_PIXELS = 24_000_000
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
PHOTO_SIDE, THUMBNAIL_SIDE = 1600, 320
# Pillow's own guard as a second line (it warns above this and refuses only above twice this).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def _too_large(pixels: int) -> ValidationError:
    return ValidationError(
        _("照片尺寸过大（约 %(have)d 百万像素，最多 %(most)d 百万像素）：请用手机的普通拍照模式，或先缩小照片再上传。")
        % {"have": round(pixels / 1_000_000), "most": MAX_PIXELS // 1_000_000}, code="too_many_pixels")


def _decode(upload, *, max_side: int) -> Image.Image:
    """The upload decoded once, as RGB, orientation applied; refused by its header when too large."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("照片不能超过 5 MB。"), code="too_large")
    not_image = ValidationError(_("文件不是可识别的图片，请上传 JPG 或 PNG 照片。"), code="not_image")
    try:
        upload.seek(0)
        image = Image.open(upload)  # reads the header only
    except Image.DecompressionBombError as error:  # Pillow's own guard, past twice the budget
        pixels = re.search(r"\((\d+) pixels\)", str(error))
        raise _too_large(int(pixels.group(1)) if pixels else 0) from None
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise not_image from None
    if image.format not in ALLOWED_FORMATS:
        raise ValidationError(_("不支持的图片格式，请上传 JPG 或 PNG 照片。"), code="bad_format")
    width, height = image.size
    if width * height > MAX_PIXELS or width <= 0 or height <= 0:
        raise _too_large(width * height)
    try:
        if image.format in ("JPEG", "MPO"):
            image.draft("RGB", (max_side, max_side))  # decode at 1/2, 1/4 or 1/8 scale when that is enough
        image.load()
        return ImageOps.exif_transpose(image).convert("RGB")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_image from None


def _jpeg(image: Image.Image) -> ContentFile:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=True)  # no exif= argument: metadata is not copied
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def clean_photo(upload, *, max_side: int = PHOTO_SIDE) -> ContentFile:
    """Return a fresh JPEG of the upload: EXIF (including GPS) dropped, orientation applied, at most max_side."""
    image = _decode(upload, max_side=max_side)
    image.thumbnail((max_side, max_side))
    return _jpeg(image)


def photo_and_thumbnail(upload) -> tuple[ContentFile, ContentFile]:
    """The stored photo and its thumbnail, from one decoding of the upload."""
    image = _decode(upload, max_side=PHOTO_SIDE)
    image.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
    thumbnail = image.copy()
    thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    return _jpeg(image), _jpeg(thumbnail)


def store_photos(photos, *, model, owner: dict) -> None:
    """Save each upload as a cleaned photo with its thumbnail on `model`, keyed by `owner` (its foreign keys). A
    photo already stored for this owner (same content, e.g. sent again by a retry) is skipped."""
    for upload in photos:
        try:
            image, thumbnail = photo_and_thumbnail(upload)
        except ValidationError as error:
            raise ValidationError({"photos": error.messages}) from None
        digest = hashlib.sha256(image.read()).hexdigest()
        image.seek(0)
        if model.objects.filter(**owner, sha256=digest).exists():
            continue
        model.objects.create(**owner, image=image, thumbnail=thumbnail, sha256=digest)
