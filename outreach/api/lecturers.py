"""REST API (/api/v1/) of the lecturers' pool and its lesson requests.

`/lecturers/`: the pool (list, retrieve, create, update), each lecturer with their topics nested and their figures
(lessons delivered, audience, lead time and rating, each with numerator and denominator); `/lecturers/stats/`: the
delivered lessons per community. `/lesson-requests/`: the queue (list, retrieve, create) and the loop's steps as
POST actions (assign, accept, decline, deliver, cancel), the same services the pages call. A lecturer answering
their own assignment without any grant at the community does it on their page (/outreach/lecturers/mine/): the API
reads through the gate only.
"""

from __future__ import annotations

import django_filters
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from grids.api import PlaceCodeField
from wudu.api import PERSONAL_HELP, ApiViewSet, PersonalFields, ServiceWrites, VersionedInput, if_match_version

from .. import selectors, services
from ..models import (
    AudienceCount,
    Lecturer,
    LecturerKind,
    LecturerTopic,
    LessonRating,
    LessonRequest,
    RequestStatus,
)

# ---------------------------------------------------------------------------------------------- lecturers


def _figure(queryset, aggregate):
    """One figure of a lecturer as a correlated subquery (the list stays one query however long the page)."""
    return Coalesce(Subquery(queryset.order_by().values("group").annotate(v=aggregate).values("v")[:1],
                             output_field=IntegerField()), Value(0))


def with_figures(queryset):
    delivered = LessonRequest.objects.filter(lecturer=OuterRef("pk"), status=RequestStatus.DELIVERED).annotate(
        group=Value(1))
    ratings = LessonRating.objects.filter(request__lecturer=OuterRef("pk"),
                                          request__status=RequestStatus.DELIVERED).annotate(group=Value(1))
    return queryset.annotate(
        f_lessons=_figure(delivered, Count("id")), f_audience=_figure(delivered, Sum("event__actual_audience")),
        f_lead_sum=_figure(delivered, Sum("lead_days")), f_lead_count=_figure(delivered, Count("lead_days")),
        f_rating_sum=_figure(ratings, Sum("score")), f_rating_count=_figure(ratings, Count("id")),
    )


class TopicSerializer(serializers.ModelSerializer):
    reviewed = serializers.BooleanField(source="is_reviewed", read_only=True)

    class Meta:
        model = LecturerTopic
        fields = ["id", "title", "summary", "duration_minutes", "reviewed", "reviewed_at", "active"]
        read_only_fields = fields


class FiguresSerializer(serializers.Serializer):
    lessons = serializers.IntegerField(source="f_lessons")
    audience = serializers.IntegerField(source="f_audience")
    lead_days_sum = serializers.IntegerField(source="f_lead_sum", help_text="Days from request to delivery, summed.")
    lead_days_count = serializers.IntegerField(source="f_lead_count")
    lead_days = serializers.SerializerMethodField(help_text="Mean lead time in days (null without a lesson).")
    rating_sum = serializers.IntegerField(source="f_rating_sum")
    rating_count = serializers.IntegerField(source="f_rating_count")
    rating = serializers.SerializerMethodField(help_text="Mean of every listener's score (null without a rating).")

    def get_lead_days(self, obj) -> float | None:
        return round(obj.f_lead_sum / obj.f_lead_count, 1) if obj.f_lead_count else None

    def get_rating(self, obj) -> float | None:
        return round(obj.f_rating_sum / obj.f_rating_count, 2) if obj.f_rating_count else None


