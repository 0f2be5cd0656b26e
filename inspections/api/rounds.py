"""REST API (/api/v1/inspection-rounds/) of rounds of inspection: gated reads (the round with its teams, their members
by name and the places they cover by code), creates and edits through inspections.services.rounds."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers

from grids.api import PlaceCodeField
from wudu.api import ApiViewSet, ServiceWrites, VersionedInput
from wudu.pagination import KeysetPagination

from ..models import Coverage, Round, Team, TeamMember
from ..selectors.rounds import Phase, phase_of
from ..services import rounds as services


class RoundFilter(django_filters.FilterSet):
    district = django_filters.CharFilter(field_name="district__code", label=_("所属区统一编号"))
    running = django_filters.DateFilter(method="running_on", label=_("在该日进驻或跟踪督办中"))

    class Meta:
        model = Round
        fields = ["district", "running"]

    def running_on(self, queryset, name, value):
        return queryset.filter(starts_on__lte=value, follow_up_until__gte=value)


class TeamSerializer(serializers.ModelSerializer):
    leader = serializers.SerializerMethodField(help_text="The leader's name.")
    members = serializers.SerializerMethodField(help_text="Every member's name, the leader first.")
    coverage = serializers.SerializerMethodField(help_text="Unified codes of the streets and communities covered.")

    class Meta:
        model = Team
        fields = ["id", "name", "leader", "members", "coverage"]
        read_only_fields = fields

    def get_leader(self, team) -> str:
        return next((m.user.display_name for m in team.members.all() if m.is_leader), "")

    def get_members(self, team) -> list[str]:
        return [m.user.display_name for m in team.members.all()]

    def get_coverage(self, team) -> list[str]:
        return [c.place.code for c in team.coverage.all()]


class RoundSerializer(serializers.ModelSerializer):
    district = serializers.CharField(source="district.code", read_only=True, help_text="Unified code of the district.")
    district_name = serializers.CharField(source="district.name", read_only=True)
    phase = serializers.SerializerMethodField(help_text="not_started, stationed, follow_up or ended (today).")
    phase_label = serializers.SerializerMethodField()
    teams = TeamSerializer(many=True, read_only=True)

    class Meta:
        model = Round
        fields = ["id", "district", "district_name", "name", "starts_on", "ends_on", "follow_up_until", "feedback_on",
                  "rectification_months", "recheck_percent", "phase", "phase_label", "teams", "version"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_phase(self, round_) -> str:
        return phase_of(round_, timezone.localdate())

    def get_phase_label(self, round_) -> str:
        return str(Phase.LABELS[phase_of(round_, timezone.localdate())])


class RoundFieldsInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    follow_up_until = serializers.DateField(required=False, allow_null=True)
    feedback_on = serializers.DateField(required=False, allow_null=True)
    rectification_months = serializers.IntegerField(required=False, min_value=1, max_value=24)
    recheck_percent = serializers.IntegerField(required=False, min_value=0, max_value=100)


class RoundCreateSerializer(RoundFieldsInput):
    district = PlaceCodeField(help_text="Unified code of the district.")


class RoundUpdateSerializer(VersionedInput, RoundFieldsInput):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class ByStart(KeysetPagination):
    ordering = ("-starts_on", "-id")


class RoundViewSet(ServiceWrites, mixins.ListModelMixin, ApiViewSet):
    """Rounds of inspection (巡察轮次) with their teams (巡察组): read by the inspection office, the teams while
    their round runs (and its follow-up), the district's officials; planned and staffed by the inspection office."""

    scope_model = Round
    filterset_class = RoundFilter
    pagination_class = ByStart
    list_output = detail_output = RoundSerializer
    create_input, update_input = RoundCreateSerializer, RoundUpdateSerializer

    def filter_queryset_extra(self, queryset):
        members = TeamMember.objects.select_related("user").order_by("-is_leader", "id")
        coverage = Coverage.objects.select_related("place").defer("place__boundary").order_by("place__code")
        teams = Team.objects.order_by("id").prefetch_related(Prefetch("members", queryset=members),
                                                             Prefetch("coverage", queryset=coverage))
        return (queryset.select_related("district").defer("district__boundary")
                .prefetch_related(Prefetch("teams", queryset=teams)))

    def create_through_service(self, data, idempotency_key):
        return services.round_create(actor=self.request.user, idempotency_key=idempotency_key, **data)

    def update_through_service(self, round_, data, expected_version):
        services.round_update(actor=self.request.user, round=round_, expected_version=expected_version, **data)
        return self.get_queryset().get(pk=round_.pk)


def register_routes(router) -> None:
    """Register this area's viewsets."""
    router.register("inspection-rounds", RoundViewSet, basename="inspection-round")
