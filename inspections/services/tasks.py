"""Writes of rectification tasks (整改任务): assigning one from a finding, and every step of its loop, each driven by
its row of inspections.workflow.STEPS and recorded through `steps.record_step` (the one way a task moves).

A step is one transaction: the actor's grant for this task (office, the finding's team within its dated coverage,
or the owner unit), the task's status, its inputs, then the version claimed and the step written (of two
concurrent steps exactly one wins; the other gets Conflict). A client key makes a retried submission return what
the first one did. Evidence is stored with the progress step that brought it; a photo keeps the position it was
taken at (a photo without one is refused); a resident's confirmation is asked through a private link sent to their
mobile after commit (the outbox), and answered once on a public page.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Department, Level, Place, User
from wudu import outbox, quota
from wudu.errors import Conflict
from wudu.images import photo_and_thumbnail
from wudu.logs import redact
from wudu.rules import MAX_PHOTOS, is_mobile
from wudu.writes import create_once

from .. import rules, units, workflow
from ..models import EvidenceKind, Finding, FindingStatus, Rectification, TaskEvidence, TaskStep
from .rounds import months_after
from .steps import record_step

__all__ = [
    "PhotoUpload", "ResidentRequest", "missing_evidence", "task_assign", "task_extend", "task_progress",
    "task_reassign", "task_reject", "task_resident_confirm", "task_submit", "task_verify", "take_step",
]

log = logging.getLogger("wudu.inspections")

MEASURE_MAX = Rectification._meta.get_field("measure").max_length
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
DOCUMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".txt")
MAX_DOCUMENTS = 5
DEADLINE_MAX_DAYS = 366


@dataclass(frozen=True)
class PhotoUpload:
    """A photo taken on site and where: the position the phone gave (longitude, latitude)."""

    file: object
    lng: float | None = None
    lat: float | None = None


@dataclass(frozen=True)
class ResidentRequest:
    """Ask the affected resident to confirm: their name and mobile (a private link goes to it)."""

    name: str
    mobile: str


# ---------------------------------------------------------------------------------------------- assign


def task_assign(*, actor, finding: Finding, measure: str, responsible: User, owner_place: Place | None = None,
                owner_department: Department | None = None, deadline: datetime.date | None = None, note: str = "",
                idempotency_key=None, now: datetime.datetime | None = None) -> Rectification:
    """交办: the office or the finding's team makes a task of `finding` for an owner unit (the office of a place or a
    department) with its responsible person and deadline (default: the finding's rectification due date). A finding
    may have several tasks."""
    step = workflow.STEPS["assign"]
    probe = Rectification(finding=finding)
    grant = workflow.acting_grant(actor, probe, step)
    if grant is None:
        raise PermissionDenied(_("只有巡察办或该问题所属巡察组（在巡察期内）可以交办整改任务。"))
    if finding.status == FindingStatus.DISMISSED:
        raise ValidationError(_("该问题已不予认定，不能交办整改任务。"), code="dismissed")
    measure = (measure or "").strip()
    if not measure:
        raise ValidationError({"measure": _("请填写整改措施。")}, code="required")
    if len(measure) > MEASURE_MAX:
        raise ValidationError({"measure": _("整改措施不能超过 %(n)d 字。") % {"n": MEASURE_MAX}}, code="too_long")
    note = _clean_note(step, note)
    _check_owner(finding, owner_place, owner_department, responsible)
    deadline = deadline or default_deadline(finding)
    _check_deadline(finding, deadline)

    def create() -> Rectification:
        with transaction.atomic():
            task = Rectification(finding=finding, measure=measure, owner_place=owner_place,
                                 owner_department=owner_department, responsible=responsible, deadline=deadline,
                                 created_by=actor)
            task.full_clean()
            task.save()
            task.status = ""  # the step records where it came from: nowhere
            record_step(task, action=step.name, to_status=step.to_status, actor=actor, role=grant.role, note=note,
                        data={"owner": _owner_data(owner_place, owner_department), "responsible": responsible.pk,
                              "deadline": deadline.isoformat()}, at=now)
        return task

    task = create_once(key=idempotency_key, actor=actor, model=Rectification, create=create)
    if task.finding_id != finding.pk:
        raise ValidationError(_("提交标识已被使用，请刷新页面后重试。"), code="key_reused")
    return task


def default_deadline(finding: Finding) -> datetime.date:
    """The finding's rectification due date; else two months (the round's) after the feedback, or after finding."""
    if finding.rectification_due:
        return finding.rectification_due
    round_ = finding.round
    return months_after(round_.feedback_on or finding.found_on, round_.rectification_months)


def _check_deadline(finding: Finding, deadline: datetime.date) -> None:
    if deadline < finding.found_on:
        raise ValidationError({"deadline": _("整改期限（%(deadline)s）不能早于问题发现日期（%(found)s）。")
                               % {"deadline": deadline.isoformat(), "found": finding.found_on.isoformat()}},
                              code="before_finding")
    if deadline > finding.found_on + datetime.timedelta(days=DEADLINE_MAX_DAYS):
        raise ValidationError({"deadline": _("整改期限不能超过发现日期后一年。")}, code="far_deadline")


def _check_owner(finding: Finding, owner_place, owner_department, responsible) -> None:
    if (owner_place is None) == (owner_department is None):
        raise ValidationError({"owner": _("请选择一个责任单位（社区、街道或部门）。")}, code="one_owner")
    district = finding.round.district
    if owner_place is not None and (owner_place.level not in (Level.COMMUNITY, Level.STREET, Level.DISTRICT)
                                    or not owner_place.code.startswith(district.code)):
        raise ValidationError({"owner": _("责任单位须是本区的社区、街道或区。")}, code="wrong_owner")
    if owner_department is not None and owner_department.district_id != district.pk:
        raise ValidationError({"owner": _("该部门不属于本区。")}, code="wrong_owner")
    if responsible is None:
        raise ValidationError({"responsible": _("请选择责任人。")}, code="required")
    probe = Rectification(owner_place=owner_place, owner_department=owner_department)
    if not units.owner_members(probe).filter(pk=responsible.pk).exists():
        raise ValidationError({"responsible": _("%(name)s 不属于该责任单位，不能担任责任人。")
                               % {"name": responsible.real_name or responsible.username}}, code="not_of_owner")


def _owner_data(owner_place, owner_department) -> dict:
    if owner_place is not None:
        return {"place": owner_place.pk, "name": owner_place.name}
    return {"department": owner_department.pk, "name": owner_department.name}


# ---------------------------------------------------------------------------------------------- the steps


def _clean_note(step: workflow.Step, note: str) -> str:
    note = (note or "").strip()
    if step.note_required and not note:
        raise ValidationError({"note": _("请填写%(label)s。") % {"label": step.note_label}}, code="required")
    if len(note) > workflow.NOTE_MAX:
        raise ValidationError({"note": _("%(label)s不能超过 %(n)d 字。")
                               % {"label": step.note_label or _("说明"), "n": workflow.NOTE_MAX}}, code="too_long")
    return note


def _refusal(actor, task: Rectification, step: workflow.Step) -> PermissionDenied:
    """Why this actor may not take this step: said plainly (the issue's refusals)."""
    if step.not_by_owner and units.is_owner(actor, task):
        return PermissionDenied(_("整改责任单位的人员不能%(action)s自己单位的任务。") % {"action": step.label})
    if step.actors == (workflow.TEAM,):
        return PermissionDenied(_("只有该问题所属巡察组的成员，在巡察及跟踪督办期内、巡察范围内，才能%(action)s。")
                                % {"action": step.label})
    if step.actors == (workflow.OWNER,):
        return PermissionDenied(_("只有整改责任单位可以%(action)s。") % {"action": step.label})
    return PermissionDenied(_("您不能对该整改任务执行“%(action)s”。") % {"action": step.label})


def missing_evidence(task: Rectification) -> list[str]:
    """The kinds of evidence the finding's category asks for that the task lacks (a resident's confirmation counts
    once they answered 已解决)."""
    required = rules.required_evidence(task.finding.category)
    present = set()
    for kind, resolved in TaskEvidence.objects.filter(task=task).values_list("kind", "resident_resolved"):
        if kind != EvidenceKind.RESIDENT or resolved is True:
            present.add(kind)
    return [kind for kind in required if kind not in present]


def _require_evidence(task: Rectification, step: workflow.Step) -> None:
    missing = missing_evidence(task)
    if missing:
        names = "、".join(str(EvidenceKind(kind).label) for kind in missing)
        raise ValidationError({"evidence": _("缺少佐证材料：%(kinds)s。该类问题须有这些材料才能%(action)s。")
                               % {"kinds": names, "action": step.label}}, code="missing_evidence")


def take_step(name: str, *, actor, task: Rectification, version: int | None, note: str = "", inputs: dict | None = None,
              idempotency_key=None, now: datetime.datetime | None = None) -> Rectification:
    """Any step of an existing task by its name (the detail page and the API's steps action come here)."""
    step = workflow.STEPS.get(name)
    if step is None or name not in workflow.TAKEN:
        raise ValidationError({"action": _("未知的操作。")}, code="unknown_action")
    inputs = inputs or {}
    prepare = PREPARE.get(name)
    return _step(step, actor=actor, task=task, version=version, note=note, key=idempotency_key, now=now,
                 prepare=(lambda t, when, grant: prepare(t, when, grant, actor, inputs)) if prepare else None)


def _step(step: workflow.Step, *, actor, task: Rectification, version, note: str, key, now, prepare=None,
          after=None) -> Rectification:
    if version is None:
        raise ValidationError({"version": _("缺少版本号，请刷新页面后重试。")}, code="required")
    grant = workflow.acting_grant(actor, task, step)
    if grant is None:
        raise _refusal(actor, task, step)
    note = _clean_note(step, note)
    now = now or timezone.now()

    def once() -> TaskStep:
        # Judged only for a first submission: a retry with the key of a step already taken gets that step back.
        if int(version) != task.version:  # the page was read before someone else's step: say so, whatever it was
            raise Conflict(_("该任务刚刚已被他人处理，请刷新页面查看最新情况后再操作。"))
        if task.status not in step.from_statuses:
            raise ValidationError(_("该任务当前状态为“%(status)s”，不能%(action)s。")
                                  % {"status": task.get_status_display(), "action": step.label}, code="wrong_state")
        with transaction.atomic():
            if step.needs_evidence:
                _require_evidence(task, step)
            fields, data = prepare(task, now, grant) if prepare else ({}, {})
            try:
                recorded = record_step(task, action=step.name, to_status=step.target(task), actor=actor,
                                       role=grant.role, note=note, data=data, fields=fields,
                                       expected_version=version, at=now)
            except Conflict:
                raise Conflict(_("该任务刚刚已被他人处理，请刷新页面查看最新情况后再操作。")) from None
            if after is not None:
                after(recorded)
        return recorded

    recorded = create_once(key=key, actor=actor, model=TaskStep, create=once)
    if recorded.task_id != task.pk:
        raise ValidationError(_("提交标识已被使用，请刷新页面后重试。"), code="key_reused")
    task.refresh_from_db()
    return task


def task_progress(*, actor, task: Rectification, version: int | None, note: str, documents: Iterable = (),
                  photos: Iterable[PhotoUpload] = (), resident: ResidentRequest | None = None,
                  idempotency_key=None, now: datetime.datetime | None = None) -> Rectification:
    """报告整改进展: the owner unit's note with evidence — documents, photos taken on site with their position, a
    request for the affected resident's confirmation (a private link sent to their mobile)."""
    documents, photos = list(documents), list(photos)
    _check_documents(documents)
    prepared_photos = _check_photos(photos)
    if resident is not None:
        resident = _check_resident(resident)

    def after(recorded: TaskStep) -> None:
        for upload, name, digest in documents_with_digest:
            TaskEvidence.objects.create(task=task, step=recorded, kind=EvidenceKind.DOCUMENT, file=upload,
                                        name=name[:200], sha256=digest, uploaded_by=actor)
        for (image, thumbnail, digest), photo in zip(prepared_photos, photos, strict=True):
            TaskEvidence.objects.create(task=task, step=recorded, kind=EvidenceKind.PHOTO, file=image,
                                        thumbnail=thumbnail, sha256=digest, lng=photo.lng, lat=photo.lat,
                                        name=_("现场照片"), uploaded_by=actor)
        if resident is not None:
            asked = TaskEvidence.objects.create(
                task=task, step=recorded, kind=EvidenceKind.RESIDENT, resident_name=resident.name,
                resident_mobile=resident.mobile, token=secrets.token_urlsafe(32), uploaded_by=actor,
                name=_("当事群众确认"))
            outbox.enqueue("inspections.confirm.rectification_confirm_request_task", asked.pk,
                           key=f"rectification-confirm:{asked.pk}")

    documents_with_digest = [(_as_file(upload), os.path.basename(upload.name or ""), _digest(upload))
                             for upload in documents]
    return _step(workflow.STEPS["progress"], actor=actor, task=task, version=version, note=note,
                 key=idempotency_key, now=now, after=after)


def _as_file(upload) -> ContentFile:
    upload.seek(0)
    _stem, extension = os.path.splitext(upload.name or "")
    return ContentFile(upload.read(), name=f"{secrets.token_hex(16)}{extension.lower()}")


def _digest(upload) -> str:
    upload.seek(0)
    digest = hashlib.sha256(upload.read()).hexdigest()
    upload.seek(0)
    return digest


def _check_documents(documents: list) -> None:
    if len(documents) > MAX_DOCUMENTS:
        raise ValidationError({"documents": _("每次最多上传 %(n)d 份文件。") % {"n": MAX_DOCUMENTS}}, code="too_many")
    for upload in documents:
        name = upload.name or ""
        if not name.lower().endswith(DOCUMENT_EXTENSIONS):
            raise ValidationError({"documents": _("“%(name)s”的格式不受支持（可上传 PDF、Word、Excel、图片或文本）。")
                                   % {"name": name}}, code="bad_format")
        if upload.size > DOCUMENT_MAX_BYTES:
            raise ValidationError({"documents": _("“%(name)s”超过 10 MB。") % {"name": name}}, code="too_large")


def _check_photos(photos: list[PhotoUpload]) -> list[tuple]:
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("每次最多 %(n)d 张照片。") % {"n": MAX_PHOTOS}}, code="too_many_photos")
    prepared = []
    for photo in photos:
        if photo.lng is None or photo.lat is None:
            raise ValidationError({"photos": _("现场照片须带拍摄位置：请在手机上允许获取位置后重新拍照。")},
                                  code="no_position")
        if not (-180 <= photo.lng <= 180 and -90 <= photo.lat <= 90):
            raise ValidationError({"photos": _("拍摄位置无效。")}, code="bad_position")
        try:
            image, thumbnail = photo_and_thumbnail(photo.file)
        except ValidationError as error:
            raise ValidationError({"photos": error.messages}) from None
        digest = hashlib.sha256(image.read()).hexdigest()
        image.seek(0)
        prepared.append((image, thumbnail, digest))
    return prepared


