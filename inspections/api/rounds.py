"""REST API (/api/v1/inspection-rounds/) of rounds of inspection: gated reads (the round with its teams, their members
by name and the places they cover by code), creates and edits through inspections.services.rounds. The inspection
office staffs teams with POST /inspection-rounds/{id}/teams/ and PATCH /inspection-rounds/{id}/teams/{team_id}/ (a
team's `version` is a fingerprint of what was read: a stale one answers 409), and draws re-checks with
POST /inspection-rounds/{id}/draw/ (inspections.services.rechecks)."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from grids.api import AppointableField, PlaceCodeField
from grids.models import User
from wudu.api import ERRORS, IDEMPOTENCY_KEY, IF_MATCH, ApiViewSet, ServiceWrites, VersionedInput, if_match_version
from wudu.pagination import KeysetPagination

from ..models import Coverage, Round, Team, TeamMember
from ..selectors.rounds import Phase, phase_of
from ..services import api_support
from ..services import rounds as services
from .rechecks import DrawInput, DrawSerializer


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
    leader_id = serializers.SerializerMethodField(help_text="The leader's id.")
    member_ids = serializers.SerializerMethodField(help_text="Every member's id, the leader first.")
    version = serializers.SerializerMethodField(
        help_text="A fingerprint of the team as read (not a counter): send it back to change the team.")

    class Meta:
        model = Team
        fields = ["id", "name", "leader", "leader_id", "members", "member_ids", "coverage", "version"]
        read_only_fields = fields

    def get_leader_id(self, team) -> int | None:
        return next((m.user_id for m in team.members.all() if m.is_leader), None)

    def get_member_ids(self, team) -> list[int]:
        return [m.user_id for m in team.members.all()]

    def get_version(self, team) -> int:
        return api_support.team_version(team)

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


class TeamPersonField(AppointableField):
    """A person for a team: one the office may appoint, or already on the team being changed."""

    def get_queryset(self):
        people = super().get_queryset()
        team = self.context.get("team")
        if team is None:
            return people
        return User.objects.filter(is_active=True).filter(
            Q(pk__in=people.values("pk")) | Q(inspection_teams__team=team)).distinct()


class TeamCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    leader = TeamPersonField()
    members = TeamPersonField(many=True, required=False, help_text="Ids of the other members (the leader apart).")
    coverage = PlaceCodeField(many=True, help_text="Unified codes of the streets and communities the team covers.")


class TeamUpdateInput(VersionedInput):
    name = serializers.CharField(max_length=50, required=False)
    leader = TeamPersonField(required=False)
    members = TeamPersonField(many=True, required=False,
                              help_text="Every member wanted (the leader is kept whether listed or not).")
    coverage = PlaceCodeField(many=True, required=False)


def _team_changes(data: dict) -> dict:
    changes = {name: data[name] for name in ("name", "leader", "members") if name in data}
    if "coverage" in data:
        changes["places"] = data["coverage"]
    return changes


def _teams():
    """Teams with their members (the leader first) and places, as the API shows them."""
    members = TeamMember.objects.select_related("user").order_by("-is_leader", "id")
    coverage = Coverage.objects.select_related("place").defer("place__boundary").order_by("place__code")
    return Team.objects.order_by("id").prefetch_related(Prefetch("members", queryset=members),
                                                        Prefetch("coverage", queryset=coverage))


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
        return (queryset.select_related("district").defer("district__boundary")
                .prefetch_related(Prefetch("teams", queryset=_teams())))

    def create_through_service(self, data, idempotency_key):
        return services.round_create(actor=self.request.user, idempotency_key=idempotency_key, **data)

    def update_through_service(self, round_, data, expected_version):
        services.round_update(actor=self.request.user, round=round_, expected_version=expected_version, **data)
        return self.get_queryset().get(pk=round_.pk)

    def _team_answer(self, team_id: int, status_code=status.HTTP_200_OK):
        team = _teams().get(pk=team_id)
        return Response(TeamSerializer(team).data, status=status_code,
                        headers={"ETag": f'"{api_support.team_version(team)}"'})

    @extend_schema(request=TeamCreateInput, parameters=[IDEMPOTENCY_KEY],
                   responses={201: TeamSerializer, 400: ERRORS[400], 403: ERRORS[403]})
    @action(detail=True, methods=["post"], url_path="teams", url_name="teams")
    def teams(self, request, pk=None):
        """A new team of the round (巡察组): its name, leader, members and the places it covers."""
        round_ = self.get_object()  # gated: invisible → 404, not the office's → 403
        data = self.read_input(TeamCreateInput)
        team = services.team_create(actor=request.user, round=round_, name=data["name"], leader=data["leader"],
                                    members=data.get("members", []), places=data["coverage"],
                                    idempotency_key=request.headers.get("Idempotency-Key") or None)
        return self._team_answer(team.pk, status.HTTP_201_CREATED)

    @extend_schema(request=TeamUpdateInput, parameters=[IF_MATCH],
                   responses={200: TeamSerializer, 400: ERRORS[400], 403: ERRORS[403], 409: ERRORS[409]})
    @action(detail=True, methods=["patch"], url_path=r"teams/(?P<team_id>[0-9]{1,18})", url_name="team")
    def team(self, request, pk=None, team_id=None):
        """Change a team: any of its name, leader, members and places, all at once or nothing."""
        round_ = self.get_object()
        team = get_object_or_404(Team.objects.select_related("round"), round=round_, pk=team_id)
        serializer = TeamUpdateInput(data=request.data, context={**self.get_serializer_context(), "team": team})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None) or if_match_version(request)
        api_support.team_update_as_read(actor=request.user, team=team, expected_version=version,
                                        **_team_changes(data))
        return self._team_answer(team.pk)

    @extend_schema(request=DrawInput, parameters=[IDEMPOTENCY_KEY],
                   responses={201: DrawSerializer, 400: ERRORS[400], 403: ERRORS[403]})
    @action(detail=True, methods=["post"])
    def draw(self, request, pk=None):
        """Draw the round's next sample of ticked-off tasks to re-check (抽查). Sending the same `number` or
        Idempotency-Key again returns that draw."""
        round_ = self.get_object()
        data = self.read_input(DrawInput)
        draw = api_support.recheck_draw_once(request.user, round_, seed=data.get("seed") or None,
                                             number=data.get("number"),
                                             idempotency_key=request.headers.get("Idempotency-Key") or None)
        return Response(DrawSerializer(draw).data, status=status.HTTP_201_CREATED)


def register_routes(router) -> None:
    """Register this area's viewsets."""
    router.register("inspection-rounds", RoundViewSet, basename="inspection-round")
