"""Uploaded photos: checked by content (not by name), size-limited, re-encoded without EXIF, thumbnailed."""

from __future__ import annotations

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
Image.MAX_IMAGE_PIXELS = 40_000_000  # refuse decompression bombs


def clean_photo(upload, *, max_side: int = 1600) -> ContentFile:
    """Return a fresh JPEG of the upload: EXIF (including GPS) dropped, orientation applied, at most max_side."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("照片不能超过 5 MB。"), code="too_large")
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            fmt = probe.format
            probe.verify()
        upload.seek(0)
        image = Image.open(upload)
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(_("文件不是可识别的图片，请上传 JPG 或 PNG 照片。"), code="not_image") from None
    if fmt not in ALLOWED_FORMATS:
        raise ValidationError(_("不支持的图片格式，请上传 JPG 或 PNG 照片。"), code="bad_format")
    image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail((max_side, max_side))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=True)  # no exif= argument: metadata is not copied
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def store_photos(photos, *, model, owner: dict) -> None:
    """Save each upload as a cleaned photo with its thumbnail on `model`, keyed by `owner` (its foreign keys). A
    photo already stored for this owner (same content, e.g. sent again by a retry) is skipped."""
    import hashlib

    for upload in photos:
        try:
            image = clean_photo(upload)
        except ValidationError as error:
            raise ValidationError({"photos": error.messages}) from None
        image.seek(0)
        digest = hashlib.sha256(image.read()).hexdigest()
        if model.objects.filter(**owner, sha256=digest).exists():
            continue
        upload.seek(0)
        model.objects.create(**owner, image=image, thumbnail=clean_photo(upload, max_side=320), sha256=digest)
