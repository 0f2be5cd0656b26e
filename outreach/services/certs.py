"""Certificates of volunteer service: issue, revoke, and the log of public verifications.

谁组织谁记录、谁记录谁证明: a certificate is issued by the organisation that recorded the hours, for its own
verified records only. A request that would cover a pending record, a record of another organisation, a record
certified already, or no hours at all is refused with a message that says which.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from wudu import scope
from wudu.writes import create_once, update_versioned

from ..models import (
    AgentClass,
    Certificate,
    CertificateCounter,
    CertificateVerification,
    CertifiedRecord,
    HoursKind,
    HoursStatus,
    ServiceRecord,
    Volunteer,
    VolunteerOrganization,
)
from ..models.certs import NUMBER_PREFIX

__all__ = ["certificate_issue", "certificate_revoke", "certificate_verification_log", "period_records",
           "certificate_content"]


_CHRONOLOGICAL = ("checked_in_at", "created_at", "id")


def _local_bounds(period_from: datetime.date, period_to: datetime.date):
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(period_from, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(period_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


def period_records(*, organization: VolunteerOrganization, volunteer: Volunteer, period_from: datetime.date,
                   period_to: datetime.date):
    """The organisation's records of the volunteer in the period, every status: service records by their
    check-in, honour records by when they were entered."""
    start, end = _local_bounds(period_from, period_to)
    served = (ServiceRecord.objects.filter(kind=HoursKind.SERVICE, checked_in_at__gte=start, checked_in_at__lt=end)
              | ServiceRecord.objects.filter(kind=HoursKind.HONOUR, created_at__gte=start, created_at__lt=end))
    return served.filter(organization=organization, volunteer=volunteer)


def certificate_content(records: list[ServiceRecord]) -> str:
    """What the volunteer did, from the events of the records: 「垃圾分类宣讲」等 12 次志愿服务."""
    titles = list(dict.fromkeys(r.event.title for r in records if r.event_id is not None))
    services = sum(1 for r in records if r.kind == HoursKind.SERVICE)
    if not titles:
        return _("荣誉时长（经审批）")
    named = "、".join(f"「{title}」" for title in titles[:3])
    more = _("等") if len(titles) > 3 else ""
    return _("参加%(named)s%(more)s%(count)s次志愿服务") % {"named": named, "more": more, "count": services}


def _refuse_records(records: list[ServiceRecord], organization: VolunteerOrganization, volunteer: Volunteer) -> None:
    foreign = [r for r in records if r.organization_id != organization.pk]
    if foreign:
        raise ValidationError(
            _("有 %(count)d 条时长由其他组织（%(other)s）记录：谁记录谁证明，只能由记录组织出具证明。")
            % {"count": len(foreign), "other": foreign[0].organization.name}, code="other_organization")
    if any(r.volunteer_id != volunteer.pk for r in records):
        raise ValidationError(_("所选时长记录不属于该志愿者。"), code="other_volunteer")
    unverified = [r for r in records if r.status != HoursStatus.VERIFIED]
    if unverified:
        pending = sum(1 for r in unverified if r.status == HoursStatus.PENDING)
        raise ValidationError(
            _("有 %(count)d 条时长尚未确认（待确认 %(pending)d 条）：只能为已确认的时长出具证明，请先完成确认。")
            % {"count": len(unverified), "pending": pending}, code="unverified")


def _covering(records: list[ServiceRecord]) -> Certificate | None:
    """The certificate in force that covers exactly these records (a repeated request), if any."""
    ids = {r.pk for r in records}
    numbers = set(CertifiedRecord.objects.filter(record_id__in=ids, in_force=True)
                  .values_list("certificate_id", flat=True))
    if len(numbers) != 1:
        return None
    certificate = Certificate.objects.get(pk=numbers.pop())
    covered = set(CertifiedRecord.objects.filter(certificate=certificate).values_list("record_id", flat=True))
    return certificate if covered == ids else None


def _refuse_certified(records: list[ServiceRecord]) -> None:
    numbers = sorted(set(Certificate.objects.filter(covered__record__in=records, covered__in_force=True)
                         .values_list("number", flat=True)))
    if numbers:
        raise ValidationError(
            _("部分时长已由证明 %(numbers)s 证明，同一时长不能重复出具；请调整服务期间，或先作废原证明。")
            % {"numbers": "、".join(numbers)}, code="certified")


def _next_number(year: int) -> str:
    """The next number of the year, e.g. WD-2026-000123. The counter row stays locked until the issuing
    transaction ends: a rollback gives the number back, a parallel issue waits for it."""
    CertificateCounter.objects.bulk_create([CertificateCounter(year=year)], ignore_conflicts=True)
    CertificateCounter.objects.filter(year=year).update(last=F("last") + 1)
    last = CertificateCounter.objects.values_list("last", flat=True).get(year=year)
    return f"{NUMBER_PREFIX}-{year}-{last:06d}"


def certificate_issue(
    *, actor, organization: VolunteerOrganization, volunteer: Volunteer, period_from: datetime.date,
    period_to: datetime.date, content: str = "", records: list[ServiceRecord] | None = None, idempotency_key=None,
    now: datetime.datetime | None = None,
) -> Certificate:
    """Certify the volunteer's verified hours recorded by `organization` in the period (or exactly `records`).

    Idempotent: the same client key, or a repeated request covering exactly the records of a certificate in force,
    gets that certificate back."""
    scope.require_create(actor, "certificate", organization.place)
    now = now or timezone.now()
    if period_to < period_from:
        raise ValidationError({"period_to": _("服务期间的结束日期不能早于开始日期。")}, code="period")
    if period_to > timezone.localdate(now):
        raise ValidationError({"period_to": _("服务期间不能晚于今天。")}, code="future")

    def chosen() -> list[ServiceRecord]:
        if records is not None:
            found = list(ServiceRecord.objects.select_related("organization", "event")
                         .filter(pk__in=[r.pk for r in records]).order_by(*_CHRONOLOGICAL))
            _refuse_records(found, organization, volunteer)
            within = set(period_records(organization=organization, volunteer=volunteer, period_from=period_from,
                                        period_to=period_to).values_list("pk", flat=True))
            if any(r.pk not in within for r in found):
                raise ValidationError({"period_from": _("所选时长记录不在服务期间内。")}, code="outside_period")
            return found
        found = list(period_records(organization=organization, volunteer=volunteer, period_from=period_from,
                                    period_to=period_to).select_related("organization", "event")
                     .exclude(status=HoursStatus.DECLINED).order_by(*_CHRONOLOGICAL))
        _refuse_records(found, organization, volunteer)  # pending ones: refused, never left out silently
        return found

    def create() -> Certificate:
        covered = chosen()
        if not covered or sum(r.minutes for r in covered) == 0:
            raise ValidationError(_("该期间内没有本组织已确认的志愿服务时长，不能出具证明。"), code="no_hours")
        existing = _covering(covered)
        if existing is not None:
            return existing
        _refuse_certified(covered)
        certificate = Certificate(
            number=_next_number(timezone.localdate(now).year), volunteer=volunteer, organization=organization,
            service_minutes=sum(r.minutes for r in covered if r.kind == HoursKind.SERVICE),
            honour_minutes=sum(r.minutes for r in covered if r.kind == HoursKind.HONOUR),
            period_from=period_from, period_to=period_to,
            content=(content.strip() or certificate_content(covered))[:300], issued_by=actor, issued_at=now,
        )
        certificate.full_clean()
        certificate.save()
        CertifiedRecord.objects.bulk_create([CertifiedRecord(certificate=certificate, record=r) for r in covered])
        return certificate

    try:
        return create_once(key=idempotency_key, actor=actor, model=Certificate, create=create)
    except IntegrityError:
        # A parallel request certified the same records first (the one-in-force index refused ours, and our
        # number went back with the rollback): the same request gets that certificate, another one is told.
        covered = chosen()
        existing = _covering(covered)
        if existing is not None:
            return existing
        _refuse_certified(covered)
        raise


def certificate_revoke(*, actor, certificate: Certificate, reason: str, expected_version: int | None = None,
                       now: datetime.datetime | None = None) -> Certificate:
    """作废: the certificate stays (its number is never reused) and the verification page says it is void; its
    records may be certified again."""
    scope.require_change(actor, certificate, "certificate")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("作废须填写原因。")}, code="reason")
    if certificate.revoked_at is not None:
        return certificate  # revoked already: a retry changes nothing
    with transaction.atomic():
        certificate = update_versioned(certificate, expected_version=expected_version, fields={
            "revoked_at": now or timezone.now(), "revoked_reason": reason[:200], "revoked_by": actor})
        CertifiedRecord.objects.filter(certificate=certificate).update(in_force=False)
    return certificate


def _agent_class(user_agent: str) -> str:
    ua = user_agent.lower()
    if any(word in ua for word in ("bot", "spider", "crawl", "curl", "wget", "python", "http")):
        return AgentClass.BOT
    if "ipad" in ua or "tablet" in ua:
        return AgentClass.TABLET
    if "mobile" in ua or "android" in ua or "iphone" in ua or "micromessenger" in ua:
        return AgentClass.PHONE
    if "windows" in ua or "macintosh" in ua or "x11" in ua or "linux" in ua:
        return AgentClass.DESKTOP
    return AgentClass.OTHER


def certificate_verification_log(*, certificate: Certificate, client_ip: str, user_agent: str,
                                 now: datetime.datetime | None = None) -> CertificateVerification:
    """Log one public look at a certificate (no login: the token on the paper is the capability). The address is
    kept as a keyed hash, the browser as its class only."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"certificate-ip:{client_ip}".encode(), hashlib.sha256)
    return CertificateVerification.objects.create(
        certificate=certificate, at=now or timezone.now(), ip_hash=digest.hexdigest() if client_ip else "",
        agent=_agent_class(user_agent or ""))