def _check_resident(resident: ResidentRequest) -> ResidentRequest:
    name, mobile = (resident.name or "").strip(), (resident.mobile or "").strip()
    if not name:
        raise ValidationError({"resident_name": _("请填写当事群众的姓名。")}, code="required")
    if len(name) > 50:
        raise ValidationError({"resident_name": _("姓名不能超过 50 字。")}, code="too_long")
    if not is_mobile(mobile):
        raise ValidationError({"resident_mobile": _("请填写正确的 11 位手机号。")}, code="bad_mobile")
    return ResidentRequest(name, mobile)


def task_submit(*, actor, task: Rectification, version: int | None, note: str = "", idempotency_key=None,
                now: datetime.datetime | None = None) -> Rectification:
    """提交核验: the owner unit submits; refused while any kind of evidence its category asks for is missing."""
    return take_step("submit", actor=actor, task=task, version=version, note=note, idempotency_key=idempotency_key,
                     now=now)


def task_verify(*, actor, task: Rectification, version: int | None, note: str = "", idempotency_key=None,
                now: datetime.datetime | None = None) -> Rectification:
    """核验销号: the finding's team (never a person of the owner unit) ticks the task off."""
    return take_step("verify", actor=actor, task=task, version=version, note=note, idempotency_key=idempotency_key,
                     now=now)


