"""REST API (/api/v1/) of volunteers and their hours: gated reads, writes through outreach.services.

/volunteers/: list (with verified service, honour and pending minutes), retrieve, register (POST: the same mobile
again returns the first), rename (PATCH). /hours/: list, retrieve, honour hours (POST), countersign and decline
(POST /hours/{id}/countersign/, /decline/). Check-in and check-out are the public page's (no account).
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action

from grids.api import PlaceCodeField
from grids.models import User
from wudu.api import PERSONAL_HELP, ApiViewSet, GatedIdField, PersonalFields, ServiceWrites, VersionedInput
from wudu.filters import IdFilter

from .. import services
from ..models import Event, HoursKind, HoursStatus, ServiceRecord, Volunteer, VolunteerOrganization
from ..selectors.hours import with_minutes

# ---------------------------------------------------------------------------------------------- volunteers


class VolunteerFilter(django_filters.FilterSet):
    home = django_filters.CharFilter(field_name="home__code", label=_("报到地点的统一编号"))
    under = django_filters.CharFilter(field_name="home__code", lookup_expr="startswith", label=_("统一编号前缀"))

    class Meta:
        model = Volunteer
        fields = ["home", "under"]


class VolunteerSerializer(PersonalFields, serializers.ModelSerializer):
    """The mobile is shown to the officials above the volunteer's home, the grid's instructor and the system
    administrator (and to the volunteer themself); null to other readers."""

    home = serializers.CharField(source="home.code", read_only=True, help_text="Unified code of the home place.")
    home_name = serializers.CharField(source="home.name", read_only=True)
    service_minutes = serializers.IntegerField(read_only=True, help_text="Verified service minutes.")
    honour_minutes = serializers.IntegerField(read_only=True, help_text="Verified honour minutes (apart).")
    pending_minutes = serializers.IntegerField(read_only=True)
    stars = serializers.SerializerMethodField(help_text="Star level from verified service hours only.")

    class Meta:
        model = Volunteer
        fields = ["id", "home", "home_name", "name", "mobile", "registered_on", "service_minutes", "honour_minutes",
                  "pending_minutes", "stars", "version"]
        read_only_fields = fields
        extra_kwargs = {"mobile": {"allow_null": True, "help_text": PERSONAL_HELP}}

    def get_stars(self, obj) -> int:
        return services.star_level(getattr(obj, "service_minutes", 0) or 0).level


class VolunteerCreateSerializer(serializers.Serializer):
    home = PlaceCodeField(help_text="Unified code of the community or grid where the volunteer lives.")
    name = serializers.CharField(max_length=50)
    mobile = serializers.CharField(max_length=11)
    registered_on = serializers.DateField(required=False, help_text="Defaults to today.")


class VolunteerUpdateSerializer(VersionedInput):
    name = serializers.CharField(required=False, max_length=50)
    mobile = serializers.CharField(required=False, max_length=11)


class VolunteerViewSet(ServiceWrites, mixins.ListModelMixin, ApiViewSet):
    """Real-name volunteers (实名志愿者), read where they live."""

    scope_model = Volunteer
    personal_read = True
    filterset_class = VolunteerFilter
    list_output = detail_output = VolunteerSerializer
    create_input, update_input = VolunteerCreateSerializer, VolunteerUpdateSerializer

    def filter_queryset_extra(self, queryset):
        return with_minutes(queryset.select_related("home").defer("home__boundary"))

    def create_through_service(self, data, idempotency_key):
        volunteer = services.volunteer_register(actor=self.request.user, idempotency_key=idempotency_key, **data)
        return self.get_queryset().get(pk=volunteer.pk)

    def update_through_service(self, volunteer, data, expected_version):
        services.volunteer_update(actor=self.request.user, volunteer=volunteer, expected_version=expected_version,
                                  **data)
        return self.get_queryset().get(pk=volunteer.pk)


# ---------------------------------------------------------------------------------------------- hours


class HoursFilter(django_filters.FilterSet):
    volunteer = IdFilter(field_name="volunteer_id", label=_("志愿者 ID"))
    event = IdFilter(field_name="event_id", label=_("活动 ID"))
    organization = IdFilter(field_name="organization_id", label=_("志愿服务组织 ID"))
    kind = django_filters.ChoiceFilter(choices=HoursKind.choices, label=_("时长类别"))
    status = django_filters.ChoiceFilter(choices=HoursStatus.choices, label=_("状态"))

    class Meta:
        model = ServiceRecord
        fields = ["volunteer", "event", "organization", "kind", "status"]


class ServiceRecordSerializer(serializers.ModelSerializer):
    volunteer_name = serializers.CharField(source="volunteer.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    event_title = serializers.CharField(source="event.title", default=None, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    flag_labels = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ServiceRecord
        fields = ["id", "volunteer", "volunteer_name", "organization", "organization_name", "event", "event_title",
                  "kind", "kind_label", "status", "status_label", "checked_in_at", "checked_out_at",
                  "checkout_capped", "minutes", "flags", "flag_labels", "reason", "approved_by", "countersigned_by",
                  "countersigned_at", "declined_reason", "created_at", "version"]
        read_only_fields = fields


class HonourInput(serializers.Serializer):
    volunteer = GatedIdField(queryset=Volunteer.objects.all(), missing=_("志愿者不存在或无权访问。"))
    organization = serializers.PrimaryKeyRelatedField(queryset=VolunteerOrganization.objects.all(),
                                                      error_messages={"does_not_exist": _("志愿服务组织不存在。")})
    minutes = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=200)
    approver = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True),
                                                  error_messages={"does_not_exist": _("审批人不存在。")})
    event = serializers.PrimaryKeyRelatedField(queryset=Event.objects.all(), required=False, allow_null=True,
                                               help_text="The (past) event the honour hours are for, if any.")


class DeclineInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class HoursViewSet(ServiceWrites, mixins.ListModelMixin, ApiViewSet):
    """Volunteer hours (服务时长 from check-in/out, 荣誉时长 apart), read within the recording organisation's place."""

    scope_model = ServiceRecord
    filterset_class = HoursFilter
    http_method_names = ["get", "head", "options", "post"]
    list_output = detail_output = ServiceRecordSerializer
    create_input = HonourInput

    def filter_queryset_extra(self, queryset):
        return queryset.select_related("volunteer", "organization", "event")

    def create_through_service(self, data, idempotency_key):
        return services.honour_hours_enter(actor=self.request.user, idempotency_key=idempotency_key, **data)

    @extend_schema(request=None, responses={200: ServiceRecordSerializer}, summary="确认 (countersign)")
    @action(detail=True, methods=["post"])
    def countersign(self, request, pk=None):
        """The recording organisation's office countersigns (never the volunteer themself)."""
        return self.answer(services.hours_countersign(actor=request.user, record=self.get_object()))

    @extend_schema(request=DeclineInput, responses={200: ServiceRecordSerializer}, summary="未通过 (decline)")
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        data = self.read_input(DeclineInput)
        return self.answer(services.hours_decline(actor=request.user, record=self.get_object(), reason=data["reason"]))


def register_routes(router) -> None:
    router.register("volunteers", VolunteerViewSet, basename="volunteer")
    router.register("hours", HoursViewSet, basename="hours")
