"""Certificates of volunteer service (志愿服务记录证明). 谁组织谁记录、谁记录谁证明: a certificate is issued by the
organisation that recorded the hours, and covers only its verified records (ServiceRecord), each at most once
among the certificates in force.

The number (WD-2026-000123) comes from a per-year counter locked in the issuing transaction: no gaps, no
duplicates. The public verification page finds a certificate by its random token (the QR code on the paper), shows
partial data only, and logs each verification (CertificateVerification, append-only).
"""

from __future__ import annotations

import secrets

import pgtrigger
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import User
from wudu.scope import ScopedQuerySet

from .hours import ServiceRecord, as_hours
from .volunteers import Volunteer, VolunteerOrganization

NUMBER_PREFIX = "WD"


def new_token() -> str:
    """The token of the public verification address: 128 random bits, URL-safe (22 characters)."""
    return secrets.token_urlsafe(16)


class CertificateCounter(models.Model):
    """Per-year sequence of certificate numbers; the row is locked while a number is taken, so a rolled-back
    issue gives its number back (no gaps) and two issues never share one (no duplicates)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year} {self.last}"


class CertificateQuerySet(ScopedQuerySet):
    scope_resource = "certificate"

    def in_force(self):
        return self.filter(revoked_at__isnull=True)


class CertifiedHours:
    """The hours of a certificate, or of what an issue would cover (selectors.certs.Coverage), from its service and
    honour minutes: one rule for both, so the page before an issue shows what the paper will say."""

    service_minutes: int
    honour_minutes: int

    @property
    def service_hours(self) -> float:
        return as_hours(self.service_minutes)

    @property
    def honour_hours(self) -> float:
        return as_hours(self.honour_minutes)


class Certificate(CertifiedHours, models.Model):
    number = models.CharField(_("证明编号"), max_length=20, unique=True, editable=False)
    volunteer = models.ForeignKey(Volunteer, verbose_name=_("志愿者"), on_delete=models.PROTECT,
                                  related_name="certificates")
    # The issuing organisation: the one that recorded every hour it covers.
    organization = models.ForeignKey(VolunteerOrganization, verbose_name=_("出具组织"), on_delete=models.PROTECT,
                                     related_name="certificates")
    records = models.ManyToManyField(ServiceRecord, through="CertifiedRecord", related_name="certificates",
                                     verbose_name=_("所含时长记录"))
    # The figures as certified (copied at issue: a certificate states what was true when it was signed).
    service_minutes = models.PositiveIntegerField(_("服务时长（分钟）"), default=0)
    honour_minutes = models.PositiveIntegerField(_("荣誉时长（分钟）"), default=0)
    period_from = models.DateField(_("服务期间自"))
    period_to = models.DateField(_("服务期间至"))
    content = models.CharField(_("服务内容"), max_length=300)
    issued_by = models.ForeignKey(User, verbose_name=_("出具人"), on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("出具时间"), default=timezone.now)
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("作废原因"), max_length=200, blank=True)
    revoked_by = models.ForeignKey(User, verbose_name=_("作废人"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿服务证明")
        verbose_name_plural = _("志愿服务证明")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_to__gte=models.F("period_from")),
                                   name="certificate_period_ordered",
                                   violation_error_message=_("服务期间的结束日期不能早于开始日期。")),
            models.CheckConstraint(condition=Q(service_minutes__gt=0) | Q(honour_minutes__gt=0),
                                   name="certificate_has_hours",
                                   violation_error_message=_("证明的时长不能为零。")),
            models.CheckConstraint(condition=Q(revoked_at__isnull=True) | ~Q(revoked_reason=""),
                                   name="certificate_revoked_with_reason",
                                   violation_error_message=_("作废须填写原因。")),
        ]
        indexes = [
            models.Index(fields=["organization", "id"], name="certificate_org"),
            models.Index(fields=["volunteer", "id"], name="certificate_volunteer"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None



class CertifiedRecord(models.Model):
    """One service record covered by one certificate. `in_force` mirrors the certificate's state (cleared when it
    is revoked) so that the database itself refuses a record certified twice."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="covered")
    record = models.ForeignKey(ServiceRecord, on_delete=models.PROTECT, related_name="certified")
    in_force = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("证明所含时长记录")
        verbose_name_plural = _("证明所含时长记录")
        constraints = [
            models.UniqueConstraint(fields=["certificate", "record"], name="certified_record_once"),
            models.UniqueConstraint(fields=["record"], condition=Q(in_force=True),
                                    name="certified_record_one_in_force"),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} · {self.record_id}"


class AgentClass(models.TextChoices):
    PHONE = "phone", _("手机")
    TABLET = "tablet", _("平板")
    DESKTOP = "desktop", _("电脑")
    BOT = "bot", _("程序")
    OTHER = "other", _("其他")


class CertificateVerification(models.Model):
    """One look at the public verification page (append-only: refused UPDATE and DELETE on PostgreSQL). The
    client address is kept only as a keyed hash (enough to count distinct checkers, not to find anyone)."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="verifications")
    at = models.DateTimeField(default=timezone.now)
    ip_hash = models.CharField(max_length=64, blank=True)
    agent = models.CharField(max_length=16, choices=AgentClass.choices, default=AgentClass.OTHER)

    class Meta:
        verbose_name = _("证明查验记录")
        verbose_name_plural = _("证明查验记录")
        default_permissions = ("view",)
        indexes = [models.Index(fields=["certificate", "at"], name="certificate_verification_at")]
        triggers = [pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.at:%Y-%m-%d %H:%M}"
