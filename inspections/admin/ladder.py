"""The Django admin of the ladder: its documents and number counters, read-only, gated as their task or district (their
managers: inspections/models/gates.py). Documents are issued by the schedule and signed on the documents
page or through the API."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from wudu.admin_base import ReadOnlyScopedAdmin

from ..models import Notice, NoticeCounter


class AcknowledgedFilter(admin.SimpleListFilter):
    title = _("签收")
    parameter_name = "acknowledged"

    def lookups(self, request, model_admin):
        return [("yes", _("已签收")), ("no", _("待签收"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(acknowledged_at__isnull=self.value() == "no")
        return queryset


@admin.register(Notice)
class NoticeAdmin(ReadOnlyScopedAdmin):
    list_display = ("number", "kind", "task", "deadline", "issued_at", "acknowledged_at")
    list_filter = ("kind", AcknowledgedFilter)
    search_fields = ("number",)
    list_select_related = ("task",)
    fields = ("number", "kind", "task", "deadline", "issued_at", "issued_by", "acknowledged_at", "acknowledged_by")
    readonly_fields = fields


@admin.register(NoticeCounter)
class NoticeCounterAdmin(ReadOnlyScopedAdmin):
    list_display = ("district", "year", "last")
    list_select_related = ("district",)
    fields = ("district", "year", "last")
    readonly_fields = fields
