"""REST API (/api/v1/) of the grid register and the ledger: households, sites, patrols, visits, daily reports,
spot checks, and the two configuration lists (finding categories, household tags).

Same mechanics as grids/api.py: reads start from the scope gate (`wudu.api.ApiViewSet`), writes parse an
explicit input serializer and call ledger/services.py, which asks the gate again and validates.

Patrols, visits and spot checks come from phones with an offline queue: their retries are keyed on the
body's `client_id` (the service returns the record already saved, answered 201 like the first time), not on
the Idempotency-Key header. Visits and spot checks accept multipart/form-data with up to five files under
`photos`, or JSON without photos.

Lists are keyset-paginated on `-id` (the primary key index): records are listed newest first in the order
they reached the server, which keeps the cursor stable while late offline submissions arrive.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.fields import empty
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from grids.api import PlaceCodeField
from wudu.api import (
    ERRORS,
    IDEMPOTENCY_KEY,
    LEAN_RENDERERS,
    VALIDATION_ERROR,
    ApiViewSet,
    DangerouslyUnscopedListViewSet,
    GatedIdField,
    ServiceSchema,
    ServiceWrites,
    VersionedInput,
)
from wudu.pagination import KeysetPagination
from wudu.rules import MAX_PHOTOS

from . import services as ledger_services
from .filters import (
    DailyReportFilter,
    HouseholdFilter,
    PatrolFilter,
    SiteFilter,
    SpotCheckFilter,
    VisitFilter,
)
from .models import (
    DailyReport,
    FindingCategory,
    Household,
    HouseholdTag,
    Patrol,
    Site,
    SiteKind,
    SpotCheck,
    SpotCheckPhoto,
    Visit,
    VisitPhoto,
    VisitType,
)

READ_ONLY = ["get", "head", "options"]
CREATE_ONLY = [*READ_ONLY, "post"]  # no PATCH: the services have no update for these records

# ---------------------------------------------------------------------------------------------- shared


class ClientIdSchema(ServiceSchema):
    """Creates keyed on the body's `client_id`: the Idempotency-Key header is not read, so not documented."""

    def get_override_parameters(self):
        return [p for p in super().get_override_parameters() if p is not IDEMPOTENCY_KEY]


class ClientIdWrites:
    """Create (POST) through a service that returns the record already saved for a retried `client_id`.

    The answer is read back through the gate, so it carries the same annotations as a list row.
    """

    create_input: type[serializers.Serializer]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def create(self, request, *args, **kwargs):
        serializer = self.create_input(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        saved = self.create_through_service(dict(serializer.validated_data))
        return self.answer(self.get_queryset().get(pk=saved.pk), status.HTTP_201_CREATED)


class FormBooleanField(serializers.BooleanField):
    """A boolean whose absence from a form means its default, not False (HTML checkboxes do not apply here)."""

    default_empty_html = empty


def photos_field():
    return serializers.ListField(
        child=serializers.FileField(), required=False, max_length=MAX_PHOTOS,
        help_text="Up to 5 photos (JPEG, PNG, WebP), multipart/form-data, each under the field name `photos`.",
    )


class PhotoSerializer(serializers.Serializer):
    image = serializers.ImageField(read_only=True)
    thumbnail = serializers.ImageField(read_only=True)


def _grid_only(queryset, *related: str):
    """select_related of places without their polygons (a list never needs them)."""
    return queryset.select_related(*related).defer(*(f"{name}__boundary" for name in related))


class NewestFirst(KeysetPagination):
    ordering = "-id"


# ---------------------------------------------------------------------------------------------- households


class HouseholdSerializer(serializers.ModelSerializer):
    grid = serializers.CharField(source="grid.code", read_only=True, help_text="Unified code of the grid.")
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    building = serializers.SlugRelatedField(slug_field="code", read_only=True,
                                            help_text="Unified code of the building (楼院), if any.")
    tags = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True, help_text="Tag codes.")
    id_number_masked = serializers.CharField(
        source="masked_id_number", read_only=True, help_text="The resident ID masked; never given in full.",
    )

    class Meta:
        model = Household
        fields = [
            "id", "grid", "grid_name", "building", "address", "unit", "room", "head_name", "phone", "residents",
            "tags", "id_number_masked", "created_at", "version",
        ]
        read_only_fields = fields


