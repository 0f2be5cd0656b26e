"""QR codes for the public notice: a resident scans the poster and lands on the grid's page."""

from __future__ import annotations

import io

import qrcode
from django.conf import settings
from django.urls import reverse
from qrcode.constants import ERROR_CORRECT_M


def public_grid_url(request, code: str) -> str:
    """The absolute address of a grid's public page: PUBLIC_BASE_URL when set, else the request's host."""
    path = reverse("public:grid", args=[code])
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def qr_png(data: str, *, box_size: int = 8, border: int = 4) -> bytes:
    """A black-on-white PNG QR code (error correction M: survives a little dirt on a printed poster)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border)
    code.add_data(data)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()