def task_reject(*, actor, task: Rectification, version: int | None, note: str, idempotency_key=None,
                now: datetime.datetime | None = None) -> Rectification:
    """退回整改: the team sends a submitted task back with its reason."""
    return take_step("reject", actor=actor, task=task, version=version, note=note, idempotency_key=idempotency_key,
                     now=now)


def task_reassign(*, actor, task: Rectification, version: int | None, note: str, owner_place: Place | None = None,
                  owner_department: Department | None = None, responsible: User | None = None,
                  deadline: datetime.date | None = None, idempotency_key=None,
                  now: datetime.datetime | None = None) -> Rectification:
    """调整责任: the office or the team changes the owner unit, the responsible person or the deadline (the step's
    data holds the old and the new)."""
    return take_step("reassign", actor=actor, task=task, version=version, note=note, idempotency_key=idempotency_key,
                     now=now, inputs={"owner_place": owner_place, "owner_department": owner_department,
                                      "responsible": responsible, "deadline": deadline})


def task_extend(*, actor, task: Rectification, version: int | None, note: str, deadline: datetime.date,
                idempotency_key=None, now: datetime.datetime | None = None) -> Rectification:
    """延长期限: the office moves the deadline later."""
    return take_step("extend", actor=actor, task=task, version=version, note=note, idempotency_key=idempotency_key,
                     now=now, inputs={"deadline": deadline})


