"""An approval's certificate as a one-page PDF (A4 portrait, Chinese): the item, the applicant, what is certified,
the issuing unit, the date, the number and a QR code to the public verification page (/affairs/verify/<code>/).
Rendered by WeasyPrint in the request, as the volunteer certificates are (outreach.certs_pdf: one short page,
~0.5 s once Pango is loaded; no task needed). One font family (Noto Sans CJK SC) keeps the file small."""

from __future__ import annotations

import base64

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from grids.qr import qr_png
from wudu.redact import mask_name  # noqa: F401 (the verification page's masking, from the kernel)

from .models import Certificate


def verification_url(request, code: str) -> str:
    """The absolute address of a certificate's public verification page (PUBLIC_BASE_URL when set)."""
    path = reverse("affairs:verify", args=[code])
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def certificate_pdf(certificate: Certificate, *, url: str) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango takes a moment and only the download needs it

    qr = base64.b64encode(qr_png(url, box_size=6, border=2)).decode()
    html = render_to_string("affairs/certificate_pdf.html", {
        "c": certificate, "qr": qr, "url": url, "issued_on": timezone.localdate(certificate.issued_at)})
    return HTML(string=html).write_pdf()
