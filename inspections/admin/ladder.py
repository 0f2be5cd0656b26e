"""The Django admin of the ladder: its documents and number counters, read-only, gated as their task or district (the
gates of inspections/api/gated.py, the API's own). Documents are issued by the schedule and signed on the documents
page or through the API."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from wudu.admin_base import ScopedAdmin

from ..api.gated import ThroughDistrict, ThroughTask, gated
from ..models import Notice, NoticeCounter


class GatedReadOnlyAdmin(ScopedAdmin):
    """A read-only admin of records without a policy of their own: `gate` names whose `visible_to` applies."""

    gate = None
    show_full_result_count = False

    @property
    def scope_resource(self) -> str:
        return self.gate.scope_resource

    def get_queryset(self, request):
        queryset = gated(self.model, self.gate).visible_to(request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
class NoticeAdmin(GatedReadOnlyAdmin):
    gate = ThroughTask
    list_display = ("number", "kind", "task", "deadline", "issued_at", "acknowledged_at")
    list_filter = ("kind", AcknowledgedFilter)
    search_fields = ("number",)
    list_select_related = ("task",)
    fields = ("number", "kind", "task", "deadline", "issued_at", "issued_by", "acknowledged_at", "acknowledged_by")
    readonly_fields = fields


@admin.register(NoticeCounter)
class NoticeCounterAdmin(GatedReadOnlyAdmin):
    gate = ThroughDistrict
    list_display = ("district", "year", "last")
    list_select_related = ("district",)
    fields = ("district", "year", "last")
    readonly_fields = fields
