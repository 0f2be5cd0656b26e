"""The Django admin of the rounds area: rounds through the gate and the services, each with its teams, their members
and the places they cover (read here; staffed on the rounds' pages, /xuncha/rounds/)."""

from django.contrib import admin
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from wudu.admin_base import ScopedAdmin, fields_of

from ..models import Coverage, Round, Team, TeamMember
from ..services import rounds as services


class TeamInline(admin.TabularInline):
    model = Team
    fields = ("name", "leader", "members_list", "coverage_list")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        members = TeamMember.objects.select_related("user").order_by("-is_leader", "id")
        coverage = Coverage.objects.select_related("place").defer("place__boundary").order_by("place__code")
        return super().get_queryset(request).prefetch_related(Prefetch("members", queryset=members),
                                                              Prefetch("coverage", queryset=coverage))

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("组长"))
    def leader(self, team):
        return next((m.user.display_name for m in team.members.all() if m.is_leader), "—")

    @admin.display(description=_("组员"))
    def members_list(self, team):
        return "、".join(m.user.display_name for m in team.members.all() if not m.is_leader) or "—"

    @admin.display(description=_("巡察范围"))
    def coverage_list(self, team):
        return "、".join(f"{c.place.name}（{c.place.code}）" for c in team.coverage.all())


_ROUND_FIELDS = ("name", "starts_on", "ends_on", "follow_up_until", "feedback_on", "rectification_months",
                 "recheck_percent")


@admin.register(Round)
class RoundAdmin(ScopedAdmin):
    list_display = ("name", "district", "starts_on", "ends_on", "follow_up_until")
    fields = ("district", *_ROUND_FIELDS)
    list_select_related = ("district",)
    search_fields = ("name",)
    inlines = [TeamInline]

    def get_readonly_fields(self, request, obj=None):
        return ("district",) if obj else ()

    def create(self, request, data):
        return services.round_create(actor=request.user, **fields_of(data, "district", *_ROUND_FIELDS))

    def update(self, request, obj, data):
        # The admin's form holds the record as read: `obj` already carries the new values, the version is the one read.
        fresh = Round.objects.get(pk=obj.pk)
        return services.round_update(actor=request.user, round=fresh, expected_version=obj.version,
                                     **fields_of(data, *_ROUND_FIELDS))
