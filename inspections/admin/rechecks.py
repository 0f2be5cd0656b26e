"""The Django admin of the re-checks: draws and their results, read-only, gated as the round's report shows them
(their managers: inspections/models/gates.py). Draws and results are made on the round's report page or through the API."""

from django.contrib import admin

from wudu.admin_base import ReadOnlyScopedAdmin

from ..models import Recheck, RecheckDraw


@admin.register(RecheckDraw)
class RecheckDrawAdmin(ReadOnlyScopedAdmin):
    list_display = ("round", "number", "percent", "size", "seed", "drawn_at", "drawn_by")
    list_select_related = ("round", "drawn_by")
    fields = ("round", "number", "seed", "percent", "candidates", "size", "drawn_at", "drawn_by")
    readonly_fields = fields


@admin.register(Recheck)
class RecheckAdmin(ReadOnlyScopedAdmin):
    list_display = ("task", "round", "draw", "drawn_at", "result", "checked_by", "checked_at")
    list_filter = ("result",)
    list_select_related = ("task", "round", "draw", "checked_by")
    fields = ("round", "draw", "task", "drawn_at", "result", "note", "checked_by", "checked_at")
    readonly_fields = fields
