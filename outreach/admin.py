from django.contrib import admin

from wudu.admin_base import ScopedAdmin, fields_of

from . import services
from .models import Event, PartyMember, PartyOrganization, VolunteerOrganization


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(ScopedAdmin):
    list_display = ("name", "kind", "grid", "secretary")
    list_filter = ("kind",)
    fields = ("grid", "kind", "name", "secretary")
    list_select_related = ("grid",)

    def get_readonly_fields(self, request, obj=None):
        return ("grid",) if obj else ()

    def create(self, request, data):
        return services.party_org_create(actor=request.user, **fields_of(data, "grid", "kind", "name", "secretary"))

    def update(self, request, obj, data):
        return services.party_org_update(actor=request.user, organization=obj, **fields_of(data, "kind", "name", "secretary"))


@admin.register(PartyMember)
class PartyMemberAdmin(ScopedAdmin):
    list_display = ("name", "organization", "registered_on", "workplace")
    fields = ("organization", "name", "mobile", "registered_on", "workplace")
    list_select_related = ("organization",)

    def get_readonly_fields(self, request, obj=None):
        return ("organization",) if obj else ()

    def create(self, request, data):
        return services.party_member_register(
            actor=request.user, **fields_of(data, "organization", "name", "mobile", "registered_on", "workplace")
        )

    def update(self, request, obj, data):
        return services.party_member_update(actor=request.user, member=obj,
                                             **fields_of(data, "name", "mobile", "registered_on", "workplace"))


@admin.register(VolunteerOrganization)
class VolunteerOrganizationAdmin(ScopedAdmin):
    list_display = ("name", "place", "contact_name", "phone")
    fields = ("place", "name", "contact_name", "phone", "description", "founded_on")
    list_select_related = ("place",)

    def get_readonly_fields(self, request, obj=None):
        return ("place",) if obj else ()

    def create(self, request, data):
        return services.volunteer_org_create(
            actor=request.user, **fields_of(data, "place", "name", "contact_name", "phone", "description", "founded_on"))

    def update(self, request, obj, data):
        return services.volunteer_org_update(
            actor=request.user, organization=obj,
            **fields_of(data, "name", "contact_name", "phone", "description", "founded_on"))


_EVENT_ADMIN_FIELDS = ("kind", "title", "topic", "starts_at", "ends_at", "address", "speakers", "stream_url",
                       "planned_audience")


@admin.register(Event)
class EventAdmin(ScopedAdmin):
    """Events as records (drafts made here; publishing and reports on the events' own pages)."""

    list_display = ("title", "kind", "venue", "starts_at", "status")
    list_filter = ("kind", "status")
    fields = ("venue", *_EVENT_ADMIN_FIELDS)
    list_select_related = ("venue",)

    def get_readonly_fields(self, request, obj=None):
        return ("venue",) if obj else ()

    def create(self, request, data):
        return services.event_create(actor=request.user, **fields_of(data, "venue", *_EVENT_ADMIN_FIELDS))

    def update(self, request, obj, data):
        return services.event_update(actor=request.user, event=obj, **fields_of(data, *_EVENT_ADMIN_FIELDS))