def _tags_field(**kwargs):
    return serializers.SlugRelatedField(
        slug_field="code", queryset=HouseholdTag.objects.all(), many=True, **{"help_text": "Tag codes.", **kwargs}
    )


class HouseholdCreateSerializer(serializers.Serializer):
    grid = PlaceCodeField(help_text="Unified code of the grid.")
    building = PlaceCodeField(required=False, allow_null=True, help_text="Unified code of a building in the grid.")
    address = serializers.CharField()
    unit = serializers.CharField(required=False, allow_blank=True)
    room = serializers.CharField(required=False, allow_blank=True)
    head_name = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)
    residents = serializers.IntegerField(required=False, min_value=0)
    tags = _tags_field(required=False)
    id_number = serializers.CharField(
        required=False, allow_blank=True, write_only=True,
        help_text="Accepted only where the deployment stores ID numbers (otherwise 400); answered masked.",
    )


class HouseholdUpdateSerializer(VersionedInput):
    address = serializers.CharField(required=False)
    unit = serializers.CharField(required=False, allow_blank=True)
    room = serializers.CharField(required=False, allow_blank=True)
    head_name = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)
    residents = serializers.IntegerField(required=False, min_value=0)
    tags = _tags_field(required=False, help_text="Tag codes; replaces the household's tags.")
    id_number = serializers.CharField(required=False, allow_blank=True, write_only=True,
                                      help_text="Accepted only where the deployment stores ID numbers.")


class HouseholdViewSet(ServiceWrites, mixins.ListModelMixin, ApiViewSet):
    """Households of the grid register (住户). Grid staff and officials above the grid edit them."""

    scope_model = Household
    personal_read = True
    filterset_class = HouseholdFilter
    pagination_class = NewestFirst
    list_output = detail_output = HouseholdSerializer
    create_input, update_input = HouseholdCreateSerializer, HouseholdUpdateSerializer

    def filter_queryset_extra(self, queryset):
        return _grid_only(queryset, "grid", "building").prefetch_related(
            Prefetch("tags", queryset=HouseholdTag.objects.only("code"))
        )

    def create_through_service(self, data, idempotency_key):
        return ledger_services.household_create(actor=self.request.user, idempotency_key=idempotency_key, **data)

    def update_through_service(self, household, data, expected_version):
        ledger_services.household_update(
            actor=self.request.user, household=household, expected_version=expected_version, **data
        )
        return self.get_queryset().get(pk=household.pk)


# ---------------------------------------------------------------------------------------------- sites


class SiteSerializer(serializers.ModelSerializer):
    grid = serializers.CharField(source="grid.code", read_only=True, help_text="Unified code of the grid.")
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Site
        fields = ["id", "grid", "grid_name", "kind", "kind_label", "name", "address", "lng", "lat", "duty_radius_m",
                  "version"]
        read_only_fields = fields


class SiteCreateSerializer(serializers.Serializer):
    grid = PlaceCodeField(help_text="Unified code of the grid.")
    kind = serializers.ChoiceField(choices=SiteKind.choices)
    name = serializers.CharField()
    address = serializers.CharField(required=False, allow_blank=True)
    lng = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    duty_radius_m = serializers.IntegerField(required=False, allow_null=True, min_value=0)


