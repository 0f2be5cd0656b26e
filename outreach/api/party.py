"""REST API (/api/v1/) of the party organisations of communities and grids and the party members registered with
them.

Same mechanics as grids/api.py: gated reads, writes through outreach.services.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers

from grids.api import PlaceCodeField
from wudu.api import PERSONAL_HELP, ApiViewSet, GatedIdField, PersonalFields, ServiceWrites, VersionedInput

from .. import services
from ..filters import PartyMemberFilter, PartyOrganizationFilter
from ..models import OrganizationKind, PartyMember, PartyOrganization

# ---------------------------------------------------------------------------------------------- organisations


class PartyOrganizationSerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="place.code", read_only=True,
                                  help_text="Unified code of the community or grid the organisation stands on.")
    place_name = serializers.CharField(source="place.name", read_only=True)
    place_level = serializers.CharField(source="place.level", read_only=True, help_text="community or grid.")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = PartyOrganization
        fields = ["id", "place", "place_name", "place_level", "kind", "kind_label", "name", "secretary", "version"]
        read_only_fields = fields


class PartyOrganizationCreateSerializer(serializers.Serializer):
    place = PlaceCodeField(help_text="Unified code of the community or grid (one organisation a place): a community "
                                     "takes a committee, general branch or branch, a grid a branch or group.")
    kind = serializers.ChoiceField(choices=OrganizationKind.choices)
    name = serializers.CharField()
    secretary = serializers.CharField(required=False, allow_blank=True)


class PartyOrganizationUpdateSerializer(VersionedInput):
    kind = serializers.ChoiceField(choices=OrganizationKind.choices, required=False)
    name = serializers.CharField(required=False)
    secretary = serializers.CharField(required=False, allow_blank=True)


class PartyOrganizationViewSet(ServiceWrites, mixins.ListModelMixin, ApiViewSet):
    """A community's party committee, general branch or branch, or a grid's branch or group. A grid's instructor and
    the officials above the place edit it."""

    scope_model = PartyOrganization
    filterset_class = PartyOrganizationFilter
    list_output = detail_output = PartyOrganizationSerializer
    create_input, update_input = PartyOrganizationCreateSerializer, PartyOrganizationUpdateSerializer

    def filter_queryset_extra(self, queryset):
        return queryset.select_related("place").defer("place__boundary")

    def create_through_service(self, data, idempotency_key):
        return services.party_org_create(actor=self.request.user, idempotency_key=idempotency_key, **data)

    def update_through_service(self, organization, data, expected_version):
        return services.party_org_update(
            actor=self.request.user, organization=organization, expected_version=expected_version, **data
        )


# ---------------------------------------------------------------------------------------------- members


class PartyMemberSerializer(PersonalFields, serializers.ModelSerializer):
    """A member's mobile is shown to the grid's instructor, the officials above and the system admin only."""

    organization_name = serializers.CharField(source="organization.name", read_only=True)
    place = serializers.CharField(source="organization.place.code", read_only=True,
                                  help_text="Unified code of the community or grid where the member registered.")

    class Meta:
        model = PartyMember
        fields = ["id", "organization", "organization_name", "place", "name", "mobile", "user", "registered_on", "workplace",
                  "version"]
        read_only_fields = fields
        extra_kwargs = {"mobile": {"allow_null": True, "help_text": PERSONAL_HELP}}


class PartyMemberCreateSerializer(serializers.Serializer):
    organization = GatedIdField(queryset=PartyOrganization.objects.all(), missing=_("党组织不存在或无权访问。"))
    name = serializers.CharField()
    mobile = serializers.CharField()
    registered_on = serializers.DateField(required=False, help_text="Defaults to today.")
    workplace = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                      help_text="双报到: the party organisation of the member's workplace.")


class PartyMemberUpdateSerializer(VersionedInput):
    name = serializers.CharField(required=False)
    mobile = serializers.CharField(required=False)
    registered_on = serializers.DateField(required=False)
    workplace = serializers.CharField(required=False, allow_blank=True, max_length=100)


class PartyMemberViewSet(ServiceWrites, mixins.ListModelMixin, ApiViewSet):
    """Party members registered with the community or grid where they live (就近报到), in one place only."""

    scope_model = PartyMember
    personal_read = True
    filterset_class = PartyMemberFilter
    list_output = detail_output = PartyMemberSerializer
    create_input, update_input = PartyMemberCreateSerializer, PartyMemberUpdateSerializer

    def filter_queryset_extra(self, queryset):
        return queryset.select_related("organization__place").defer("organization__place__boundary")

    def create_through_service(self, data, idempotency_key):
        return services.party_member_register(actor=self.request.user, idempotency_key=idempotency_key, **data)

    def update_through_service(self, member, data, expected_version):
        return services.party_member_update(
            actor=self.request.user, member=member, expected_version=expected_version, **data
        )


def register_routes(router) -> None:
    router.register("party-organizations", PartyOrganizationViewSet, basename="party-organization")
    router.register("party-members", PartyMemberViewSet, basename="party-member")
