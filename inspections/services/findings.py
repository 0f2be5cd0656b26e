"""Writes of findings (巡察发现的问题, the 问题清单) and their evidence.

A team member records a finding at a place their team's dated coverage reaches today (the gate's inspector grant,
from inspections/grants.py), under their team of that round; the inspection office records one for a team it names.
The finding is found within the round (its dates or its follow-up period) and never in the future; its rectification
report is due the round's feedback day (or the finding's day, before any feedback) plus the round's months unless set
otherwise, never before the finding. A public finding carries a summary free of personal data: it is what the round's
public progress page shows.

Edits are versioned and stop once a task of the finding is ticked off (the 问题清单 is then the ledger of what was
rectified); a finding is dismissed (不予认定) by the office or the team's leader, with a reason, while it has no task.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Level, Place
from wudu import images, redact, scope
from wudu.scope import Grant, Role
from wudu.writes import create_once, update_versioned

from ..models import (
    Category,
    Coverage,
    Disclosure,
    Finding,
    FindingEvidence,
    FindingStatus,
    Rectification,
    Round,
    Severity,
    TaskStatus,
    Team,
    TeamMember,
)
from .rounds import months_after

__all__ = [
    "EDITABLE_FIELDS", "FINDING_LEVELS", "acting_grant", "default_due", "finding_dismiss", "finding_evidence_add",
    "finding_record", "finding_update", "may_dismiss", "may_edit", "recording_team",
]

# Where a problem is found: the inspected units, a street (its party committee) or a community.
FINDING_LEVELS = (Level.STREET, Level.COMMUNITY)
# What an edit may change (the round, team and place are fixed once recorded).
EDITABLE_FIELDS = ("category", "severity", "title", "facts", "disclosure", "public_summary", "found_on",
                   "rectification_due", "case_category")
OFFICE_ROLES = (Role.INSPECTION_OFFICE, Role.SYSTEM_ADMIN)  # a superuser acts as the system administrator
DOCUMENT_TYPES = {".pdf": "pdf", ".jpg": "image", ".jpeg": "image", ".png": "image"}


# ---------------------------------------------------------------------------------------------- who records


def _round_running(round_: Round, day: datetime.date) -> bool:
    return round_.starts_on <= day <= round_.follow_up_until


def _covers(team: Team, place: Place) -> bool:
    codes = Coverage.objects.filter(team=team).values_list("place__code", flat=True)
    return any(place.code.startswith(code) for code in codes)


def recording_team(actor, round_: Round, place: Place, team: Team | None) -> tuple[Team, Grant]:
    """The team a finding at `place` in `round_` is recorded for, and the grant it is recorded under.

    The inspection office names the team (one of the round's, covering the place); a team member records for their
    own team of the round, whose coverage must reach the place today. Otherwise PermissionDenied (outside the
    coverage, or after it expired) or a ValidationError naming the field."""
    today = timezone.localdate()
    if team is not None:
        office = scope.grant_to_create(actor, "finding", place, roles=OFFICE_ROLES)
        if office is not None:
            if team.round_id != round_.pk:
                raise ValidationError({"team": _("所选巡察组不属于该巡察轮次。")}, code="team_round")
            if not _covers(team, place):
                raise ValidationError({"place": _("%(team)s 的巡察范围不包括 %(place)s。")
                                       % {"team": team.name, "place": place.name}}, code="not_covered")
            return team, office
    grant = scope.grant_to_create(actor, "finding", place, roles=[Role.INSPECTOR])
    mine = (Team.objects.filter(round=round_, members__user=actor).first()
            if getattr(actor, "is_authenticated", False) else None)
    if grant is None or mine is None or not _round_running(round_, today) or not _covers(mine, place):
        if mine is not None and not _round_running(round_, today):
            raise PermissionDenied(_("巡察轮次（含跟踪督办期）已结束或尚未开始，不能再记录问题。"))
        raise PermissionDenied(_("只能在本组当前的巡察范围内记录问题。"))
    if team is not None and team.pk != mine.pk:
        raise PermissionDenied(_("只能为本组记录问题。"))
    return mine, grant


def acting_grant(actor, finding: Finding) -> Grant | None:
    """The grant under which `actor` changes `finding`: the inspection office's, or (for a member of the finding's
    team) the inspector's grant whose dated coverage reaches its place today."""
    # (a superuser acts here as the system administrator; a system administrator's membership reads findings only)
    grant = scope.grant_to_act(actor, finding, "finding", [Role.INSPECTION_OFFICE])
    if grant is not None:
        return grant
    if not TeamMember.objects.filter(team_id=finding.team_id, user_id=getattr(actor, "pk", None)).exists():
        return None
    return scope.grant_to_act(actor, finding, "finding", [Role.INSPECTOR])


