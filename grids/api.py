"""REST API (/api/v1/) of places, people, memberships, departments and outpost partners.

Reads start from the scope gate (`wudu.api.ApiViewSet`). Writes parse their input with an explicit
serializer and call the service in grids/services.py, which asks the gate again and validates.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from wudu.api import (
    PERSONAL_HELP,
    ApiViewSet,
    GatedIdField,
    GatedReference,
    PersonalFields,
    ServiceWrites,
    VersionedInput,
)
from wudu.pagination import KeysetPagination

from . import geo, selectors, services
from .filters import DepartmentFilter, MembershipFilter, PartnerFilter, PersonFilter, PlaceFilter
from .models import PATROL_MINIMUM_MAX, Department, Membership, OutpostPartner, PartnerKind, Place, Role, User

# ---------------------------------------------------------------------------------------------- fields

GEOJSON = {
    "type": "object",
    "nullable": True,
    "description": "GeoJSON Polygon or MultiPolygon (or a Feature holding one), WGS84 longitude/latitude.",
    "additionalProperties": True,
}


class PlaceCodeField(GatedReference, serializers.SlugRelatedField):
    """A place named by its unified code."""

    def __init__(self, **kwargs):
        missing = _("地点不存在或无权访问。")
        kwargs.setdefault("error_messages", {"does_not_exist": missing, "invalid": missing})
        super().__init__(slug_field="code", queryset=Place.objects.all(), **kwargs)


@extend_schema_field(GEOJSON)
class BoundaryField(serializers.JSONField):
    """GeoJSON, checked for shape here so that errors name the field; fit and overlap are the service's rules."""

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if data in ("", {}):
            return None
        try:
            geo.parse_boundary(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        return data


# ---------------------------------------------------------------------------------------------- places


class LngLatSerializer(serializers.Serializer):
    lng = serializers.FloatField()
    lat = serializers.FloatField()


class PlaceSerializer(serializers.ModelSerializer):
    display_code = serializers.CharField(read_only=True)
    level_label = serializers.CharField(read_only=True)
    parent = serializers.SerializerMethodField(help_text="Unified code of the parent place (null for a city).")
    centroid = serializers.SerializerMethodField()
    has_boundary = serializers.SerializerMethodField()

    class Meta:
        model = Place
        fields = [
            "id", "code", "display_code", "level", "level_label", "name", "parent", "address", "area_m2",
            "centroid", "has_boundary", "patrol_minimum_minutes", "version",
        ]
        read_only_fields = fields

    def get_parent(self, place) -> str | None:
        return place.parent.code if place.parent_id else None

    @extend_schema_field(LngLatSerializer(allow_null=True))
    def get_centroid(self, place):
        if place.centroid_lng is None:
            return None
        return {"lng": place.centroid_lng, "lat": place.centroid_lat}

    def get_has_boundary(self, place) -> bool:
        if "boundary" in place.get_deferred_fields():  # lists leave the polygon out and ask the database
            return place.has_boundary
        return place.boundary is not None


class PlaceDetailSerializer(PlaceSerializer):
    boundary = serializers.SerializerMethodField()

    class Meta(PlaceSerializer.Meta):
        fields = [*PlaceSerializer.Meta.fields, "boundary"]
        read_only_fields = fields

    @extend_schema_field(GEOJSON)
    def get_boundary(self, place):
        return place.boundary


class PlaceCreateSerializer(serializers.Serializer):
    parent = PlaceCodeField(help_text="Unified code of the parent; the new place takes the next level down.")
    name = serializers.CharField()
    address = serializers.CharField(required=False, allow_blank=True)
    boundary = BoundaryField(required=False, allow_null=True)


class PlaceUpdateSerializer(VersionedInput):
    name = serializers.CharField(required=False)
    address = serializers.CharField(required=False, allow_blank=True)
    boundary = BoundaryField(required=False, allow_null=True, help_text="null clears the boundary.")
    patrol_minimum_minutes = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=PATROL_MINIMUM_MAX,
        help_text="A grid's own minimum daily patrol time; null: the district's (MIN_DAILY_PATROL_MINUTES).")
    code = serializers.CharField(required=False, help_text="Read-only: a different code is refused (400).")
    parent = PlaceCodeField(required=False, help_text="Read-only: a different parent is refused (400).")


class PlaceKeyset(KeysetPagination):
    ordering = "code"  # unique and indexed: the tree in reading order


