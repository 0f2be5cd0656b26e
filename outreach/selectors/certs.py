"""Reads of certificates: the organisation's list, one certificate, what an issue would cover, and the public
verification page's partial view."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from wudu import scope
from wudu.pages import keyset_page
from wudu.redact import mask_name

from ..models import (
    Certificate,
    CertifiedHours,
    HoursKind,
    HoursStatus,
    ServiceRecord,
    Volunteer,
    VolunteerOrganization,
)
from ..services.certs import period_records

__all__ = ["access_certificate", "certificate_page", "certificate_coverage", "public_certificate", "mask_name",
           "issuing_organizations", "Coverage"]


def certificate_page(user, *, after: str = "", size: int = 50, organization: VolunteerOrganization | None = None,
                     ) -> tuple[list[Certificate], str]:
    """The certificates the gate shows the user, newest first, with their verification counts (one query)."""
    queryset = (Certificate.objects.visible_to(user).select_related("volunteer", "organization")
                .annotate(verification_count=Count("verifications")))
    if organization is not None:
        queryset = queryset.filter(organization=organization)
    return keyset_page(queryset, after, size=size)


def access_certificate(user, pk: int) -> Certificate:
    """One certificate through the gate (the same 404 for missing and hidden), with its verification count."""
    queryset = (Certificate.objects.select_related("volunteer", "organization", "organization__place", "issued_by",
                                                   "revoked_by")
                .annotate(verification_count=Count("verifications")))
    return scope.access(queryset, user, pk=pk)


def issuing_organizations(user) -> QuerySet:
    """The volunteer organisations whose certificates the user may issue: registered at a place one of the user's
    writing grants reaches (the organisation's own officials and those above)."""
    prefixes = [grant.code for grant in scope.grants_for(user)
                if scope.POLICIES["certificate"].write.get(grant.role) is not None]
    queryset = VolunteerOrganization.objects.select_related("place").order_by("place__code", "name", "id")
    if getattr(user, "is_superuser", False) and user.is_active:
        return queryset
    if not prefixes:
        return queryset.none()
    q = Q()
    for prefix in prefixes:
        q |= Q(place__code__startswith=prefix)
    return queryset.filter(q)


@dataclass
class Coverage(CertifiedHours):
    """What an issue for (organisation, volunteer, period) would cover, and what stops it."""

    verified: list[ServiceRecord]
    pending: int
    declined: int
    certified: int  # verified records already on a certificate in force

    @property
    def service_minutes(self) -> int:
        return sum(r.minutes for r in self.verified if r.kind == HoursKind.SERVICE)

    @property
    def honour_minutes(self) -> int:
        return sum(r.minutes for r in self.verified if r.kind == HoursKind.HONOUR)

    @property
    def service_count(self) -> int:
        return sum(1 for r in self.verified if r.kind == HoursKind.SERVICE)


def certificate_coverage(*, organization: VolunteerOrganization, volunteer: Volunteer, period_from: datetime.date,
                         period_to: datetime.date) -> Coverage:
    """The records an issue would cover (two queries). The caller has checked the user may issue for the
    organisation (`issuing_organizations`)."""
    rows = list(period_records(organization=organization, volunteer=volunteer, period_from=period_from,
                               period_to=period_to).select_related("event")
                .annotate(in_force=Count("certified", filter=Q(certified__in_force=True)))
                .order_by("checked_in_at", "created_at", "id"))
    verified = [r for r in rows if r.status == HoursStatus.VERIFIED]
    return Coverage(verified=verified, pending=sum(r.status == HoursStatus.PENDING for r in rows),
                    declined=sum(r.status == HoursStatus.DECLINED for r in rows),
                    certified=sum(1 for r in verified if r.in_force))


def public_certificate(token: str) -> Certificate:
    """The certificate of a verification link (the token printed as a QR code), or 404. Deliberately outside the
    gate: the token is the capability, and the page shows partial data only."""
    if not token or len(token) > 32:
        raise Http404
    found = (Certificate.objects.select_related("volunteer", "organization")
             .filter(token=token).first())
    if found is None:
        raise Http404
    return found
