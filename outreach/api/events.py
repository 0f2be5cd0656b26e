"""REST API (/api/v1/) of outreach events and volunteer organisations: gated reads, writes through
outreach.services (the same functions the pages call). Publishing, cancelling and reporting are actions of an event
(POST /events/{id}/publish/ …)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from grids.api import PlaceCodeField
from grids.models import Department
from wudu.api import ApiViewSet, GatedIdField, ServiceWrites, VersionedInput, if_match_version
from wudu.filters import TimeFilter
from wudu.pagination import KeysetPagination
from wudu.rules import MAX_PHOTOS

from .. import services
from ..models import AudienceCount, Event, EventKind, EventStatus, PartyOrganization, VolunteerOrganization

# ---------------------------------------------------------------------------------------------- events


class EventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=EventKind.choices, label=_("类别"))
    status = django_filters.ChoiceFilter(choices=EventStatus.choices, label=_("状态"))
    under = django_filters.CharFilter(field_name="venue__code", lookup_expr="startswith", label=_("活动地点统一编号前缀"))
    # ?from=2026-10-01T00:00:00%2B08:00&to=…: events starting in [from, to) (ISO 8601 times).
    locals()["from"] = TimeFilter(field_name="starts_at", lookup_expr="gte", label=_("开始时间不早于"))
    locals()["to"] = TimeFilter(field_name="starts_at", lookup_expr="lt", label=_("开始时间早于"))

    class Meta:
        model = Event
        fields = ["kind", "status", "under"]


class OutreachEventPhotoSerializer(serializers.Serializer):
    image = serializers.ImageField(read_only=True)
    thumbnail = serializers.ImageField(read_only=True)


class OutreachEventSerializer(serializers.ModelSerializer):
    venue = serializers.CharField(source="venue.code", read_only=True, help_text="Unified code of the venue.")
    venue_name = serializers.CharField(source="venue.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    organizer_name = serializers.SerializerMethodField()
    stream_url = serializers.CharField(read_only=True, help_text="The live stream's address, or empty.")
    photos = OutreachEventPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Event
        fields = ["id", "kind", "kind_label", "title", "topic", "status", "status_label", "venue", "venue_name",
                  "address", "lng", "lat", "starts_at", "ends_at", "party_organization", "volunteer_organization",
                  "organizer_department", "organizer_place", "organizer_name", "speakers", "stream_url",
                  "planned_audience", "actual_audience", "audience_counted_by", "report", "counts_as_service",
                  "back_entry_reason", "back_entry_approved_by", "created_by", "photos", "version"]
        read_only_fields = fields

    def get_organizer_name(self, event: Event) -> str:
        return getattr(event.organizer, "name", "")


class EventFieldsInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EventKind.choices)
    title = serializers.CharField(max_length=100)
    topic = serializers.CharField(max_length=200, required=False, allow_blank=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    lng = serializers.FloatField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)
    speakers = serializers.CharField(max_length=200, required=False, allow_blank=True)
    stream_url = serializers.URLField(required=False, allow_blank=True)
    planned_audience = serializers.IntegerField(required=False, allow_null=True)
    counts_as_service = serializers.BooleanField(required=False)


class EventCreateSerializer(EventFieldsInput):
    venue = PlaceCodeField(help_text="Unified code of the venue: the district, a street, a community or a grid.")
    party_organization = GatedIdField(queryset=PartyOrganization.objects.all(), required=False,
                                      missing=_("党组织不存在或无权访问。"))
    volunteer_organization = GatedIdField(queryset=VolunteerOrganization.objects.all(), required=False,
                                          missing=_("志愿服务组织不存在或无权访问。"))
    organizer_department = GatedIdField(queryset=Department.objects.all(), required=False,
                                        missing=_("部门不存在或无权访问。"))
    back_entry_reason = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                              help_text="A past event only: why it is entered afterwards.")

    def validate(self, attrs):
        named = [name for name in ("party_organization", "volunteer_organization", "organizer_department")
                 if attrs.get(name) is not None]
        if len(named) > 1:
            raise serializers.ValidationError(_("活动须有且只有一个主办方。"))
        attrs["organizer"] = attrs.pop(named[0]) if named else None
        for name in ("party_organization", "volunteer_organization", "organizer_department"):
            attrs.pop(name, None)
        return attrs


class EventUpdateSerializer(VersionedInput, EventFieldsInput):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class EventPublishSerializer(VersionedInput):
    back_entry_reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class EventCancelSerializer(VersionedInput):
    pass


class EventReportSerializer(VersionedInput):
    actual_audience = serializers.IntegerField()
    audience_counted_by = serializers.ChoiceField(choices=AudienceCount.choices)
    report = serializers.CharField(max_length=4000)
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=MAX_PHOTOS,
                                   help_text="Up to 5 photos (multipart/form-data, each under `photos`).")


class ByStart(KeysetPagination):
    ordering = ("-starts_at", "-id")


class EventViewSet(ServiceWrites, mixins.ListModelMixin, ApiViewSet):
    """Outreach events (活动): micro party lessons, performances, volunteer lectures, themed party days, branch
    meetings. Created as drafts; only a future event is published (a past one is a back-entry with a reason,
    published by someone other than its creator); reported after it ended."""

    scope_model = Event
    filterset_class = EventFilter
    pagination_class = ByStart
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    list_output = detail_output = OutreachEventSerializer
    create_input, update_input = EventCreateSerializer, EventUpdateSerializer

    def filter_queryset_extra(self, queryset):
        return queryset.select_related(
            "venue", "party_organization", "volunteer_organization", "organizer_department", "organizer_place",
        ).defer("venue__boundary", "organizer_place__boundary").prefetch_related("photos")

    def create_through_service(self, data, idempotency_key):
        return services.event_create(actor=self.request.user, idempotency_key=idempotency_key, **data)

    def update_through_service(self, event, data, expected_version):
        return services.event_update(actor=self.request.user, event=event, expected_version=expected_version, **data)

    def _step(self, serializer_class, call):
        event = self.get_object()
        data = self.read_input(serializer_class)
        version = data.pop("version", None) or if_match_version(self.request)
        call(event, data, version)
        return self.answer(self.get_queryset().get(pk=event.pk))

    @extend_schema(request=EventPublishSerializer, responses=OutreachEventSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._step(EventPublishSerializer, lambda event, data, version: services.event_publish(
            actor=request.user, event=event, expected_version=version, **data))

    @extend_schema(request=EventCancelSerializer, responses=OutreachEventSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._step(EventCancelSerializer, lambda event, data, version: services.event_cancel(
            actor=request.user, event=event, expected_version=version))

    @extend_schema(request=EventReportSerializer, responses=OutreachEventSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        return self._step(EventReportSerializer, lambda event, data, version: services.event_report(
            actor=request.user, event=event, expected_version=version, **data))


# ---------------------------------------------------------------------------------------------- volunteer organisations


class VolunteerOrganizationFilter(django_filters.FilterSet):
    under = django_filters.CharFilter(field_name="place__code", lookup_expr="startswith", label=_("统一编号前缀"))

    class Meta:
        model = VolunteerOrganization
        fields = ["under"]


class VolunteerOrganizationSerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="place.code", read_only=True, help_text="Unified code of the place.")
    place_name = serializers.CharField(source="place.name", read_only=True)

    class Meta:
        model = VolunteerOrganization
        fields = ["id", "place", "place_name", "name", "contact_name", "phone", "description", "founded_on", "version"]
        read_only_fields = fields


class VolunteerOrganizationCreateSerializer(serializers.Serializer):
    place = PlaceCodeField(help_text="Unified code of the district, street or community it is registered at.")
    name = serializers.CharField(max_length=100)
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    description = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    founded_on = serializers.DateField(required=False, allow_null=True)


class VolunteerOrganizationUpdateSerializer(VersionedInput):
    name = serializers.CharField(max_length=100, required=False)
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    description = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    founded_on = serializers.DateField(required=False, allow_null=True)


class VolunteerOrganizationViewSet(ServiceWrites, mixins.ListModelMixin, ApiViewSet):
    """Volunteer organisations (志愿服务组织) registered at the district, a street or a community; seen along the
    line (at, below and above the reader's place)."""

    scope_model = VolunteerOrganization
    filterset_class = VolunteerOrganizationFilter
    list_output = detail_output = VolunteerOrganizationSerializer
    create_input, update_input = VolunteerOrganizationCreateSerializer, VolunteerOrganizationUpdateSerializer

    def filter_queryset_extra(self, queryset):
        return queryset.select_related("place").defer("place__boundary")

    def create_through_service(self, data, idempotency_key):
        return services.volunteer_org_create(actor=self.request.user, idempotency_key=idempotency_key, **data)

    def update_through_service(self, organization, data, expected_version):
        return services.volunteer_org_update(actor=self.request.user, organization=organization,
                                             expected_version=expected_version, **data)


def register_routes(router) -> None:
    router.register("events", EventViewSet, basename="event")
    router.register("volunteer-organizations", VolunteerOrganizationViewSet, basename="volunteer-organization")
