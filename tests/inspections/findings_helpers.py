"""Helpers of the findings tests: the cast's round, a finding recorded by the cast's inspector, a task ticked off."""

from __future__ import annotations

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from inspections.models import Rectification, Round, TaskStatus
from inspections.services import findings as services
from inspections.services.steps import record_step

ROUND_NAME = "矩阵巡察轮次"


def cast_round() -> Round:
    return Round.objects.get(name=ROUND_NAME)


def photo(color: str = "red", name: str = "") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, format="JPEG")
    return SimpleUploadedFile(name or f"{color}.jpg", out.getvalue(), content_type="image/jpeg")


def pdf(body: bytes = b"1") -> SimpleUploadedFile:
    return SimpleUploadedFile("report.pdf", b"%PDF-1.4\n" + body + b"\n%%EOF", content_type="application/pdf")


def record(cast, *, actor=None, place="C1", **extra):
    values = {"round": cast_round(), "place": cast.place(place), "category": "work_style", "severity": "minor",
              "title": "台账不全", "facts": "社区走访台账缺少三个月的记录。", **extra}
    return services.finding_record(actor=actor or cast.user("inspector"), **values)


def tick_off(cast, finding, *, days_ago: int = 5) -> Rectification:
    """A task of `finding` assigned to 董庄社区 and ticked off `days_ago` days ago (the finding is then rectified)."""
    task = Rectification.objects.create(
        finding=finding, measure="补齐台账", owner_place=cast.place("C1"), responsible=cast.user("community_official"),
        deadline=timezone.localdate() + datetime.timedelta(days=30))
    at = timezone.now() - datetime.timedelta(days=days_ago)
    record_step(task, action="submit", to_status=TaskStatus.SUBMITTED)
    record_step(task, action="verify", to_status=TaskStatus.TICKED_OFF, at=at,
                fields={"ticked_off_at": at, "ticked_off_by": cast.user("inspector")})
    return task
