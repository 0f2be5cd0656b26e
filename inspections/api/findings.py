"""REST API of findings (/api/v1/findings/, the 问题清单): gated reads, writes through inspections.services.findings
(the same functions the pages call). Evidence is listed with its gated file addresses (wudu/media.py) and added with
POST /findings/{id}/evidence/ (multipart); a finding is dismissed with POST /findings/{id}/dismiss/."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from cases.models import CaseCategory
from grids.api import PlaceCodeField
from wudu.api import ApiViewSet, GatedIdField, ServiceWrites, VersionedInput, if_match_version
from wudu.filters import IdFilter
from wudu.pagination import KeysetPagination

from ..models import Category, Disclosure, Finding, FindingStatus, Round, Severity, Team
from ..services import findings as services


class FindingFilter(django_filters.FilterSet):
    round = IdFilter(field_name="round_id", label=_("巡察轮次"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("问题类别"))
    status = django_filters.ChoiceFilter(choices=FindingStatus.choices, label=_("状态"))
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("严重程度"))
    under = django_filters.CharFilter(field_name="place__code", lookup_expr="startswith",
                                      label=_("问题所在统一编号前缀"))

    class Meta:
        model = Finding
        fields = ["round", "category", "status", "severity", "under"]


class FindingEvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    file = serializers.FileField(read_only=True, help_text="The file's address: served to those who see the finding.")
    sha256 = serializers.CharField(read_only=True)
    uploaded_at = serializers.DateTimeField(read_only=True)


class FindingSerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="place.code", read_only=True, help_text="Unified code of the place.")
    place_name = serializers.CharField(source="place.name", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    severity_label = serializers.CharField(source="get_severity_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    evidence = FindingEvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = Finding
        fields = ["id", "round", "team", "team_name", "place", "place_name", "category", "category_label", "severity",
                  "severity_label", "title", "facts", "disclosure", "public_summary", "status", "status_label",
                  "found_on", "rectification_due", "case_category", "dismissed_reason", "recorded_by",
                  "recorded_role", "created_at", "evidence", "version"]
        read_only_fields = fields


class FindingFieldsInput(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    title = serializers.CharField(max_length=200)
    facts = serializers.CharField(max_length=4000)
    disclosure = serializers.ChoiceField(choices=Disclosure.choices, required=False)
    public_summary = serializers.CharField(max_length=300, required=False, allow_blank=True)
    found_on = serializers.DateField(required=False)
    rectification_due = serializers.DateField(required=False, allow_null=True)
    case_category = GatedIdField(queryset=CaseCategory.objects.all(), required=False, allow_null=True,
                                 missing=_("事件类别不存在或无权访问。"))


class FindingCreateSerializer(FindingFieldsInput):
    round = GatedIdField(queryset=Round.objects.all(), missing=_("巡察轮次不存在或无权访问。"))
    place = PlaceCodeField(help_text="Unified code of the street or community where the problem is.")
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True,
                                              help_text="The inspection office names the team; a team member's is "
                                                        "their own team of the round.")


class FindingUpdateSerializer(VersionedInput, FindingFieldsInput):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class FindingDismissSerializer(VersionedInput):
    reason = serializers.CharField(max_length=300)


class FindingEvidenceInput(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), max_length=10,
                                  help_text="PDF, JPG or PNG files (multipart/form-data, each under `files`).")


class ByFound(KeysetPagination):
    ordering = ("-found_on", "-id")


class FindingViewSet(ServiceWrites, mixins.ListModelMixin, ApiViewSet):
    """Findings of inspection (巡察发现的问题): recorded by a team member where their team's dated coverage reaches, or
    by the inspection office for a team it names; read by the office, the team while its coverage lasts, and the
    officials of the place and above."""

    scope_model = Finding
    filterset_class = FindingFilter
    pagination_class = ByFound
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    list_output = detail_output = FindingSerializer
    create_input, update_input = FindingCreateSerializer, FindingUpdateSerializer

    def filter_queryset_extra(self, queryset):
        return queryset.select_related("place", "team").defer("place__boundary").prefetch_related("evidence")

    def create_through_service(self, data, idempotency_key):
        return services.finding_record(actor=self.request.user, idempotency_key=idempotency_key, **data)

    def update_through_service(self, finding, data, expected_version):
        return services.finding_update(actor=self.request.user, finding=finding, expected_version=expected_version,
                                       **data)

    @extend_schema(request=FindingDismissSerializer, responses=FindingSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        finding = self.get_object()
        data = self.read_input(FindingDismissSerializer)
        version = data.pop("version", None) or if_match_version(request)
        services.finding_dismiss(actor=request.user, finding=finding, reason=data["reason"], expected_version=version)
        return self.answer(self.get_queryset().get(pk=finding.pk))

    @extend_schema(request={"multipart/form-data": FindingEvidenceInput}, responses=FindingSerializer)
    @action(detail=True, methods=["post"])
    def evidence(self, request, pk=None):
        finding = self.get_object()
        data = self.read_input(FindingEvidenceInput)
        services.finding_evidence_add(actor=request.user, finding=finding, files=data["files"])
        return self.answer(self.get_queryset().get(pk=finding.pk))


def register_routes(router) -> None:
    router.register("findings", FindingViewSet, basename="finding")
