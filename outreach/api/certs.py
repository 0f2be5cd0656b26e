"""REST API (/api/v1/certificates/): the certificates the gate shows, read-only. Issuing and revoking are done on
the pages (a certificate is a signed act of the organisation); the public verification needs no API."""

from __future__ import annotations

import django_filters
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers

from wudu.api import ApiViewSet
from wudu.filters import IdFilter

from ..models import Certificate


class CertificateFilter(django_filters.FilterSet):
    organization = IdFilter(field_name="organization_id", label=_("出具组织 ID"))
    volunteer = IdFilter(field_name="volunteer_id", label=_("志愿者 ID"))
    under = django_filters.CharFilter(field_name="organization__place__code", lookup_expr="startswith",
                                      label=_("统一编号前缀"))
    revoked = django_filters.BooleanFilter(field_name="revoked_at", lookup_expr="isnull", exclude=True,
                                           label=_("已作废"))

    class Meta:
        model = Certificate
        fields = ["organization", "volunteer", "under", "revoked"]


class CertificateSerializer(serializers.ModelSerializer):
    volunteer_name = serializers.CharField(source="volunteer.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    place = serializers.CharField(source="organization.place.code", read_only=True,
                                  help_text="Unified code of the issuing organisation's place.")
    verifications = serializers.IntegerField(source="verification_count", read_only=True)
    valid = serializers.BooleanField(source="is_valid", read_only=True)

    class Meta:
        model = Certificate
        fields = ["id", "number", "volunteer", "volunteer_name", "organization", "organization_name", "place",
                  "service_minutes", "honour_minutes", "period_from", "period_to", "content", "issued_at",
                  "valid", "revoked_at", "revoked_reason", "verifications", "version"]
        read_only_fields = fields


class CertificateViewSet(mixins.ListModelMixin, ApiViewSet):
    """Certificates of volunteer service (志愿服务记录证明) issued by the organisations in the user's scope."""

    scope_model = Certificate
    filterset_class = CertificateFilter
    list_output = detail_output = CertificateSerializer

    def filter_queryset_extra(self, queryset):
        return (queryset.select_related("volunteer", "organization", "organization__place")
                .defer("organization__place__boundary").annotate(verification_count=Count("verifications")))


def register_routes(router) -> None:
    router.register("certificates", CertificateViewSet, basename="certificate")
