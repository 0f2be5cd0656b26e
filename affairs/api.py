"""REST API (/api/v1/) of community services: the public catalogue of service items, and the applications a user
reads through the scope gate.

`service-items` is public (no account, as the residents' catalogue page): what each place offers, the materials it
asks for, its time limit and mode. `applications` is gated like every other resource (wudu.api.ApiViewSet): the
handling unit and the levels above read them, and the grid staff who applied on a resident's behalf read those.
The applicant's name and mobile are given only to the handling unit itself and to that grid worker
(`affairs.selectors.sees_personal_data`); everyone else gets null. Handling steps are taken on the staff pages.
"""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, permissions, serializers
from rest_framework.exceptions import NotFound

from grids.models import Place
from wudu.api import ApiViewSet, DangerouslyUnscopedListViewSet, ServiceSchema
from wudu.pagination import KeysetPagination

from . import selectors
from .models import FINISHED, Application, ApplicationStep, MaterialRequirement, Mode, ResultKind, ServiceItem, Status

# ---------------------------------------------------------------------------------------------- service items


class MaterialRequirementSerializer(serializers.ModelSerializer):
    class Meta:
        model = MaterialRequirement
        fields = ["id", "name", "description", "example", "required", "max_kb"]
        read_only_fields = fields


class ServiceItemSerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="place.code", read_only=True, help_text="The offering place's code.")
    place_name = serializers.CharField(source="place.name", read_only=True)
    unit = serializers.SerializerMethodField(help_text="The handling unit: a department's or a place's name.")
    mode = serializers.ChoiceField(choices=Mode.choices, read_only=True)
    materials = MaterialRequirementSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceItem
        fields = ["id", "place", "place_name", "name", "applicants", "conditions", "unit", "time_limit", "mode",
                  "legal_basis", "is_demo", "materials"]
        read_only_fields = fields

    def get_unit(self, item) -> str:
        return item.department.name if item.department_id else item.unit_place.name


class ServiceItemFilter(django_filters.FilterSet):
    place = django_filters.CharFilter(method="offered_at", max_length=24,
                                      help_text="A place's code: the items offered to its residents (its own and "
                                                "those of the levels above it).")

    class Meta:
        model = ServiceItem
        fields = ["place"]

    def offered_at(self, queryset, _name, value):
        place = Place.objects.filter(code=value).first()
        if place is None:
            raise NotFound("No place has this code.")
        return queryset.filter(pk__in=selectors.catalogue(place).values("pk"))


class ItemsInOrder(KeysetPagination):
    ordering = "id"


class ServiceItemViewSet(mixins.RetrieveModelMixin, DangerouslyUnscopedListViewSet):
    """Service items (便民服务事项) offered to residents: public, as the residents' catalogue page (no account).
    Nothing here is personal or belongs to anyone: what a place offers, the materials it asks for, its time limit."""

    permission_classes = [permissions.AllowAny]
    queryset = (ServiceItem.objects.offered().select_related("place", "unit_place", "department")
                .prefetch_related("materials"))
    serializer_class = ServiceItemSerializer
    pagination_class = ItemsInOrder
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    filterset_class = ServiceItemFilter
    schema = ServiceSchema()


# ---------------------------------------------------------------------------------------------- applications


class ApplicationStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicationStep
        fields = ["action", "from_status", "to_status", "note", "at"]
        read_only_fields = fields


class ApplicationSerializer(serializers.ModelSerializer):
    item = serializers.PrimaryKeyRelatedField(read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    unit = serializers.SerializerMethodField(help_text="The unit holding it now: a department's or a place's name.")
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    result_kind = serializers.ChoiceField(choices=ResultKind.choices, read_only=True, allow_blank=True)
    on_behalf = serializers.SerializerMethodField(help_text="Applied for the resident by a grid worker (帮办代办).")
    clock = serializers.SerializerMethodField(help_text="\"overdue\", \"due_soon\" or \"\" (see the staff desk).")
    applicant_name = serializers.SerializerMethodField(help_text="Null unless the reader is the handling unit or "
                                                                 "the grid worker who applied.")
    applicant_mobile = serializers.SerializerMethodField(help_text="As applicant_name.")

    class Meta:
        model = Application
        fields = ["id", "reference", "item", "item_name", "unit", "status", "on_behalf", "submitted_at", "accepted_at",
                  "due_at", "clock", "decided_at", "result_kind", "result", "refusal_reason", "refusal_basis",
                  "material_requests", "applicant_name", "applicant_mobile", "version"]
        read_only_fields = fields

    def get_unit(self, application) -> str:
        return application.department.name if application.department_id else application.unit_place.name

    def get_on_behalf(self, application) -> bool:
        return application.on_behalf_of_id is not None

    def get_clock(self, application) -> str:
        return application.clock

    def _personal(self, application, value):
        return value if selectors.sees_personal_data(self.context["request"].user, application) else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_applicant_name(self, application):
        return self._personal(application, application.applicant_name)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_applicant_mobile(self, application):
        return self._personal(application, application.applicant_mobile)


class ApplicationDetailSerializer(ApplicationSerializer):
    steps = ApplicationStepSerializer(many=True, read_only=True)

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "steps"]
        read_only_fields = fields


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    open = django_filters.BooleanFilter(method="open_only", help_text="true: not yet decided; false: decided or "
                                                                      "closed.")

    class Meta:
        model = Application
        fields = ["status", "open"]

    def open_only(self, queryset, _name, value):
        return queryset.exclude(status__in=FINISHED) if value else queryset.filter(status__in=FINISHED)


class NewestFirst(KeysetPagination):
    ordering = "-id"


class ApplicationViewSet(mixins.ListModelMixin, ApiViewSet):
    """Applications (办事申请) for community services, newest first: those the user's units handle and those
    below them, and those a grid worker made on a resident's behalf. Read-only here."""

    scope_model = Application
    lookup_field = "reference"
    filterset_class = ApplicationFilter
    pagination_class = NewestFirst
    http_method_names = ["get", "head", "options"]
    list_output = ApplicationSerializer
    detail_output = ApplicationDetailSerializer

    def reads_personal(self, obj) -> bool:
        return selectors.sees_personal_data(self.request.user, obj)

    def filter_queryset_extra(self, queryset):
        queryset = queryset.select_related("item", "unit_place", "department")
        if self.action == "list":
            return queryset
        return queryset.prefetch_related(Prefetch("steps", queryset=ApplicationStep.objects.order_by("at", "id")))


def register_routes(router) -> None:
    """The affairs endpoints under /api/v1/ (basenames are fixed: the scope matrix reverses them)."""
    router.register("service-items", ServiceItemViewSet, basename="service-item")
    router.register("applications", ApplicationViewSet, basename="application")