class SiteViewSet(ServiceWrites, mixins.ListModelMixin, ApiViewSet):
    """Places of a grid other than households: shops, construction sites, monitoring stations (场所)."""

    scope_model = Site
    filterset_class = SiteFilter
    pagination_class = NewestFirst
    http_method_names = CREATE_ONLY
    list_output = detail_output = SiteSerializer
    create_input = SiteCreateSerializer

    def filter_queryset_extra(self, queryset):
        return _grid_only(queryset, "grid")

    def create_through_service(self, data, idempotency_key):
        return ledger_services.site_create(actor=self.request.user, idempotency_key=idempotency_key, **data)


# ---------------------------------------------------------------------------------------------- patrols


class PatrolSerializer(serializers.ModelSerializer):
    worker_name = serializers.CharField(source="worker.display_name", read_only=True)
    grid = serializers.CharField(source="grid.code", read_only=True, help_text="Unified code of the grid.")
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    is_open = serializers.BooleanField(read_only=True, help_text="Not ended yet.")
    visit_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Patrol
        fields = ["id", "client_id", "worker", "worker_name", "grid", "grid_name", "started_at", "ended_at",
                  "duration_seconds", "is_open", "visit_count"]
        read_only_fields = fields


class PatrolDetailSerializer(PatrolSerializer):
    class Meta(PatrolSerializer.Meta):
        fields = [*PatrolSerializer.Meta.fields, "route"]
        read_only_fields = fields


class PatrolStartSerializer(serializers.Serializer):
    grid = PlaceCodeField(help_text="Unified code of the worker's grid.")
    client_id = serializers.UUIDField(help_text="Generated on the phone; a retry with the same one returns the same "
                                                "patrol (201).")
    started_at = serializers.DateTimeField(required=False, help_text="Defaults to now.")
    lng = serializers.FloatField(required=False, min_value=-180, max_value=180)
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)


class PatrolEndSerializer(serializers.Serializer):
    ended_at = serializers.DateTimeField(required=False, help_text="Defaults to now.")
    route = serializers.JSONField(required=False, help_text="[[lng, lat, unix seconds], …] recorded on the way.")


