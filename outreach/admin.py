from django.contrib import admin

from wudu.admin_base import ScopedAdmin, fields_of

from . import services
from .models import PartyMember, PartyOrganization


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
