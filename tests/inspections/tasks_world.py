"""What the rectification tests share: a finding of the cast's running round (第一巡察组, covering 董庄社区 C1), a
task assigned to 董庄社区's office, evidence uploads."""

from __future__ import annotations

import datetime
import io
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from inspections.models import Category, Finding, Round, Team
from inspections.services import tasks as services
from wudu import scope


def key() -> str:
    return str(uuid.uuid4())


def cast_round() -> Round:
    return Round.objects.get(name="矩阵巡察轮次")


def cast_team() -> Team:
    return Team.objects.get(round=cast_round(), name="第一巡察组")


def finding(cast, *, category=Category.WORK_STYLE, place="C1", team=None, found_days_ago=5, **extra) -> Finding:
    team = team or cast_team()
    return Finding.objects.create(
        round=team.round, team=team, place=cast.place(place), category=category, title="村务公开栏长期未更新",
        facts="公开栏内容停留在去年", found_on=timezone.localdate() - datetime.timedelta(days=found_days_ago),
        recorded_by=cast.user("inspector"), **extra)


def assign(cast, found: Finding | None = None, *, actor=None, **extra):
    found = found or finding(cast)
    values = dict(actor=actor or cast.user("inspector"), finding=found, measure="更新公开栏并建立月度更新制度",
                  owner_place=cast.place("C1"), responsible=cast.user("community_official"),
                  idempotency_key=key())
    values.update(extra)
    return services.task_assign(**values)


def document(name="整改报告.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 rectification report", content_type="application/pdf")


def jpeg(name="site.jpg", colour="green") -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format="JPEG")
    out.seek(0)
    out.name = name
    out.size = len(out.getvalue())
    return out


def photo(lng=113.1, lat=34.7) -> services.PhotoUpload:
    return services.PhotoUpload(jpeg(), lng, lat)


def progress(cast, task, **extra):
    values = dict(actor=cast.user("community_official"), task=task, version=task.version, note="已更新公开栏",
                  documents=[document()], idempotency_key=key())
    values.update(extra)
    return services.task_progress(**values)


def submitted(cast, **extra):
    task = assign(cast, **extra)
    task = progress(cast, task)
    return services.task_submit(actor=cast.user("community_official"), task=task, version=task.version,
                                idempotency_key=key())


def forget(*users) -> None:
    for user in users:
        scope.forget_grants(user)