class PatrolViewSet(ClientIdWrites, mixins.ListModelMixin, ApiViewSet):
    """Patrols (巡查): a grid worker starts one on their grid (POST), records visits, and ends it."""

    scope_model = Patrol
    schema = ClientIdSchema()
    filterset_class = PatrolFilter
    pagination_class = NewestFirst
    http_method_names = CREATE_ONLY
    list_output, detail_output = PatrolSerializer, PatrolDetailSerializer
    create_input = PatrolStartSerializer

    def filter_queryset_extra(self, queryset):
        queryset = _grid_only(queryset, "grid").select_related("worker").annotate(visit_count=Count("visits"))
        return queryset.defer("route") if self.action == "list" else queryset

    def create_through_service(self, data):
        return ledger_services.patrol_start(actor=self.request.user, **data)

    @extend_schema(request=PatrolEndSerializer,
                   responses={200: PatrolDetailSerializer, 400: VALIDATION_ERROR, 403: ERRORS[403], 404: ERRORS[404]})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the patrol: its duration and route are kept. Ending it again at the same time changes nothing."""
        patrol = self.get_object()  # gated: invisible → 404, not writable → 403
        data = self.read_input(PatrolEndSerializer)
        ledger_services.patrol_end(actor=request.user, patrol=patrol, **data)
        return self.answer(self.get_queryset().get(pk=patrol.pk))

    def read_input(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


# ---------------------------------------------------------------------------------------------- visits


class VisitSerializer(serializers.ModelSerializer):
    grid = serializers.CharField(source="grid.code", read_only=True, help_text="Unified code of the grid.")
    worker_name = serializers.CharField(source="worker.display_name", read_only=True)
    visit_type_label = serializers.CharField(read_only=True)
    household_label = serializers.SerializerMethodField()
    site_label = serializers.SerializerMethodField()
    category = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="Finding category code.")
    category_name = serializers.SerializerMethodField()
    is_open_finding = serializers.BooleanField(read_only=True,
                                               help_text="A finding not settled on the spot nor turned into a case.")
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id", "client_id", "patrol", "grid", "worker", "worker_name", "visited_at", "visit_type",
            "visit_type_label", "household", "household_label", "site", "site_label", "category", "category_name",
            "finding", "action", "settled", "escalated_at", "is_open_finding", "photos",
        ]
        read_only_fields = fields

    def get_household_label(self, visit) -> str | None:
        return str(visit.household) if visit.household_id else None

    def get_site_label(self, visit) -> str | None:
        return visit.site.name if visit.site_id else None

    def get_category_name(self, visit) -> str | None:
        return visit.category.name if visit.category_id else None


class VisitRecordSerializer(serializers.Serializer):
    patrol = GatedIdField(queryset=Patrol.objects.all(), missing=_("巡查不存在或无权访问。"))
    client_id = serializers.UUIDField(help_text="Generated on the phone; a retry with the same one returns the same "
                                                "visit (201).")
    visit_type = serializers.ChoiceField(choices=VisitType.choices)
    visited_at = serializers.DateTimeField(required=False, help_text="Defaults to now.")
    household = GatedIdField(queryset=Household.objects.all(), missing=_("住户不存在或无权访问。"),
                             required=False, allow_null=True)
    site = GatedIdField(queryset=Site.objects.all(), missing=_("场所不存在或无权访问。"), required=False, allow_null=True)
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=FindingCategory.objects.all(), required=False, allow_null=True,
        help_text="Finding category code; none means nothing was found.",
    )
    finding = serializers.CharField(required=False, allow_blank=True, max_length=500)
    action = serializers.CharField(required=False, allow_blank=True, max_length=500)
    settled = FormBooleanField(required=False, default=True, help_text="Settled on the spot (default true).")
    photos = photos_field()


VISIT_COLUMNS = (
    "client_id", "patrol_id", "worker_id", "site_id", "category_id", "visited_at", "visit_type", "finding", "action",
    "settled", "escalated_at", "grid__code", "worker__real_name", "worker__username",
    "household__address", "household__unit", "household__room", "category__code", "category__name",
)


class VisitViewSet(ClientIdWrites, mixins.ListModelMixin, ApiViewSet):
    """Visits (走访记录) recorded on a patrol: to a household, a site, or on the way, with what was found."""

    renderer_classes = LEAN_RENDERERS
    scope_model = Visit
    schema = ClientIdSchema()
    filterset_class = VisitFilter
    pagination_class = NewestFirst
    http_method_names = CREATE_ONLY
    list_output = detail_output = VisitSerializer
    create_input = VisitRecordSerializer

    def filter_queryset_extra(self, queryset):
        # Sites in a query of their own (when the page has any), as on the ledger page: one relation fewer for
        # PostgreSQL's planner to weigh.
        # Only the columns the answer has (VisitSerializer): not every column of the worker, the household (its ID
        # number) or the grid (its polygon).
        return queryset.select_related("grid", "worker", "household", "category").only(*VISIT_COLUMNS).prefetch_related(
            Prefetch("site", queryset=Site.objects.only("name")),
            Prefetch("photos", queryset=VisitPhoto.objects.only("visit", "image", "thumbnail")),
        )

    def create_through_service(self, data):
        return ledger_services.visit_record(actor=self.request.user, **data)


# ---------------------------------------------------------------------------------------------- daily reports


class DailyReportSerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="place.code", read_only=True, help_text="Unified code of the place.")
    place_name = serializers.CharField(source="place.name", read_only=True)
    level = serializers.CharField(source="place.level", read_only=True)

    class Meta:
        model = DailyReport
        fields = [
            "id", "place", "place_name", "level", "date", "patrols", "patrol_seconds", "visits", "households_reached",
            "findings", "open_findings", "grids_total", "grids_patrolled", "workers_on_duty", "short_grids",
            "built_at",
        ]
        read_only_fields = fields


class DailyReportViewSet(mixins.ListModelMixin, ApiViewSet):
    """Daily reports (日报告) of grids and every level above, built at 21:00 (read-only).

    Rebuilding a day replaces its reports, so their ids change: page through one day at a time.
    """

    scope_model = DailyReport
    filterset_class = DailyReportFilter
    pagination_class = NewestFirst
    http_method_names = READ_ONLY
    list_output = detail_output = DailyReportSerializer

    def filter_queryset_extra(self, queryset):
        return _grid_only(queryset, "place")


# ---------------------------------------------------------------------------------------------- spot checks


class SpotCheckSerializer(serializers.ModelSerializer):
    grid = serializers.CharField(source="grid.code", read_only=True, help_text="Unified code of the grid.")
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    site_name = serializers.SerializerMethodField()
    supervisor_name = serializers.CharField(source="supervisor.display_name", read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = SpotCheck
        fields = ["id", "client_id", "grid", "grid_name", "site", "site_name", "supervisor", "supervisor_name",
                  "checked_on", "findings", "score", "photos", "created_at"]
        read_only_fields = fields

    def get_site_name(self, check) -> str | None:
        return check.site.name if check.site_id else None


class SpotCheckRecordSerializer(serializers.Serializer):
    grid = PlaceCodeField(help_text="Unified code of the grid checked.")
    client_id = serializers.UUIDField(help_text="Generated on the phone; a retry with the same one returns the same "
                                                "check (201).")
    checked_on = serializers.DateField()
    findings = serializers.CharField()
    score = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0, max_value=100)
    site = GatedIdField(queryset=Site.objects.all(), missing=_("场所不存在或无权访问。"), required=False, allow_null=True)
    photos = photos_field()


class SpotCheckViewSet(ClientIdWrites, mixins.ListModelMixin, ApiViewSet):
    """Covert checks (暗访督导) by the levels above the grid; the grid's own staff never see them."""

    scope_model = SpotCheck
    schema = ClientIdSchema()
    filterset_class = SpotCheckFilter
    pagination_class = NewestFirst
    http_method_names = CREATE_ONLY
    list_output = detail_output = SpotCheckSerializer
    create_input = SpotCheckRecordSerializer

    def filter_queryset_extra(self, queryset):
        return _grid_only(queryset, "grid").select_related("site", "supervisor").prefetch_related(
            Prefetch("photos", queryset=SpotCheckPhoto.objects.only("spot_check", "image", "thumbnail"))
        )

    def create_through_service(self, data):
        return ledger_services.spot_check_record(actor=self.request.user, **data)


