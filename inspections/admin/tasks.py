"""The Django admin of the tasks area: read-only. Tasks move only through their steps (the task page or the API,
which call inspections.services.tasks); the admin lists them through the gate with their steps and evidence."""

from django.contrib import admin

from wudu.admin_base import ReadOnlyScopedAdmin

from ..models import Rectification, TaskEvidence, TaskStep


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StepInline(_ReadOnlyInline):
    model = TaskStep
    fields = ("at", "action", "from_status", "to_status", "actor", "actor_role", "note")
    readonly_fields = fields


class EvidenceInline(_ReadOnlyInline):
    model = TaskEvidence
    # The resident's mobile and the confirmation token stay out of the admin.
    fields = ("kind", "name", "file", "lng", "lat", "resident_name", "confirmed_at", "resident_resolved",
              "uploaded_by", "uploaded_at")
    readonly_fields = fields


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyScopedAdmin):
    """Read-only: steps are taken on the task page or through the API."""

    list_display = ("measure", "finding", "owner_place", "owner_department", "responsible", "deadline", "status",
                    "ladder")
    list_filter = ("status", "ladder")
    search_fields = ("measure",)
    list_select_related = ("finding", "owner_place", "owner_department", "responsible")
    inlines = [StepInline, EvidenceInline]
