"""Every write of the affairs app: the catalogue (items and their materials), the one-time code that proves a
resident's mobile, submitting an application (a resident with a proven mobile, or a grid worker on a household's
behalf) and each handling step. Writes are atomic (nothing half-saved), keyed creates return the first record to
a retry (wudu.writes.create_once), steps lock the application and check the version read (select_for_update)."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import calendar, notify
from grids.models import Department, Place
from ledger.models import Household
from wudu import quota, scope
from wudu.errors import Conflict
from wudu.rules import is_mobile
from wudu.writes import create_once

from . import workflow
from .models import (
    Application,
    ApplicationMaterial,
    ApplicationStep,
    Certificate,
    MaterialRequirement,
    MobileCode,
    Rating,
    Rectification,
    ReferenceCounter,
    ResultKind,
    Satisfaction,
    ServiceItem,
    Status,
)

log = logging.getLogger("wudu.affairs")

ITEM_FIELDS = ("name", "applicants", "conditions", "unit_place", "department", "time_limit", "mode", "legal_basis",
               "is_demo", "active", "sort_order")


# ---------------------------------------------------------------------------------------------- the catalogue


def service_item_create(*, actor, place: Place, materials: Iterable[dict] = (), **fields) -> ServiceItem:
    """A service item offered at `place` (district, street or community), with its materials (dicts of
    MaterialRequirement fields), by an official of the place or above."""
    if not scope.can_write_code(actor, "service_item", place.code):
        raise PermissionDenied(_("您无权在该地区维护服务事项。"))
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    with transaction.atomic():
        item = ServiceItem(place=place, **fields)
        _check_unit(item)
        item.full_clean()
        item.save()
        for order, values in enumerate(materials):
            requirement = MaterialRequirement(item=item, sort_order=order, **values)
            requirement.full_clean()
            requirement.save()
    return item


def service_item_update(*, actor, item: ServiceItem, version: int, **fields) -> ServiceItem:
    if not scope.can_change(actor, item, "service_item"):
        raise PermissionDenied(_("您无权修改该服务事项。"))
    with transaction.atomic():
        locked = ServiceItem.objects.select_for_update().get(pk=item.pk)
        if locked.version != int(version):
            raise Conflict()
        for name, value in fields.items():
            if name not in ITEM_FIELDS:
                raise TypeError(f"unknown field {name!r}")
            setattr(locked, name, value)
        _check_unit(locked)
        locked.full_clean()
        locked.version += 1
        locked.save()
    return locked


def _check_unit(item: ServiceItem) -> None:
    """The handling unit is the offering place or a place above it in the same district, or a department of that
    district."""
    district = item.place.code[: scope.DISTRICT_CODE_LENGTH]
    if item.unit_place_id and not item.place.code.startswith(item.unit_place.code):
        raise ValidationError({"unit_place": _("办理单位应为提供地本级或其上级。")})
    if item.department_id and item.department.district.code != district:
        raise ValidationError({"department": _("办理部门应属于本区。")})


# ---------------------------------------------------------------------------------------------- the one-time code


def _digest(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def mobile_code_send(*, mobile: str, client_ip: str = "", now: datetime.datetime | None = None) -> None:
    """Send a 6-digit code to `mobile` through the notice channels, within the limits per mobile and per network
    (wudu.quota, in this transaction: a refused send uses nothing). Neither the code nor the mobile is logged."""
    if not is_mobile(mobile):
        raise ValidationError({"mobile": _("请输入 11 位手机号码。")}, code="invalid")
    now = now or timezone.now()
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        if not quota.take("affairs.code.mobile", mobile, limit=settings.AFFAIRS_CODES_PER_MOBILE_PER_HOUR,
                          period=quota.HOUR, now=now) or (client_ip and not quota.take(
                "affairs.code.ip", client_ip, limit=settings.AFFAIRS_CODES_PER_IP_PER_HOUR, period=quota.HOUR, now=now)):
            raise ValidationError(_("验证码发送过于频繁，请一小时后再试。"), code="rate_limited")
        MobileCode.objects.create(mobile_digest=_digest(mobile), code_digest=_digest(f"{mobile}:{code}"), created_at=now,
                                  expires_at=now + datetime.timedelta(minutes=settings.AFFAIRS_CODE_MINUTES))
        message = _("【网格通】您的办事验证码为 %(code)s，%(minutes)d 分钟内有效。请勿告诉他人。") % {
            "code": code, "minutes": settings.AFFAIRS_CODE_MINUTES}
        transaction.on_commit(lambda: _send_code(mobile, message))


def _send_code(mobile: str, message: str) -> None:
    """Through the notice channels, except that the logging one says only that a code went out: the code is the
    secret, and the mobile personal data (the log channel would write a redacted message, but not redact a code)."""
    for channel in notify.channels():
        if channel.name == "log":
            log.info("one-time code sent")
        else:
            channel.send(mobile=mobile, message=message)


def mobile_code_verify(*, mobile: str, code: str, now: datetime.datetime | None = None) -> MobileCode:
    """Check the latest code sent to `mobile`: the proof to submit with, or a refusal. A wrong try counts (and is
    saved even though the answer is a refusal); after AFFAIRS_CODE_TRIES the code is dead."""
    now = now or timezone.now()
    with transaction.atomic():
        row = (MobileCode.objects.select_for_update().filter(mobile_digest=_digest(mobile), verified_at__isnull=True)
               .order_by("-id").first())
        if row is None or row.expires_at <= now:
            raise ValidationError({"code": _("验证码已过期或不存在，请重新获取。")}, code="expired")
        if row.tries >= settings.AFFAIRS_CODE_TRIES:
            raise ValidationError({"code": _("验证码错误次数过多，请重新获取。")}, code="too_many_tries")
        if not hmac.compare_digest(row.code_digest, _digest(f"{mobile}:{code.strip()}")):
            MobileCode.objects.filter(pk=row.pk).update(tries=F("tries") + 1)
            left = settings.AFFAIRS_CODE_TRIES - row.tries - 1
            error = (_("验证码不正确，还可以再试 %(n)d 次。") % {"n": left}) if left else _("验证码错误次数过多，请重新获取。")
            wrong = ValidationError({"code": error}, code="wrong_code")
        else:
            row.verified_at = now
            row.save(update_fields=["verified_at"])
            return row
    raise wrong


def _use_proof(proof_id: int | None, mobile: str, now: datetime.datetime) -> None:
    """Spend a verified code on one submission (inside the submission's transaction)."""
    used = MobileCode.objects.filter(
        pk=proof_id or 0, mobile_digest=_digest(mobile), used_at__isnull=True,
        verified_at__gt=now - datetime.timedelta(minutes=settings.AFFAIRS_PROOF_MINUTES)).update(used_at=now)
    if not used:
        raise ValidationError({"mobile": _("请先验证手机号码（验证码）后再提交。")}, code="unverified")


# ---------------------------------------------------------------------------------------------- applying


def application_submit_public(*, item: ServiceItem, place: Place, applicant_name: str, mobile: str, proof_id: int | None,
                              files: dict, key=None, client_ip: str = "",
                              now: datetime.datetime | None = None) -> tuple[Application, str | None]:
    """A resident's application with a proven mobile. Returns the application and its tracking token (None when a
    retry with the same key got the application made the first time: its token is shown once only)."""
    now = now or timezone.now()
    made: dict = {}

    def create() -> Application:
        _use_proof(proof_id, mobile, now)
        application, token = _create(item=item, place=place, applicant_name=applicant_name, mobile=mobile, files=files,
                                     actor=None, household=None, client_ip=client_ip, now=now)
        made["token"] = token
        return application

    application = create_once(key=key, actor=None, model=Application, create=create)
    return application, made.get("token")


def application_submit_for(*, actor, item: ServiceItem, household: Household, applicant_name: str, mobile: str,
                           files: dict, key=None, now: datetime.datetime | None = None) -> tuple[Application, str | None]:
    """帮办代办: a grid worker applies for a resident of a household of their grid (recorded as such)."""
    if not scope.acts_as(actor, household, "household", scope.GRID_STAFF):
        raise PermissionDenied(_("只能为本网格住户代办。"))
    now = now or timezone.now()
    made: dict = {}
    place = item.place

    def create() -> Application:
        if not household.grid.code.startswith(place.code):
            raise ValidationError(_("该住户不在此事项的办理范围内。"), code="not_offered")
        application, token = _create(item=item, place=place, applicant_name=applicant_name, mobile=mobile, files=files,
                                     actor=actor, household=household, client_ip="", now=now)
        made["token"] = token
        return application

    application = create_once(key=key, actor=actor, model=Application, create=create)
    return application, made.get("token")


def _create(*, item: ServiceItem, place: Place, applicant_name: str, mobile: str, files: dict, actor, household,
            client_ip: str, now: datetime.datetime) -> tuple[Application, str]:
    # The item must be offered where the applicant lives: at their place or a level above it.
    if not place.code.startswith(item.place.code) or not item.active:
        raise ValidationError(_("该地不提供此事项，请在本地事项目录中选择。"), code="not_offered")
    if not item.applies_online:
        raise ValidationError(_("该事项只能现场办理，请按事项说明前往办理。"), code="in_person_only")
    requirements = list(item.materials.all())
    _check_files(requirements, files, all_required=True)
    token = secrets.token_urlsafe(24)
    unit_place = item.unit_place if item.unit_place_id else item.department.district
    application = Application(
        reference=_next_reference(timezone.localdate(now)), token_digest=token_digest(token), item=item,
        unit_place=unit_place, department=item.department, applicant_name=applicant_name.strip(),
        applicant_mobile=mobile, household=household, on_behalf_of=actor, submitted_at=now,
        client_ip=client_ip or None)
    application.full_clean(exclude=["reference", "token_digest"])
    application.save()
    _store_files(application, requirements, files, actor=actor, now=now)
    _record(application, actor=actor, role="grid_worker" if actor else workflow.APPLICANT, action="submit",
            before="", note=_("网格员帮办代办") if actor else "", now=now)
    link = (settings.PUBLIC_BASE_URL or "http://127.0.0.1:8000").rstrip("/") + reverse("affairs:track", args=[token])
    _tell_applicant(application, _("【网格通】您的办事申请已提交，编号 %(ref)s，进度查询：%(link)s") % {
        "ref": application.reference, "link": link})
    return application, token


# What the applicant hears of a step by SMS (the tracking link went with the submission's message).
TELL = {
    "request_materials": gettext_lazy("【网格通】您的申请 %(ref)s 需补正材料，请打开提交时收到的进度链接一次补齐。"),
    "accept": gettext_lazy("【网格通】您的申请 %(ref)s 已受理。"),
    "approve": gettext_lazy("【网格通】您的申请 %(ref)s 已办结（准予办理），详情请查看进度链接。"),
    "refuse": gettext_lazy("【网格通】您的申请 %(ref)s 不予办理，理由和依据请查看进度链接。"),
}


def _tell_applicant(application: Application, message: str) -> None:
    mobile = application.applicant_mobile
    transaction.on_commit(lambda: notify.send_outside(mobile, message))


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_files(requirements: list[MaterialRequirement], files: dict, *, all_required: bool,
                 needed: Iterable[int] = ()) -> None:
    errors = {}
    known = {r.pk for r in requirements}
    for requirement in requirements:
        upload = files.get(requirement.pk)
        if upload is None:
            if (all_required and requirement.required) or requirement.pk in set(needed):
                errors[f"material_{requirement.pk}"] = _("请上传“%(name)s”。") % {"name": requirement.name}
            continue
        if upload.size > requirement.max_kb * 1024:
            errors[f"material_{requirement.pk}"] = _("“%(name)s”不能超过 %(kb)d KB。") % {
                "name": requirement.name, "kb": requirement.max_kb}
    if set(files) - known:
        errors["__all__"] = _("上传了本事项不需要的材料。")
    if errors:
        raise ValidationError(errors, code="materials")


def _store_files(application: Application, requirements: list[MaterialRequirement], files: dict, *, actor,
                 now: datetime.datetime) -> None:
    for requirement in requirements:
        upload = files.get(requirement.pk)
        if upload is None:
            continue
        ApplicationMaterial.objects.filter(application=application, requirement=requirement,
                                           replaced_at__isnull=True).update(replaced_at=now)
        material = ApplicationMaterial(application=application, requirement=requirement, uploaded_at=now,
                                       uploaded_by=actor if getattr(actor, "pk", None) else None, size=upload.size,
                                       original_name=str(getattr(upload, "name", ""))[:120])
        material.file.save(getattr(upload, "name", "material.bin"), upload, save=False)
        material.save()


def _next_reference(day: datetime.date) -> str:
    counter, _created = ReferenceCounter.objects.get_or_create(day=day)
    ReferenceCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return f"B{day:%Y%m%d}{counter.last:05d}"


def _record(application: Application, *, actor, role: str, action: str, before: str, note: str = "",
            materials: list[int] | None = None, flagged: bool = False, unit: str = "",
            now: datetime.datetime) -> ApplicationStep:
    return ApplicationStep.objects.create(
        application=application, actor=actor if getattr(actor, "pk", None) else None, role=role, action=action,
        from_status=before, to_status=application.status, note=note[:500], materials=materials or [],
        flagged=flagged, unit=unit[:60], at=now)


# ---------------------------------------------------------------------------------------------- handling


def application_act(*, actor, application: Application, action: str, version: int, key=None, note: str = "",
                    materials: Iterable[int] = (), unit: Place | Department | None = None, result_kind: str = "",
                    result: str = "", reason: str = "", basis: str = "",
                    now: datetime.datetime | None = None) -> ApplicationStep:
    """Take the handling step `action` (a row of workflow.STEPS) on an application read at `version`."""
    step = workflow.STEPS.get(action)
    if step is None or step.by != workflow.HANDLER:
        raise ValidationError(_("未知的办理环节。"), code="unknown_step")
    now = now or timezone.now()
    requested = sorted({int(m) for m in materials})
    inputs = {"materials": requested, "unit": unit, "note": note.strip(), "result_kind": result_kind,
              "result": result.strip(), "reason": reason.strip(), "basis": basis.strip()}

    def act() -> ApplicationStep:
        locked = Application.objects.select_for_update().select_related("item").get(pk=application.pk)
        grant = workflow.handler_grant(actor, locked)
        if grant is None:
            raise PermissionDenied(_("只有办理单位可以办理该申请。"))
        if locked.version != int(version):
            raise Conflict()
        workflow.check_step(step, locked, inputs)
        before, flagged, unit_name = locked.status, False, ""
        if action == "request_materials":
            valid = set(locked.item.materials.values_list("pk", flat=True))
            if not set(requested) <= valid:
                raise ValidationError({"materials": _("请选择本事项的申请材料。")})
            flagged = workflow.check_material_request(locked, requested)
            locked.material_requests += 1
        elif action == "accept":
            locked.accepted_at = now
            locked.due_at = calendar.add_working_days(now, locked.item.time_limit)
            locked.due_soon_at = calendar.due_soon_at(now, locked.due_at)
        elif action == "transfer":
            unit_name = _transfer(locked, unit)
        elif action == "approve":
            locked.result_kind, locked.result, locked.decided_at = result_kind, inputs["result"], now
        elif action == "refuse":
            locked.refusal_reason, locked.refusal_basis, locked.decided_at = inputs["reason"], inputs["basis"], now
        locked.status = step.target
        locked.version += 1
        locked.full_clean(exclude=["reference", "token_digest"])
        locked.save()
        if action == "approve" and result_kind == ResultKind.CERTIFICATE:
            _issue_certificate(locked, now=now)
        if action in TELL:
            _tell_applicant(locked, str(TELL[action]) % {"ref": locked.reference})
        return _record(locked, actor=actor, role=grant.role, action=action, before=before,
                       note=inputs["reason"] or inputs["result"] or inputs["note"], materials=requested,
                       flagged=flagged, unit=unit_name, now=now)

    done = create_once(key=key, actor=actor, model=ApplicationStep, create=act)
    application.refresh_from_db()
    return done


def _transfer(application: Application, unit: Place | Department) -> str:
    district = application.unit_place.code[: scope.DISTRICT_CODE_LENGTH]
    if isinstance(unit, Department):
        if unit.district.code != district:
            raise ValidationError({"unit": _("只能转办到本区的单位或部门。")})
        if unit.pk == application.department_id:
            raise ValidationError({"unit": _("申请已在该部门办理。")})
        application.department, application.unit_place = unit, unit.district
    else:
        if not unit.code.startswith(district) or unit.level not in ("district", "street", "community"):
            raise ValidationError({"unit": _("只能转办到本区的单位或部门。")})
        if application.department_id is None and unit.pk == application.unit_place_id:
            raise ValidationError({"unit": _("申请已在该单位办理。")})
        application.department, application.unit_place = None, unit
    return unit.name


def application_resubmit(*, token: str, files: dict, key=None, now: datetime.datetime | None = None) -> Application:
    """The applicant sends the materials asked for (through the tracking link): every material of the last request
    must come; each new file replaces the one before, which is kept."""
    now = now or timezone.now()

    def resubmit() -> ApplicationStep:
        locked = Application.objects.select_for_update().get(token_digest=token_digest(token))
        workflow.check_step(workflow.STEPS["resubmit"], locked, {})
        request = locked.steps.filter(action="request_materials").order_by("-at", "-id").first()
        requirements = list(locked.item.materials.all())
        _check_files(requirements, files, all_required=False, needed=[int(i) for i in request.materials])
        _store_files(locked, requirements, files, actor=None, now=now)
        before = locked.status
        locked.status = Status.RESUBMITTED
        locked.version += 1
        locked.save()
        return _record(locked, actor=None, role=workflow.APPLICANT, action="resubmit", before=before,
                       materials=sorted(files), now=now)

    return create_once(key=key, actor=None, model=ApplicationStep, create=resubmit).application


# ---------------------------------------------------------------------------------------------- certificates


def _issue_certificate(application: Application, *, now: datetime.datetime) -> Certificate:
    """The certificate of an approval (inside its transaction): what it states is copied from the application now.
    Its number follows the application's reference (one certificate per application: no counter needed)."""
    unit = application.department.name if application.department_id else application.unit_place.name
    certificate = Certificate(application=application, number=f"ZM{application.reference[1:]}",
                              item_name=application.item.name, applicant_name=application.applicant_name,
                              statement=application.result, unit_name=unit[:60], issued_at=now)
    certificate.full_clean(exclude=["application", "code"])
    certificate.save()
    return certificate


def certificate_revoke(*, actor, certificate: Certificate, reason: str,
                       now: datetime.datetime | None = None) -> Certificate:
    """The handling unit withdraws a certificate (issued in error): the verification page then says it is void."""
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().select_related("application").get(pk=certificate.pk)
        if workflow.handler_grant(actor, locked.application) is None:
            raise PermissionDenied(_("只有办理单位可以作废该证明。"))
        if locked.revoked_at is not None:
            return locked
        if not reason.strip():
            raise ValidationError({"reason": _("作废须填写原因。")}, code="required")
        locked.revoked_at, locked.revoked_reason = now or timezone.now(), reason.strip()[:200]
        locked.save(update_fields=["revoked_at", "revoked_reason"])
    certificate.refresh_from_db()
    return locked


# ---------------------------------------------------------------------------------------------- 好差评


def application_rate(*, token: str, level: int, comment: str = "", key=None,
                     now: datetime.datetime | None = None) -> Rating:
    """The applicant (the holder of the tracking link) rates a closed application, once. A retry with the same key
    gets the first rating back; another rating is refused. A bad rating opens a rectification due in
    AFFAIRS_RECTIFY_DAYS working days."""
    now = now or timezone.now()
    if int(level) not in Satisfaction.values:
        raise ValidationError({"level": _("请选择评价等级。")}, code="required")

    def rate() -> Rating:
        locked = Application.objects.select_for_update().get(token_digest=token_digest(token))
        if locked.status != Status.CLOSED:
            raise ValidationError(_("申请办结后才能评价。"), code="not_closed")
        if Rating.objects.filter(application=locked).exists():
            raise ValidationError(_("您已评价过该申请，不能重复评价。"), code="rated")
        rating = Rating(application=locked, level=int(level), comment=comment.strip()[:500], at=now)
        rating.full_clean(exclude=["application"])
        rating.save()
        if rating.is_bad:
            Rectification.objects.create(
                rating=rating, application=locked, opened_at=now,
                due_at=calendar.add_working_days(now, settings.AFFAIRS_RECTIFY_DAYS))
        return rating

    rating = create_once(key=key, actor=None, model=Rating, create=rate)
    if rating.application.token_digest != token_digest(token):  # a key is one client's: never another's rating
        raise ValidationError(_("提交标识无效，请刷新页面后重试。"), code="invalid_key")
    return rating


RECTIFIED = gettext_lazy("【网格通】您对申请 %(ref)s 的评价已由办理单位整改答复，详情请查看进度链接。")


def rectification_answer(*, actor, application: Application, answer: str,
                         now: datetime.datetime | None = None) -> Rectification:
    """The handling unit says what it did about a bad rating; the applicant is told by SMS. Answered once (a
    double submission of the same answer gets it back)."""
    now = now or timezone.now()
    answer = answer.strip()
    with transaction.atomic():
        locked = (Rectification.objects.select_for_update().select_related("application")
                  .filter(application=application).first())
        if locked is None:
            raise ValidationError(_("该申请没有待整改的差评。"), code="no_rectification")
        grant = workflow.handler_grant(actor, locked.application)
        if grant is None:
            raise PermissionDenied(_("只有办理单位可以答复整改。"))
        if locked.answered_at is not None:
            if locked.answer == answer:
                return locked
            raise ValidationError(_("该差评已答复整改，不能再次答复。"), code="answered")
        if not answer:
            raise ValidationError({"answer": _("请填写整改情况。")}, code="required")
        locked.answer, locked.answered_at, locked.role = answer[:1000], now, grant.role
        locked.answered_by = actor if getattr(actor, "pk", None) else None
        locked.full_clean(exclude=["rating", "application"])
        locked.save()
        _tell_applicant(locked.application, str(RECTIFIED) % {"ref": locked.application.reference})
    return locked