def _is_leader(actor, finding: Finding) -> bool:
    return TeamMember.objects.filter(team_id=finding.team_id, user_id=getattr(actor, "pk", None),
                                     is_leader=True).exists()


def _has_ticked_off(finding: Finding) -> bool:
    return Rectification.objects.filter(finding=finding, status=TaskStatus.TICKED_OFF).exists()


def may_edit(actor, finding: Finding) -> bool:
    return (finding.status != FindingStatus.DISMISSED and acting_grant(actor, finding) is not None
            and not _has_ticked_off(finding))


def may_dismiss(actor, finding: Finding) -> bool:
    grant = acting_grant(actor, finding)
    if grant is None or finding.status == FindingStatus.DISMISSED or finding.tasks.exists():
        return False
    return grant.role != Role.INSPECTOR or _is_leader(actor, finding)


# ---------------------------------------------------------------------------------------------- rules


def default_due(round_: Round, found_on: datetime.date) -> datetime.date:
    """Rectification is reported within the round's months (two by default) of the feedback to the unit."""
    return months_after(round_.feedback_on or found_on, round_.rectification_months)


def _check_dates(round_: Round, found_on, due) -> None:
    if found_on is None:
        raise ValidationError({"found_on": _("请填写发现日期。")}, code="required")
    if found_on > timezone.localdate():
        raise ValidationError({"found_on": _("发现日期不能晚于今天。")}, code="future")
    if not round_.starts_on <= found_on <= round_.follow_up_until:
        raise ValidationError({"found_on": _("发现日期须在巡察轮次（%(start)s 至 %(end)s，含跟踪督办期）之内。")
                               % {"start": round_.starts_on, "end": round_.follow_up_until}}, code="outside_round")
    if due is not None and due < found_on:
        raise ValidationError({"rectification_due": _("整改期限不能早于发现日期。")},
                              code="due_before_found")


def _check_disclosure(disclosure: str, summary: str) -> None:
    if disclosure not in Disclosure.values:
        raise ValidationError({"disclosure": _("请选择公开范围。")}, code="disclosure")
    if disclosure != Disclosure.PUBLIC:
        return
    if not summary:
        raise ValidationError({"public_summary": _("公开的问题须填写脱敏后的公开摘要。")}, code="summary_required")
    masked = redact.redact(summary)
    if masked != summary:
        raise ValidationError({"public_summary": _("公开摘要不能含有手机号、身份证号、门牌号、姓名等个人信息。脱敏后应为：%(masked)s")
                               % {"masked": masked}}, code="personal_data")


def _check_choices(fields: dict) -> None:
    if "category" in fields and fields["category"] not in Category.values:
        raise ValidationError({"category": _("请选择问题类别。")}, code="category")
    if "severity" in fields and fields["severity"] not in Severity.values:
        raise ValidationError({"severity": _("请选择严重程度。")}, code="severity")
    for name in ("title", "facts", "public_summary"):
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()
    if "title" in fields and not fields["title"]:
        raise ValidationError({"title": _("请填写问题。")}, code="required")
    if "facts" in fields and not fields["facts"]:
        raise ValidationError({"facts": _("请填写问题的事实。")}, code="required")


