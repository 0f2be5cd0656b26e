"""REST API (/api/v1/branch-meetings/) of party life: the meetings due and held of each party organisation
of a community or grid (三会一课, committee meetings and 主题党日), gated by `branch_meeting`. Meetings are made by the schedule, never posted; a PATCH records
one as held (or corrects its record), through the same service as the page."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers

from wudu.api import ApiViewSet, ServiceWrites, VersionedInput
from wudu.filters import MAX_ID, IdFilter

from .. import services
from ..models import BranchMeeting, Event, MeetingAttendance, MeetingKind, MeetingState, PartyMember


class BranchMeetingFilter(django_filters.FilterSet):
    place = django_filters.CharFilter(field_name="organization__place__code", label=_("社区或网格的统一编号"))
    under = django_filters.CharFilter(field_name="organization__place__code", lookup_expr="startswith",
                                      label=_("统一编号前缀"))
    organization = IdFilter(field_name="organization_id", label=_("党组织 ID"))
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices, label=_("类别"))
    period = django_filters.CharFilter(field_name="period", label=_("期间"))
    state = django_filters.ChoiceFilter(choices=MeetingState.choices, method="filter_state", label=_("状态"))

    class Meta:
        model = BranchMeeting
        fields = ["place", "under", "organization", "kind", "period", "state"]

    def filter_state(self, queryset, name, value):
        return queryset.in_state(value, timezone.localdate())


class AttendanceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = MeetingAttendance
        fields = ["member", "name", "present", "absence_reason"]
        read_only_fields = fields


class BranchMeetingSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    place = serializers.CharField(source="organization.place.code", read_only=True,
                                  help_text="Unified code of the organisation's community or grid.")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state = serializers.SerializerMethodField(help_text="due, held or overdue (past its due date and not held).")
    attendance = AttendanceSerializer(many=True, read_only=True)

    class Meta:
        model = BranchMeeting
        fields = ["id", "organization", "organization_name", "place", "kind", "kind_label", "period", "due_on",
                  "held_on", "state", "minutes", "event", "attendance", "version"]
        read_only_fields = fields

    def get_state(self, meeting) -> str:
        return str(meeting.state())


class AbsenceInput(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=100)


class BranchMeetingRecordSerializer(VersionedInput):
    """The record of a meeting held. A PATCH may leave out what it does not change; a first record needs the day,
    the minutes and the members present."""

    held_on = serializers.DateField(help_text="The day it was held (not in the future).")
    minutes = serializers.CharField(max_length=4000)
    present = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), allow_empty=False,
                                    help_text="Ids of the members present (members of the organisation only).")
    absent = AbsenceInput(many=True, required=False, help_text="Members absent, each with an optional reason.")
    event = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID,
                                     help_text="Id of the outreach event (主题党日 …) that is this same activity.")


class BranchMeetingViewSet(ServiceWrites, mixins.ListModelMixin, ApiViewSet):
    """三会一课, committee meetings and 主题党日 of the party organisations of communities and grids: due, held (with
    minutes and attendance) or overdue. A grid's instructor and the officials above the place record them;
    departments do not read them."""

    scope_model = BranchMeeting
    filterset_class = BranchMeetingFilter
    list_output = detail_output = BranchMeetingSerializer
    update_input = BranchMeetingRecordSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def filter_queryset_extra(self, queryset):
        return queryset.select_related("organization__place").defer("organization__place__boundary").prefetch_related(
            Prefetch("attendance", queryset=MeetingAttendance.objects.select_related("member").order_by("member_id")))

    def update_through_service(self, meeting, data, expected_version):
        """A partial update of the record: what the request leaves out keeps its recorded value (the day, the
        minutes, the attendance, the event); a meeting not held yet needs them all (the service says which)."""
        members = {m.pk: m for m in PartyMember.objects.filter(organization_id=meeting.organization_id)}
        rows = list(MeetingAttendance.objects.filter(meeting=meeting))
        present_ids = data["present"] if "present" in data else [r.member_id for r in rows if r.present]
        if "absent" in data:
            absent = {row["member"]: row.get("reason", "") for row in data["absent"]}
        elif "present" in data:
            absent = {}
        else:
            absent = {r.member_id: r.absence_reason for r in rows if not r.present}
        event = meeting.event
        if "event" in data:
            event = Event.objects.filter(pk=data["event"]).first() if data["event"] else None
            if data["event"] and event is None:
                raise serializers.ValidationError({"event": [_("活动不存在。")]})
        services.branch_meeting_record(
            actor=self.request.user, meeting=meeting, held_on=data.get("held_on", meeting.held_on),
            minutes=data.get("minutes", meeting.minutes),
            present=[members.get(pk) or PartyMember(pk=pk) for pk in present_ids], absent=absent, event=event,
            expected_version=expected_version)
        return self.get_queryset().get(pk=meeting.pk)  # with the attendance just written (not the prefetched one)


def register_routes(router) -> None:
    router.register("branch-meetings", BranchMeetingViewSet, basename="branch-meeting")