def _prepare_progress(task, now, grant, actor, inputs):
    # The HTML and API paths with files come through task_progress; a bare progress carries only the note.
    return {}, {}


def _prepare_submit(task, now, grant, actor, inputs):
    return {}, {"evidence": sorted({kind for kind in rules.required_evidence(task.finding.category)})}


def _prepare_verify(task, now, grant, actor, inputs):
    return {"ticked_off_at": now, "ticked_off_by": actor}, {}


def _prepare_reassign(task, now, grant, actor, inputs):
    owner_place, owner_department = inputs.get("owner_place"), inputs.get("owner_department")
    responsible, deadline = inputs.get("responsible"), inputs.get("deadline")
    if owner_place is None and owner_department is None:
        owner_place, owner_department = task.owner_place, task.owner_department
    responsible = responsible or task.responsible
    deadline = deadline or task.deadline
    old = {"owner": _owner_data(task.owner_place, task.owner_department), "responsible": task.responsible_id,
           "responsible_name": task.responsible.real_name, "deadline": task.deadline.isoformat()}
    new = {"owner": _owner_data(owner_place, owner_department), "responsible": responsible.pk,
           "responsible_name": responsible.real_name, "deadline": deadline.isoformat()}
    if old == new:
        raise ValidationError(_("责任单位、责任人和期限都没有变化。"), code="unchanged")
    _check_owner(task.finding, owner_place, owner_department, responsible)
    _check_deadline(task.finding, deadline)
    fields = {"owner_place": owner_place, "owner_department": owner_department, "responsible": responsible,
              "deadline": deadline}
    return fields, {"old": old, "new": new}


