"""Admin of the case loop: categories and the holiday calendar are configured here; cases and their events are
read here (every step goes through the case page or the API, which call the services)."""

from django.contrib import admin

from grids.models import Department
from wudu import scope
from wudu.admin_base import ScopedAdmin, fields_of

from . import services
from .models import Case, CaseCategory, CaseEvent, Holiday


@admin.register(CaseCategory)
class CaseCategoryAdmin(ScopedAdmin):
    list_display = ("name", "code", "department", "time_limit", "limit_unit", "public", "active")
    list_filter = ("limit_unit", "public", "active")
    fields = ("district", "code", "name", "description", "department", "time_limit", "limit_unit",
              "finding_category", "public", "active", "sort_order")
    place_fields = ("district",)
    list_select_related = ("department",)

    def get_readonly_fields(self, request, obj=None):
        return ("district", "code") if obj else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            kwargs["queryset"] = Department.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def create(self, request, data):
        return services.case_category_create(actor=request.user, **fields_of(
            data, "district", "code", *services.CATEGORY_FIELDS))

    def update(self, request, obj, data):
        return services.case_category_update(actor=request.user, category=obj,
                                             **fields_of(data, *services.CATEGORY_FIELDS))


class EventInline(admin.TabularInline):
    model = CaseEvent
    fields = ("at", "action", "from_status", "to_status", "actor", "actor_role", "department", "deadline", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ScopedAdmin):
    """Read-only: the loop's steps are taken on the case page or through the API."""

    list_display = ("reference", "category", "status", "alert", "grid", "department", "created_at", "deadline")
    list_filter = ("status", "alert", "source", "kind", "supervised")
    search_fields = ("reference",)
    list_select_related = ("category", "grid", "department")
    show_full_result_count = False
    inlines = [EventInline]
    exclude = ("tracking_token",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "name")
    list_filter = ("is_workday",)
    date_hierarchy = "date"

    def _keeper(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and (
            user.is_superuser or scope.has_role(user, "system_admin", "command_center"))

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self._keeper(request)

    def has_change_permission(self, request, obj=None):
        return self._keeper(request)

    def has_delete_permission(self, request, obj=None):
        return self._keeper(request)

    def save_model(self, request, obj, form, change):
        saved = services.holiday_save(actor=request.user, **fields_of(form.cleaned_data, "date", "is_workday", "name"))
        obj.pk = saved.pk