def _check_case_category(actor, round_: Round, case_category) -> None:
    if case_category is not None and case_category.district_id != round_.district_id:
        raise ValidationError({"case_category": _("事件类别须属于本区。")}, code="case_category")


# ---------------------------------------------------------------------------------------------- writes


def finding_record(
    *, actor, round: Round, place: Place, category: str, severity: str = Severity.MINOR, title: str, facts: str,
    disclosure: str = Disclosure.INTERNAL, public_summary: str = "", found_on: datetime.date | None = None,
    rectification_due: datetime.date | None = None, case_category=None, team: Team | None = None,
    files: Iterable = (), idempotency_key=None,
) -> Finding:
    """Record a finding of `round` at `place` (with its evidence files), once per idempotency key."""
    round_ = round
    team, grant = recording_team(actor, round_, place, team)
    if place.level not in FINDING_LEVELS:
        raise ValidationError({"place": _("问题所在须为街道或社区。")}, code="wrong_level")
    found_on = found_on or timezone.localdate()
    fields = {"category": category, "severity": severity, "title": title or "", "facts": facts or "",
              "public_summary": public_summary or ""}
    _check_choices(fields)
    due = rectification_due or default_due(round_, found_on)
    _check_dates(round_, found_on, due)
    _check_disclosure(disclosure, fields["public_summary"])
    _check_case_category(actor, round_, case_category)
    uploads = _prepared(list(files))

    def create() -> Finding:
        finding = Finding(round=round_, team=team, place=place, disclosure=disclosure, found_on=found_on,
                          rectification_due=due, case_category=case_category, recorded_by=actor,
                          recorded_role=str(grant.role), **fields)
        finding.full_clean()
        finding.save()
        _store(finding, uploads, actor)
        from .recurrence import recurrence_by_finding  # the same area; recurrence reads findings, not the reverse

        recurrence_by_finding(finding)
        return finding

    return create_once(key=idempotency_key, actor=actor, model=Finding, create=create)


def finding_update(*, actor, finding: Finding, expected_version: int | None = None, **changes) -> Finding:
    """Edit a finding (versioned: a stale version is a Conflict) while none of its tasks is ticked off."""
    if acting_grant(actor, finding) is None:
        raise PermissionDenied(_("只有巡察办或该巡察组成员（在巡察范围和期限内）可以修改该问题。"))
    if finding.status == FindingStatus.DISMISSED:
        raise ValidationError(_("不予认定的问题不能再修改。"), code="dismissed")
    if _has_ticked_off(finding):
        raise ValidationError(_("该问题已有整改任务销号，不能再修改。"), code="ticked_off")
    fields = {name: value for name, value in changes.items() if name in EDITABLE_FIELDS}
    _check_choices(fields)
    found_on = fields.get("found_on", finding.found_on)
    if "found_on" in fields and "rectification_due" not in fields and finding.rectification_due == default_due(
            finding.round, finding.found_on):
        fields["rectification_due"] = default_due(finding.round, found_on)  # the default follows the day found
    if "rectification_due" in fields and fields["rectification_due"] is None:
        fields["rectification_due"] = default_due(finding.round, found_on)
    due = fields.get("rectification_due", finding.rectification_due)
    if "found_on" in fields or "rectification_due" in fields:
        _check_dates(finding.round, found_on, due)
    _check_disclosure(fields.get("disclosure", finding.disclosure), fields.get("public_summary",
                                                                               finding.public_summary))
    if "case_category" in fields:
        _check_case_category(actor, finding.round, fields["case_category"])
    return update_versioned(finding, expected_version=expected_version, fields=fields)


