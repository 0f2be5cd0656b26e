from django.contrib import admin

from wudu.admin_base import ReadOnlyScopedAdmin, ScopedAdmin, fields_of

from . import services
from .models import (
    BranchMeeting,
    Certificate,
    Event,
    Lecturer,
    LessonRequest,
    PartyMember,
    PartyOrganization,
    ServiceRecord,
    Volunteer,
    VolunteerOrganization,
)


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(ScopedAdmin):
    list_display = ("name", "kind", "place", "secretary")
    list_filter = ("kind",)
    fields = ("place", "kind", "name", "secretary")
    list_select_related = ("place",)

    def get_readonly_fields(self, request, obj=None):
        return ("place",) if obj else ()

    def create(self, request, data):
        return services.party_org_create(actor=request.user, **fields_of(data, "place", "kind", "name", "secretary"))

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


@admin.register(VolunteerOrganization)
class VolunteerOrganizationAdmin(ScopedAdmin):
    list_display = ("name", "place", "contact_name", "phone")
    fields = ("place", "name", "contact_name", "phone", "description", "founded_on")
    list_select_related = ("place",)

    def get_readonly_fields(self, request, obj=None):
        return ("place",) if obj else ()

    def create(self, request, data):
        return services.volunteer_org_create(
            actor=request.user, **fields_of(data, "place", "name", "contact_name", "phone", "description", "founded_on"))

    def update(self, request, obj, data):
        return services.volunteer_org_update(
            actor=request.user, organization=obj,
            **fields_of(data, "name", "contact_name", "phone", "description", "founded_on"))


_EVENT_ADMIN_FIELDS = ("kind", "title", "topic", "starts_at", "ends_at", "address", "speakers", "stream_url",
                       "planned_audience")


@admin.register(Event)
class EventAdmin(ScopedAdmin):
    """Events as records (drafts made here; publishing and reports on the events' own pages)."""

    list_display = ("title", "kind", "venue", "starts_at", "status")
    list_filter = ("kind", "status")
    fields = ("venue", *_EVENT_ADMIN_FIELDS)
    list_select_related = ("venue",)

    def get_readonly_fields(self, request, obj=None):
        return ("venue",) if obj else ()

    def create(self, request, data):
        return services.event_create(actor=request.user, **fields_of(data, "venue", *_EVENT_ADMIN_FIELDS))

    def update(self, request, obj, data):
        return services.event_update(actor=request.user, event=obj, **fields_of(data, *_EVENT_ADMIN_FIELDS))


@admin.register(Volunteer)
class VolunteerAdmin(ScopedAdmin):
    """Real-name volunteers (registered and renamed through the services; the mobile only where the gate allows)."""

    list_display = ("name", "home", "mobile", "registered_on")
    search_fields = ("name", "mobile")
    fields = ("home", "name", "mobile", "registered_on")
    list_select_related = ("home",)

    def get_readonly_fields(self, request, obj=None):
        return ("home", "registered_on") if obj else ()

    def create(self, request, data):
        return services.volunteer_register(actor=request.user,
                                           **fields_of(data, "home", "name", "mobile", "registered_on"))

    def update(self, request, obj, data):
        return services.volunteer_update(actor=request.user, volunteer=obj, **fields_of(data, "name", "mobile"))


@admin.register(ServiceRecord)
class ServiceRecordAdmin(ReadOnlyScopedAdmin):
    """Volunteer hours (服务时长 and 荣誉时长 apart), read-only: countersigned on the event's attendance page."""

    list_display = ("volunteer", "organization", "event", "kind", "status", "minutes", "checked_in_at")
    list_filter = ("kind", "status")
    search_fields = ("volunteer__name",)
    list_select_related = ("volunteer", "organization", "event")
    exclude = ("device", "version")
    show_full_result_count = False


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyScopedAdmin):
    """Certificates, read-only: issued and revoked through the certificates' pages (谁记录谁证明)."""

    list_display = ("number", "volunteer", "organization", "service_minutes", "honour_minutes", "issued_at",
                    "revoked_at")
    search_fields = ("number",)
    list_select_related = ("volunteer", "organization")
    exclude = ("token", "records", "version")


@admin.register(BranchMeeting)
class BranchMeetingAdmin(ReadOnlyScopedAdmin):
    """三会一课 and 主题党日, read-only: the rows come from the schedule, the record (minutes, attendance) is taken
    on the meeting's page, where the attendance is chosen among the organisation's members."""

    list_display = ("organization", "kind", "period", "due_on", "held_on")
    list_filter = ("kind",)
    list_select_related = ("organization",)
    exclude = ("version",)


_LECTURER_ADMIN_FIELDS = ("name", "mobile", "kind", "unit", "active")


@admin.register(Lecturer)
class LecturerAdmin(ScopedAdmin):
    """The lecturers' pool (宣讲团); topics are added and reviewed on the pool's pages."""

    list_display = ("name", "home", "kind", "unit", "mobile", "active")
    list_filter = ("kind", "active")
    search_fields = ("name",)
    fields = ("home", *_LECTURER_ADMIN_FIELDS)
    list_select_related = ("home",)

    def get_readonly_fields(self, request, obj=None):
        return ("home",) if obj else ()

    def create(self, request, data):
        return services.lecturer_create(actor=request.user,
                                        **fields_of(data, "home", "name", "mobile", "kind", "unit"))

    def update(self, request, obj, data):
        return services.lecturer_update(actor=request.user, lecturer=obj, **fields_of(data, *_LECTURER_ADMIN_FIELDS))


@admin.register(LessonRequest)
class LessonRequestAdmin(ScopedAdmin):
    """Lesson requests (点单): an official enters one here; the loop (派单, 接单, 评单) runs on the pool's pages, so a
    request is not changed here."""

    list_display = ("community", "requester_name", "requester_mobile", "topic_wish", "status", "requested_at")
    list_filter = ("status", "source")
    search_fields = ("requester_name", "topic_wish")
    fields = ("community", "requester_name", "requester_mobile", "topic_wish", "preferred_from", "preferred_until",
              "expected_audience")
    list_select_related = ("community",)

    def has_change_permission(self, request, obj=None):
        return False

    def create(self, request, data):
        return services.lesson_request_create(actor=request.user, **fields_of(
            data, "community", "requester_name", "requester_mobile", "topic_wish", "preferred_from",
            "preferred_until", "expected_audience"))