class PlaceViewSet(ServiceWrites, mixins.ListModelMixin, ApiViewSet):
    """Places from the city down to buildings, by unified code (listed in code order).

    Officials create and edit places below their own; a grid head, buildings in the grid.
    """

    scope_model = Place
    filterset_class = PlaceFilter
    pagination_class = PlaceKeyset
    list_output, detail_output = PlaceSerializer, PlaceDetailSerializer
    create_input, update_input = PlaceCreateSerializer, PlaceUpdateSerializer

    def filter_queryset_extra(self, queryset):
        queryset = queryset.select_related("parent").defer("parent__boundary")
        if self.action == "list":
            queryset = queryset.defer("boundary").annotate(
                has_boundary=ExpressionWrapper(Q(boundary__isnull=False), output_field=BooleanField())
            )
        return queryset

    def create_through_service(self, data, idempotency_key):
        return services.place_create(actor=self.request.user, idempotency_key=idempotency_key, **data)

    def update_through_service(self, place, data, expected_version):
        return services.place_update(actor=self.request.user, place=place, expected_version=expected_version, **data)


# ---------------------------------------------------------------------------------------------- people


class MembershipSummarySerializer(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    place = serializers.CharField(source="place.code", read_only=True, help_text="Unified code of the place.")
    place_name = serializers.CharField(source="place.name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "role", "role_label", "place", "place_name", "department", "work_phone", "duties"]
        read_only_fields = fields


class PersonSerializer(PersonalFields, serializers.ModelSerializer):
    """Name, roles and work phones for everyone who sees the person; the personal mobile and photo only for the
    person themself and the roles the gate names (officials above them, the command center, the system admin)."""

    memberships = MembershipSummarySerializer(
        many=True, read_only=True, source="visible_memberships",
        help_text="The person's memberships the requester may see.",
    )

    class Meta:
        model = User
        fields = ["id", "username", "real_name", "mobile", "photo", "memberships"]
        read_only_fields = fields
        extra_kwargs = {"mobile": {"allow_null": True, "help_text": PERSONAL_HELP},
                        "photo": {"allow_null": True, "help_text": PERSONAL_HELP}}


class PersonViewSet(mixins.ListModelMixin, ApiViewSet):
    """People serving at places the requester sees (read-only; appointments are memberships)."""

    scope_model = User
    personal_read = True
    filterset_class = PersonFilter
    list_output = detail_output = PersonSerializer

    def filter_queryset_extra(self, queryset):
        memberships = (
            Membership.objects.visible_to(self.request.user)
            .select_related("place")
            .only("user", "role", "department", "work_phone", "duties", "place__code", "place__name")
        )
        return queryset.only("username", "real_name", "mobile", "photo").prefetch_related(
            Prefetch("memberships", queryset=memberships, to_attr="visible_memberships")
        )

    @extend_schema(responses=PersonSerializer, filters=False)
    @action(detail=False, pagination_class=None, filter_backends=[])
    def me(self, request):
        """The signed-in person and their memberships."""
        return Response(self.get_serializer(self.get_queryset().get(pk=request.user.pk)).data)


# ---------------------------------------------------------------------------------------------- memberships


class MembershipSerializer(serializers.ModelSerializer):
    user_name = serializers.CharField(source="user.display_name", read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    place = serializers.CharField(source="place.code", read_only=True, help_text="Unified code of the place.")
    place_name = serializers.CharField(source="place.name", read_only=True)
    department_name = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = [
            "id", "user", "user_name", "role", "role_label", "place", "place_name", "department", "department_name",
            "work_phone", "duties", "created_at", "version",
        ]
        read_only_fields = fields

    def get_department_name(self, membership) -> str | None:
        return membership.department.name if membership.department_id else None


class AppointableField(serializers.PrimaryKeyRelatedField):
    """A person to appoint: one the requester sees, or one serving nowhere yet (a new account).

    People serving elsewhere look missing, so an appointment cannot be used to reach their profile.
    """

    def __init__(self, **kwargs):
        missing = _("人员不存在或无权访问。")
        super().__init__(queryset=User.objects.filter(is_active=True),
                         error_messages={"does_not_exist": missing, "incorrect_type": missing}, **kwargs)

    def get_queryset(self):
        return selectors.appointable_people(self.context["request"].user)


class MembershipCreateSerializer(serializers.Serializer):
    user = AppointableField()
    role = serializers.ChoiceField(choices=Role.choices)
    place = PlaceCodeField(help_text="Unified code of the place of the role.")
    department = GatedIdField(
        queryset=Department.objects.all(), missing=_("部门不存在或无权访问。"), required=False, allow_null=True,
        help_text="Only for department staff.",
    )
    work_phone = serializers.CharField(required=False, allow_blank=True)
    duties = serializers.CharField(required=False, allow_blank=True)


class MembershipUpdateSerializer(VersionedInput):
    work_phone = serializers.CharField(required=False, allow_blank=True)
    duties = serializers.CharField(required=False, allow_blank=True)


class MembershipViewSet(
    ServiceWrites, mixins.ListModelMixin, mixins.DestroyModelMixin, ApiViewSet
):
    """Who holds which role where. Officials appoint below their own place; DELETE ends a membership."""

    scope_model = Membership
    filterset_class = MembershipFilter
    list_output = detail_output = MembershipSerializer
    create_input, update_input = MembershipCreateSerializer, MembershipUpdateSerializer

    def filter_queryset_extra(self, queryset):
        return queryset.select_related("user", "place", "department").only(
            *(f.name for f in Membership._meta.concrete_fields),
            "user__username", "user__real_name", "place__code", "place__name", "department__name",
        )

    def create_through_service(self, data, idempotency_key):
        return services.membership_create(actor=self.request.user, idempotency_key=idempotency_key, **data)

    def update_through_service(self, membership, data, expected_version):
        return services.membership_update(
            actor=self.request.user, membership=membership, expected_version=expected_version, **data
        )

    def perform_destroy(self, membership):
        services.membership_end(actor=self.request.user, membership=membership)


# ---------------------------------------------------------------------------------------------- departments


class DepartmentSerializer(serializers.ModelSerializer):
    district = serializers.CharField(source="district.code", read_only=True, help_text="Unified code of the district.")

    class Meta:
        model = Department
        fields = ["id", "district", "name", "short_code", "phone", "duties", "version"]
        read_only_fields = fields


class DepartmentCreateSerializer(serializers.Serializer):
    district = PlaceCodeField(help_text="Unified code of the district.")
    name = serializers.CharField()
    short_code = serializers.CharField()
    phone = serializers.CharField(required=False, allow_blank=True)
    duties = serializers.CharField(required=False, allow_blank=True)


class DepartmentUpdateSerializer(VersionedInput):
    name = serializers.CharField(required=False)
    phone = serializers.CharField(required=False, allow_blank=True)
    duties = serializers.CharField(required=False, allow_blank=True)


class DepartmentViewSet(ServiceWrites, mixins.ListModelMixin, ApiViewSet):
    """The district's departments (every role of the district reads them; district officials edit)."""

    scope_model = Department
    filterset_class = DepartmentFilter
    list_output = detail_output = DepartmentSerializer
    create_input, update_input = DepartmentCreateSerializer, DepartmentUpdateSerializer

    def filter_queryset_extra(self, queryset):
        return queryset.select_related("district").defer("district__boundary")

    def create_through_service(self, data, idempotency_key):
        return services.department_create(actor=self.request.user, idempotency_key=idempotency_key, **data)

    def update_through_service(self, department, data, expected_version):
        return services.department_update(
            actor=self.request.user, department=department, expected_version=expected_version, **data
        )


# ---------------------------------------------------------------------------------------------- outpost partners


class PartnerSerializer(serializers.ModelSerializer):
    grid = serializers.CharField(source="grid.code", read_only=True, help_text="Unified code of the grid.")
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = OutpostPartner
        fields = ["id", "grid", "grid_name", "kind", "kind_label", "name", "contact_name", "phone", "version"]
        read_only_fields = fields


class PartnerCreateSerializer(serializers.Serializer):
    grid = PlaceCodeField(help_text="Unified code of the grid.")
    kind = serializers.ChoiceField(choices=PartnerKind.choices)
    name = serializers.CharField()
    contact_name = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)


class PartnerUpdateSerializer(VersionedInput):
    kind = serializers.ChoiceField(choices=PartnerKind.choices, required=False)
    name = serializers.CharField(required=False)
    contact_name = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)


class PartnerViewSet(ServiceWrites, mixins.ListModelMixin, ApiViewSet):
    """The grid outpost (网格前哨): resident units, owners' committees, property companies, building heads."""

    scope_model = OutpostPartner
    filterset_class = PartnerFilter
    list_output = detail_output = PartnerSerializer
    create_input, update_input = PartnerCreateSerializer, PartnerUpdateSerializer

    def filter_queryset_extra(self, queryset):
        return queryset.select_related("grid").defer("grid__boundary")

    def create_through_service(self, data, idempotency_key):
        return services.partner_create(actor=self.request.user, idempotency_key=idempotency_key, **data)

    def update_through_service(self, partner, data, expected_version):
        return services.partner_update(
            actor=self.request.user, partner=partner, expected_version=expected_version, **data
        )


def register_routes(router) -> None:
    """grids' endpoints under /api/v1/ (basenames are fixed: the scope matrix reverses them)."""
    router.register("places", PlaceViewSet, basename="place")
    router.register("people", PersonViewSet, basename="person")
    router.register("memberships", MembershipViewSet, basename="membership")
    router.register("departments", DepartmentViewSet, basename="department")
    router.register("partners", PartnerViewSet, basename="partner")
