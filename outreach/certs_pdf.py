"""The certificate as a one-page PDF (A4 landscape, Chinese): who, hours (service and honour apart), what, the
issuer, the number and date, and a QR code to the public verification page. Richly laid out and short, so it
goes through WeasyPrint like the bulletins (the long tables go through wudu.pdf_table). One font family (Noto Sans
CJK SC) only: a second one (the serif) doubled the file (490 KB) and the time. One page renders in ~0.5 s once Pango
is loaded (~2 s for the first in a process), so it is rendered in the request."""

from __future__ import annotations

import base64

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from grids.qr import qr_png

from .models import Certificate


def verification_url(request, token: str) -> str:
    """The absolute address of a certificate's public verification page (PUBLIC_BASE_URL when set)."""
    path = reverse("certs_public:verify", args=[token])
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def certificate_pdf(certificate: Certificate, *, url: str) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango takes a moment and only the download needs it

    qr = base64.b64encode(qr_png(url, box_size=6, border=2)).decode()
    html = render_to_string("outreach/certs/pdf.html", {
        "c": certificate, "qr": qr, "url": url, "issued_on": timezone.localdate(certificate.issued_at),
    })
    return HTML(string=html).write_pdf()
