"""The Django admin of the findings area: findings as records, gated like every list (ScopedAdmin). They are recorded
on their own pages (/xuncha/findings/, phone-first, with the team's dated grant); here they are read and, by those
who may, edited through the same service."""

from django.contrib import admin

from wudu.admin_base import ScopedAdmin, fields_of

from ..models import Finding
from ..services import findings as services

_EDITABLE = ("category", "severity", "title", "facts", "disclosure", "public_summary", "found_on", "rectification_due")


@admin.register(Finding)
class FindingAdmin(ScopedAdmin):
    list_display = ("title", "category", "severity", "place", "team", "found_on", "status")
    list_filter = ("category", "severity", "status")
    fields = ("round", "team", "place", *_EDITABLE, "status", "dismissed_reason")
    readonly_fields = ("round", "team", "place", "status", "dismissed_reason")
    list_select_related = ("place", "team")

    def has_add_permission(self, request):
        return False  # recorded on the findings' pages, under a team's dated grant

    def update(self, request, obj, data):
        return services.finding_update(actor=request.user, finding=obj, **fields_of(data, *_EDITABLE))