def finding_dismiss(*, actor, finding: Finding, reason: str, expected_version: int | None = None) -> Finding:
    """Dismiss a finding (不予认定) with a reason: the office, or the leader of its team; never once it has tasks."""
    grant = acting_grant(actor, finding)
    if grant is None or grant.role == Role.INSPECTOR and not _is_leader(actor, finding):
        raise PermissionDenied(_("只有巡察办或该巡察组组长可以不予认定。"))
    if finding.status == FindingStatus.DISMISSED:
        raise ValidationError(_("该问题已不予认定。"), code="dismissed")
    if finding.tasks.exists():
        raise ValidationError(_("该问题已交办整改任务，不能不予认定。"), code="has_tasks")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写不予认定的理由。")}, code="required")
    return update_versioned(finding, expected_version=expected_version,
                            fields={"status": FindingStatus.DISMISSED, "dismissed_reason": reason[:300]})


# ---------------------------------------------------------------------------------------------- evidence


def _kind(upload) -> str:
    name = getattr(upload, "name", "") or ""
    kind = DOCUMENT_TYPES.get(os.path.splitext(name)[1].lower())
    if kind is None:
        raise ValidationError({"files": _("%(name)s：只能上传 PDF、JPG 或 PNG 文件。") % {"name": name}}, code="bad_type")
    return kind


def _read(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _prepared(uploads: list) -> list[tuple[str, ContentFile, str]]:
    """Each upload checked and made ready to store: (original name, content, sha256). Photos are re-encoded through
    wudu/images.py (EXIF and its position dropped); PDFs are checked by their first bytes."""
    limit = settings.INSPECTION_EVIDENCE_MAX_BYTES
    out = []
    for upload in uploads:
        name = os.path.basename(getattr(upload, "name", "") or "file")[:200]
        kind = _kind(upload)
        if upload.size > limit:
            raise ValidationError({"files": _("%(name)s 超过 %(mb)d MB，请压缩后再上传。")
                                   % {"name": name, "mb": limit // (1024 * 1024)}}, code="too_large")
        if kind == "image":
            try:
                content = images.clean_photo(upload)
            except ValidationError as error:
                raise ValidationError({"files": [f"{name}：{message}" for message in error.messages]}) from None
            data = content.read()
            content.seek(0)
        else:
            data = _read(upload)
            if not data.startswith(b"%PDF-"):
                raise ValidationError({"files": _("%(name)s 不是有效的 PDF 文件。") % {"name": name}}, code="bad_pdf")
            content = ContentFile(data, name=f"{uuid.uuid4().hex}.pdf")
        out.append((name, content, hashlib.sha256(data).hexdigest()))
    return out


def _store(finding: Finding, uploads: list[tuple[str, ContentFile, str]], actor) -> int:
    have = set(FindingEvidence.objects.filter(finding=finding).values_list("sha256", flat=True))
    fresh = [(name, content, digest) for name, content, digest in uploads if digest not in have]
    if len(have) + len({digest for *_rest, digest in fresh}) > settings.INSPECTION_EVIDENCE_MAX_FILES:
        raise ValidationError({"files": _("每个问题最多 %(n)d 份佐证材料。") % {"n": settings.INSPECTION_EVIDENCE_MAX_FILES}},
                              code="too_many_files")
    stored = 0
    for name, content, digest in fresh:
        if digest in have:
            continue  # the same file twice in one upload
        have.add(digest)
        FindingEvidence.objects.create(finding=finding, file=content, name=name, sha256=digest, uploaded_by=actor)
        stored += 1
    return stored


def finding_evidence_add(*, actor, finding: Finding, files: Iterable) -> int:
    """Attach documents or photos to a finding (a file already attached, by content, is skipped). Returns how many
    were stored."""
    if acting_grant(actor, finding) is None:
        raise PermissionDenied(_("只有巡察办或该巡察组成员（在巡察范围和期限内）可以补充佐证材料。"))
    if finding.status == FindingStatus.DISMISSED:
        raise ValidationError(_("不予认定的问题不能再补充材料。"), code="dismissed")
    uploads = _prepared(list(files))
    if not uploads:
        raise ValidationError({"files": _("请选择要上传的文件。")}, code="required")
    with transaction.atomic():
        Finding.objects.select_for_update().filter(pk=finding.pk).first()
        return _store(finding, uploads, actor)
