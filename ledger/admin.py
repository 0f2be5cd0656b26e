"""The admin of the grid register (households, sites): the same gate and services as the pages and the API."""

from django.contrib import admin

from wudu.admin_base import ScopedAdmin, fields_of

from . import services as ledger_services
from .models import Household, Site


@admin.register(Household)
class HouseholdAdmin(ScopedAdmin):
    list_display = ("__str__", "grid", "head_name", "residents")
    search_fields = ("address", "head_name")
    fields = ("grid", "address", "unit", "room", "head_name", "phone", "residents", "tags")
    list_select_related = ("grid",)

    def get_readonly_fields(self, request, obj=None):
        return ("grid",) if obj else ()

    def create(self, request, data):
        return ledger_services.household_create(
            actor=request.user, **fields_of(data, "grid", "address", "unit", "room", "head_name", "phone",
                                            "residents", "tags"))

    def update(self, request, obj, data):
        return ledger_services.household_update(
            actor=request.user, household=obj, **fields_of(data, "address", "unit", "room", "head_name", "phone",
                                                            "residents", "tags"))

    def save_related(self, request, form, formsets, change):
        pass  # tags are set by the service


@admin.register(Site)
class SiteAdmin(ScopedAdmin):
    list_display = ("name", "kind", "grid", "duty_radius_m")
    list_filter = ("kind",)
    fields = ("grid", "kind", "name", "address", "lng", "lat", "duty_radius_m")
    list_select_related = ("grid",)

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def create(self, request, data):
        return ledger_services.site_create(
            actor=request.user, **fields_of(data, "grid", "kind", "name", "address", "lng", "lat", "duty_radius_m"))