# ---------------------------------------------------------------------------------------------- configuration


class CodeNameSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class ConfigurationList(DangerouslyUnscopedListViewSet):
    """A short configuration list every signed-in user reads alike (it belongs to no place): the API's one named
    bypass of the gate, neither paginated nor filtered."""

    serializer_class = CodeNameSerializer


class FindingCategoryViewSet(ConfigurationList):
    """Finding categories (问题类别) in use, for the visit form."""

    queryset = FindingCategory.objects.filter(active=True).only("code", "name")


class HouseholdTagViewSet(ConfigurationList):
    """Household tags (户标签), for the household form and filters."""

    queryset = HouseholdTag.objects.only("code", "name")


def register_routes(router) -> None:
    """The ledger's endpoints under /api/v1/ (basenames are fixed: the scope matrix reverses them)."""
    router.register("households", HouseholdViewSet, basename="household")
    router.register("sites", SiteViewSet, basename="site")
    router.register("patrols", PatrolViewSet, basename="patrol")
    router.register("visits", VisitViewSet, basename="visit")
    router.register("daily-reports", DailyReportViewSet, basename="daily-report")
    router.register("spot-checks", SpotCheckViewSet, basename="spot-check")
    router.register("finding-categories", FindingCategoryViewSet, basename="finding-category")
    router.register("household-tags", HouseholdTagViewSet, basename="household-tag")