def _prepare_extend(task, now, grant, actor, inputs):
    deadline = inputs.get("deadline")
    if deadline is None:
        raise ValidationError({"deadline": _("请填写新的整改期限。")}, code="required")
    if deadline <= task.deadline:
        raise ValidationError({"deadline": _("新的期限须晚于现在的期限（%(deadline)s）。")
                               % {"deadline": task.deadline.isoformat()}}, code="not_later")
    _check_deadline(task.finding, deadline)
    return {"deadline": deadline}, {"old": {"deadline": task.deadline.isoformat()},
                                    "new": {"deadline": deadline.isoformat()}}


PREPARE = {"progress": _prepare_progress, "submit": _prepare_submit, "verify": _prepare_verify,
           "reassign": _prepare_reassign, "extend": _prepare_extend}


# ---------------------------------------------------------------------------------------------- the resident


def confirm_limit() -> int:
    return settings.INSPECTION_CONFIRM_PER_IP_PER_HOUR


def task_resident_confirm(*, token: str, resolved: bool, comment: str = "", client_ip: str = "",
                          now: datetime.datetime | None = None) -> TaskEvidence:
    """The affected resident answers through their private link: 已解决 or 未解决, with a comment. Answered once: a
    second answer (a retry, a second tap) gets the first one back unchanged. Throttled per network."""
    now = now or timezone.now()
    asked = TaskEvidence.objects.filter(kind=EvidenceKind.RESIDENT, token=token).first() if token else None
    if asked is None:
        raise ValidationError(_("链接无效或已失效。"), code="bad_token")
    if asked.confirmed_at is not None:
        return asked
    comment = (comment or "").strip()
    if len(comment) > 300:
        raise ValidationError({"comment": _("意见不能超过 300 字。")}, code="too_long")
    with transaction.atomic():
        if client_ip and not quota.take("rectification_confirm_ip", client_ip, limit=confirm_limit(),
                                        period=quota.HOUR, now=now):
            raise ValidationError(_("提交过于频繁，请稍后再试。"), code="rate_limited")
        answered = TaskEvidence.objects.filter(pk=asked.pk, confirmed_at__isnull=True).update(
            confirmed_at=now, resident_resolved=bool(resolved), confirmation_note=comment)
    asked.refresh_from_db()
    if answered:
        log.info("rectification %s: resident %s answered %s from %s", asked.task_id, redact(asked.resident_mobile),
                 "resolved" if resolved else "unresolved", redact(client_ip))
    return asked