class LecturerSerializer(PersonalFields, serializers.ModelSerializer):
    home = serializers.CharField(source="home.code", read_only=True, help_text="Unified code of the home place.")
    home_name = serializers.CharField(source="home.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    topics = TopicSerializer(many=True, read_only=True)
    figures = FiguresSerializer(source="*", read_only=True)

    class Meta:
        model = Lecturer
        fields = ["id", "home", "home_name", "name", "mobile", "kind", "kind_label", "unit", "active", "topics",
                  "figures", "version"]
        read_only_fields = fields
        extra_kwargs = {"mobile": {"allow_null": True, "help_text": PERSONAL_HELP}}


class LecturerCreateSerializer(serializers.Serializer):
    home = PlaceCodeField(help_text="Unified code of the district, street or community the lecturer belongs to.")
    name = serializers.CharField()
    mobile = serializers.CharField()
    kind = serializers.ChoiceField(choices=LecturerKind.choices)
    unit = serializers.CharField(required=False, allow_blank=True)


class LecturerUpdateSerializer(VersionedInput):
    name = serializers.CharField(required=False)
    mobile = serializers.CharField(required=False)
    kind = serializers.ChoiceField(choices=LecturerKind.choices, required=False)
    unit = serializers.CharField(required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


class LecturerFilter(django_filters.FilterSet):
    under = django_filters.CharFilter(field_name="home__code", lookup_expr="startswith", label=_("统一编号前缀"))
    kind = django_filters.ChoiceFilter(choices=LecturerKind.choices, label=_("身份"))
    active = django_filters.BooleanFilter(label=_("在库"))

    class Meta:
        model = Lecturer
        fields = ["under", "kind", "active"]


class CommunityFiguresSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    lessons = serializers.IntegerField(source="figures.lessons")
    audience = serializers.IntegerField(source="figures.audience")
    lead_days = serializers.FloatField(source="figures.lead_days", allow_null=True)
    rating = serializers.FloatField(source="figures.rating", allow_null=True)
    rating_count = serializers.IntegerField(source="figures.rating_count")


class LecturerViewSet(ServiceWrites, mixins.ListModelMixin, ApiViewSet):
    """The lecturers' pool (宣讲团): each lecturer with their topics and figures. Kept by the officials."""

    scope_model = Lecturer
    personal_read = True
    filterset_class = LecturerFilter
    list_output = detail_output = LecturerSerializer
    create_input, update_input = LecturerCreateSerializer, LecturerUpdateSerializer

    def filter_queryset_extra(self, queryset):
        return with_figures(queryset.select_related("home").defer("home__boundary").prefetch_related("topics"))

    def create_through_service(self, data, idempotency_key):
        lecturer = services.lecturer_create(actor=self.request.user, idempotency_key=idempotency_key, **data)
        return self.get_queryset().get(pk=lecturer.pk)

    def update_through_service(self, lecturer, data, expected_version):
        services.lecturer_update(actor=self.request.user, lecturer=lecturer, expected_version=expected_version, **data)
        return self.get_queryset().get(pk=lecturer.pk)

    @extend_schema(responses={200: CommunityFiguresSerializer(many=True)}, summary="各社区宣讲 (lessons per community)")
    @action(detail=False, methods=["get"], pagination_class=None)
    def stats(self, request):
        """Delivered lessons per community the requester sees: lessons, audience, lead time, rating."""
        return Response(CommunityFiguresSerializer(selectors.lessons_by_community(request.user), many=True).data)


# ---------------------------------------------------------------------------------------------- lesson requests


class LessonRequestSerializer(PersonalFields, serializers.ModelSerializer):
    community = serializers.CharField(source="community.code", read_only=True, help_text="Unified code.")
    community_name = serializers.CharField(source="community.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    lecturer_name = serializers.CharField(source="lecturer.name", read_only=True, allow_null=True)
    topic_title = serializers.CharField(source="topic.title", read_only=True, allow_null=True)
    starts_at = serializers.DateTimeField(source="event.starts_at", read_only=True, allow_null=True)
    audience = serializers.IntegerField(source="event.actual_audience", read_only=True, allow_null=True)

    class Meta:
        model = LessonRequest
        fields = ["id", "community", "community_name", "source", "requester_name", "requester_mobile",
                  "requested_at", "topic_wish", "preferred_from", "preferred_until", "expected_audience", "status",
                  "status_label", "lecturer", "lecturer_name", "topic", "topic_title", "assigned_at", "accepted_at",
                  "decline_reason", "declines", "event", "starts_at", "delivered_at", "audience", "lead_days",
                  "cancel_reason", "version"]
        read_only_fields = fields
        extra_kwargs = {"requester_mobile": {"allow_null": True, "help_text": PERSONAL_HELP}}


class LessonRequestCreateSerializer(serializers.Serializer):
    community = PlaceCodeField(help_text="Unified code of the community.")
    requester_name = serializers.CharField()
    requester_mobile = serializers.CharField()
    topic_wish = serializers.CharField()
    preferred_from = serializers.DateField(required=False, allow_null=True)
    preferred_until = serializers.DateField(required=False, allow_null=True)
    expected_audience = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5000)


class VisibleTopicField(serializers.PrimaryKeyRelatedField):
    """A topic named by its id, among the topics of the lecturers the requester sees (a topic has no gate of its
    own: it is read with its lecturer)."""

    def __init__(self, **kwargs):
        missing = _("课题不存在或无权访问。")
        kwargs.setdefault("error_messages", {"does_not_exist": missing, "incorrect_type": missing})
        super().__init__(queryset=LecturerTopic.objects.all(), **kwargs)

    def get_queryset(self):
        return LecturerTopic.objects.filter(lecturer__in=Lecturer.objects.visible_to(self.context["request"].user))


class LessonAssignInput(VersionedInput):
    topic = VisibleTopicField(help_text="A reviewed topic of an active lecturer; the lecturer is the topic's.")


class LessonAcceptInput(VersionedInput):
    starts_at = serializers.DateTimeField()


class LessonReasonInput(VersionedInput):
    reason = serializers.CharField()


class LessonDeliverInput(VersionedInput):
    audience = serializers.IntegerField(min_value=0, max_value=5000)
    counted_by = serializers.ChoiceField(choices=AudienceCount.choices, default=AudienceCount.HEADCOUNT)
    report = serializers.CharField(required=False, allow_blank=True, default="")


class LessonRequestFilter(django_filters.FilterSet):
    under = django_filters.CharFilter(field_name="community__code", lookup_expr="startswith", label=_("统一编号前缀"))
    status = django_filters.ChoiceFilter(choices=RequestStatus.choices, label=_("状态"))

    class Meta:
        model = LessonRequest
        fields = ["under", "status"]


class LessonRequestViewSet(mixins.ListModelMixin, ApiViewSet):
    """Lesson requests (点单) and the steps of their loop: 派单 (assign), 接单 (accept / decline), delivery, cancel."""

    scope_model = LessonRequest
    filterset_class = LessonRequestFilter
    list_output = detail_output = LessonRequestSerializer
    http_method_names = ["get", "head", "options", "post"]

    def filter_queryset_extra(self, queryset):
        return queryset.select_related("community", "lecturer", "topic", "event").defer("community__boundary")

    @extend_schema(request=LessonRequestCreateSerializer, responses={201: LessonRequestSerializer})
    def create(self, request, *args, **kwargs):
        serializer = LessonRequestCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        lesson = services.lesson_request_create(actor=request.user, **serializer.validated_data,
                                                idempotency_key=request.headers.get("Idempotency-Key") or None)
        return self.answer(self.get_queryset().get(pk=lesson.pk), 201)

    def _step(self, request, input_class, call):
        lesson = self.get_object()
        serializer = input_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None) or if_match_version(request)
        call(lesson, data, version)
        return self.answer(self.get_queryset().get(pk=lesson.pk))

    @extend_schema(request=LessonAssignInput, responses={200: LessonRequestSerializer}, summary="派单")
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        return self._step(request, LessonAssignInput, lambda lesson, d, v: services.lesson_request_assign(
            actor=request.user, request=lesson, lecturer=d["topic"].lecturer, topic=d["topic"], expected_version=v))

    @extend_schema(request=LessonAcceptInput, responses={200: LessonRequestSerializer}, summary="接单")
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._step(request, LessonAcceptInput, lambda lesson, d, v: services.lesson_request_accept(
            actor=request.user, request=lesson, starts_at=d["starts_at"], expected_version=v))

    @extend_schema(request=LessonReasonInput, responses={200: LessonRequestSerializer}, summary="谢绝")
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._step(request, LessonReasonInput, lambda lesson, d, v: services.lesson_request_decline(
            actor=request.user, request=lesson, reason=d["reason"], expected_version=v))

    @extend_schema(request=LessonDeliverInput, responses={200: LessonRequestSerializer}, summary="登记宣讲")
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        return self._step(request, LessonDeliverInput, lambda lesson, d, v: services.lesson_request_deliver(
            actor=request.user, request=lesson, audience=d["audience"], counted_by=d["counted_by"],
            report=d["report"], expected_version=v))

    @extend_schema(request=LessonReasonInput, responses={200: LessonRequestSerializer}, summary="取消")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._step(request, LessonReasonInput, lambda lesson, d, v: services.lesson_request_cancel(
            actor=request.user, request=lesson, reason=d["reason"], expected_version=v))


def register_routes(router) -> None:
    router.register("lecturers", LecturerViewSet, basename="lecturer")
    router.register("lesson-requests", LessonRequestViewSet, basename="lesson-request")
