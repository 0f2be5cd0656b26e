"""REST API (/api/v1/) of the monthly bulletins (月通报), the quarterly rankings (季排名), today's figures of a measure,
and objections (申诉).

Everything starts from the scope gate: a bulletin is read by the units at, below and named in it
(`Bulletin.objects.visible_to`), its detail leaves out the figures of measures the reader may not see (the covert
spot checks, `reading.snapshot_for`), and the rows behind a figure pass the gate of their own model (a department
reads only its department's cases, a street only its street's). Filing an objection and deciding one call
bulletins/services.py, which checks the line and the role.
"""

from __future__ import annotations

import datetime
import uuid

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from grids.models import Department, Place
from wudu import measures, scope
from wudu.api import ERRORS, IDEMPOTENCY_KEY, ApiViewSet, GatedIdField, ScopedViewSet
from wudu.filters import IdFilter
from wudu.measures import Period
from wudu.pagination import KeysetPagination

from . import reading, selectors, services
from .models import Bulletin, Kind, Objection, ObjectionStatus, Stage


class NewestFirst(KeysetPagination):
    ordering = "-id"


def _period_validator(value: str) -> None:
    try:
        Period.parse(value)
    except ValueError as error:
        raise DjangoValidationError(str(error), code="invalid") from None


# ---------------------------------------------------------------------------------------------- bulletins


class BulletinFilter(django_filters.FilterSet):
    place = django_filters.CharFilter(field_name="place__code", label=gettext_lazy("地点的统一编号"))
    period = django_filters.CharFilter(method="in_period", validators=[_period_validator],
                                       label=gettext_lazy("期间：2026-10（月）或 2026-Q3（季度）"))
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=gettext_lazy("状态"))

    class Meta:
        model = Bulletin
        fields = ["place", "period", "stage"]

    def in_period(self, queryset, name, value):
        return queryset.filter(period=Period.parse(value).key)


class BulletinSerializer(serializers.ModelSerializer):
    # Text, not an enum: each endpoint lists one kind (and an enum named "kind" would collide with the cases').
    kind = serializers.CharField(read_only=True, help_text="bulletin (月通报) or ranking (季排名).")
    place = serializers.CharField(source="place.code", read_only=True, help_text="Unified code of the place.")
    place_name = serializers.CharField(source="place.name", read_only=True)
    place_level = serializers.CharField(source="place.level", read_only=True)
    period_label = serializers.SerializerMethodField()

    class Meta:
        model = Bulletin
        fields = ["id", "kind", "place", "place_name", "place_level", "period", "period_label", "version", "stage",
                  "built_at", "objection_until", "published_at", "rows_counted", "reason"]
        read_only_fields = fields

    def get_period_label(self, bulletin) -> str:
        return Period.parse(bulletin.period).label


class VersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Bulletin
        fields = ["id", "version", "stage", "built_at", "published_at", "reason"]
        read_only_fields = fields


@extend_schema_field({
    "type": "object", "additionalProperties": True,
    "description": "The figures as built (bulletins/services.py `_snapshot`): period, place, built_at, measures, "
                   "rules, total {measure: [n, d]}, lines and departments (figures, volume, state, score with its "
                   "interval, rank, band, flags, previous), groups, red, black, narrative. Measures the reader may "
                   "not see are left out.",
})
class SnapshotField(serializers.Field):
    def to_representation(self, bulletin):
        return reading.snapshot_for(self.context["request"].user, bulletin)


class BulletinDetailSerializer(BulletinSerializer):
    scheme = serializers.CharField(source="scheme.name", default="", read_only=True)
    snapshot = SnapshotField(source="*", read_only=True)
    versions = serializers.SerializerMethodField(help_text="Every version of this bulletin, newest first.")

    class Meta(BulletinSerializer.Meta):
        fields = [*BulletinSerializer.Meta.fields, "scheme", "exclusions", "snapshot", "versions"]
        read_only_fields = fields

    @extend_schema_field(VersionSerializer(many=True))
    def get_versions(self, bulletin):
        return VersionSerializer(selectors.versions(bulletin), many=True).data


def _plain(value):
    """A drill-down cell as JSON: local times, dates as ISO text, lazy labels as text."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Promise):
        return str(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


class RowsQuery(serializers.Serializer):
    measure = serializers.CharField(help_text="The measure's code (see /api/v1/measures/).")
    unit = serializers.CharField(required=False, default="", allow_blank=True,
                                 help_text="The line: a place's unified code or d<department id>; default the "
                                           "bulletin's own place (its total).")
    part = serializers.ChoiceField(choices=[("n", "numerator"), ("d", "denominator")], default="d",
                                   help_text="n: the rows of the numerator; d: every row counted (the denominator).")
    today = serializers.ChoiceField(choices=[("0", "as published"), ("1", "as of today")], default="0",
                                    help_text="0: the rows the snapshot counted; 1: the same conditions on today's data.")
    cursor = serializers.CharField(required=False, default="", allow_blank=True,
                                   help_text="The `next` cursor of the previous page.")

    def validate_measure(self, code):
        try:
            return measures.get(code).code
        except LookupError as error:
            raise serializers.ValidationError(str(error)) from None


class RowsColumn(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class RowsRow(serializers.Serializer):
    id = serializers.IntegerField()
    cells = serializers.DictField(help_text="Column key → value (times in Asia/Shanghai, ISO 8601).")


class RowsAnswer(serializers.Serializer):
    bulletin = serializers.IntegerField()
    measure = serializers.CharField()
    measure_label = serializers.CharField()
    unit = serializers.CharField()
    unit_label = serializers.CharField()
    part = serializers.CharField()
    today = serializers.BooleanField()
    figure = serializers.ListField(child=serializers.IntegerField(), help_text="[numerator, denominator] as published.")
    columns = RowsColumn(many=True)
    results = RowsRow(many=True)
    next = serializers.URLField(allow_null=True)


class BulletinViewSet(mixins.ListModelMixin, ApiViewSet):
    """Monthly bulletins (月通报) of the district, its streets and communities, every version. A bulletin is read by
    the units at, below and named in it; its figures of measures the reader may not see are left out."""

    scope_model = Bulletin
    kind = Kind.BULLETIN
    filterset_class = BulletinFilter
    pagination_class = NewestFirst
    http_method_names = ["get", "head", "options"]
    list_output = BulletinSerializer
    detail_output = BulletinDetailSerializer

    def filter_queryset_extra(self, queryset):
        queryset = queryset.filter(kind=self.kind).select_related("place")
        if self.action == "list":
            return queryset.defer("snapshot", "exclusions", "place__boundary")
        return queryset.select_related("scheme").defer("place__boundary")

    def answer(self, obj, status_code: int = status.HTTP_200_OK) -> Response:
        # `version` here is the bulletin's edition, not an edit counter: no ETag.
        return Response(self.get_serializer(obj).data, status=status_code)

    @extend_schema(parameters=[RowsQuery], responses={200: RowsAnswer, 400: ERRORS[400], 404: ERRORS[404]},
                   filters=False)
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def rows(self, request, pk=None):
        """The rows behind one figure (drill-down): its numerator's or denominator's, as published or as of today,
        50 a page, keyset. Rows pass the reader's gate: a department sees only its own department's cases."""
        bulletin = self.get_object()
        query = RowsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data
        try:
            drill = selectors.drill(request.user, bulletin, measure_code=wanted["measure"],
                                    unit=wanted["unit"] or bulletin.place.code, numerator=wanted["part"] == "n",
                                    today=wanted["today"] == "1", after=wanted["cursor"])
        except LookupError as error:
            raise exceptions.NotFound(str(error)) from None
        url = request.build_absolute_uri()
        return Response({
            "bulletin": bulletin.pk, "measure": drill.measure.code, "measure_label": str(drill.measure.label),
            "unit": drill.unit, "unit_label": drill.label, "part": wanted["part"], "today": drill.today,
            "figure": list(drill.figure),
            "columns": [{"key": path, "label": str(label)} for label, path in drill.columns],
            "results": [{"id": row.pk, "cells": {path: _plain(selectors.cell(row, path)) for _label, path in
                                                 drill.columns}} for row in drill.rows],
            "next": replace_query_param(url, "cursor", drill.next_cursor) if drill.next_cursor else None,
        })


class RankingViewSet(BulletinViewSet):
    """Quarterly rankings (季排名): weighted scores with their intervals, peer groups, bands and the change since
    last quarter. Read and drilled down as bulletins are."""

    kind = Kind.RANKING


# ---------------------------------------------------------------------------------------------- measures


class MeasureDefinition(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    section = serializers.CharField()
    definition = serializers.CharField()
    higher_is_better = serializers.BooleanField()


class FigureOfPlace(serializers.Serializer):
    place = serializers.CharField()
    name = serializers.CharField()
    figure = serializers.ListField(child=serializers.IntegerField(), help_text="[numerator, denominator]")


class LiveFigures(serializers.Serializer):
    place = serializers.CharField()
    period = serializers.CharField()
    measure = serializers.CharField()
    label = serializers.CharField()
    total = serializers.ListField(child=serializers.IntegerField(), help_text="[numerator, denominator]")
    children = FigureOfPlace(many=True)


class MeasureQuery(serializers.Serializer):
    place = serializers.CharField(required=False, default="", allow_blank=True,
                                  help_text="Unified code of a place the user sees (required with `measure`).")
    period = serializers.CharField(required=False, default="", allow_blank=True,
                                   help_text="2026-10 (a month) or 2026-Q3 (a quarter), not in the future "
                                             "(required with `measure`).")
    measure = serializers.CharField(required=False, default="", allow_blank=True,
                                    help_text="A measure's code; without it, the list of measure definitions.")

    def validate_measure(self, code):
        if not code:
            return None
        try:
            return measures.get(code)
        except LookupError as error:
            raise serializers.ValidationError(str(error)) from None

    def validate_period(self, text):
        if not text:
            return None
        try:
            period = Period.parse(text)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None
        if period.start > timezone.localdate():
            raise serializers.ValidationError(_("%(period)s还未开始，没有数据。") % {"period": period.label})
        return period

    def validate(self, data):
        if data["measure"] is not None:
            missing = {name: [_("查询指标时须指定此项。")] for name in ("place", "period") if not data[name]}
            if missing:
                raise serializers.ValidationError(missing)
        return data


MEASURE_ANSWER = PolymorphicProxySerializer(
    component_name="MeasureAnswer", resource_type_field_name=None,
    serializers=[MeasureDefinition(many=True), LiveFigures], many=False,
)


class MeasureViewSet(ScopedViewSet):
    """Measures (指标). With `measure`, `place` and `period`: today's figures of the measure for the place and
    each of its children, counted from the rows the user may see. Without `measure`: the definitions."""

    scope_model = Place  # the place asked about is looked up through the gate
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None
    filter_backends = []
    http_method_names = ["get", "head", "options"]

    @extend_schema(parameters=[MeasureQuery], responses={200: MEASURE_ANSWER, 400: ERRORS[400], 404: ERRORS[404]})
    def list(self, request):
        query = MeasureQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data
        if wanted["measure"] is None:
            return Response(MeasureDefinition(self.definitions(), many=True).data)
        place = self.get_queryset().filter(code=wanted["place"]).defer("boundary").first()
        if place is None:
            raise exceptions.NotFound(_("地点不存在或无权访问。"))
        try:
            figures = selectors.live_measure(request.user, place=place, period=wanted["period"],
                                             measure_code=wanted["measure"].code)
        except LookupError as error:
            raise exceptions.NotFound(str(error)) from None
        return Response(LiveFigures(figures).data)

    def definitions(self) -> list[dict]:
        user = self.request.user
        # The covert spot checks are defined for those who read them: the levels above the grid.
        covert = user.is_superuser or scope.has_role(user, *selectors.SPOT_CHECK_READERS)
        return [{"code": m.code, "label": str(m.label), "section": m.section, "definition": str(m.definition),
                 "higher_is_better": m.higher_is_better}
                for m in measures.all_measures() if covert or not m.above_grid_only]


# ---------------------------------------------------------------------------------------------- objections


class ObjectionFilter(django_filters.FilterSet):
    bulletin = IdFilter(field_name="bulletin_id", label=gettext_lazy("通报"))
    status = django_filters.ChoiceFilter(choices=ObjectionStatus.choices, label=gettext_lazy("处理结果"))

    class Meta:
        model = Objection
        fields = ["bulletin", "status"]


class ObjectionSerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="place.code", default=None, read_only=True,
                                  help_text="Unified code of the place whose line is contested (or null).")
    place_name = serializers.CharField(source="place.name", default="", read_only=True)
    department_name = serializers.CharField(source="department.name", default="", read_only=True)
    line = serializers.CharField(source="line_label", read_only=True)
    filed_by = serializers.CharField(source="filed_by.display_name", read_only=True)
    decided_by = serializers.CharField(source="decided_by.display_name", default="", read_only=True)

    class Meta:
        model = Objection
        fields = ["id", "bulletin", "place", "place_name", "department", "department_name", "line", "measure",
                  "case_reference", "reason", "evidence", "filed_by", "filed_role", "filed_at", "status", "decision",
                  "decided_by", "decided_at", "excluded_case_id"]
        read_only_fields = fields


class ObjectionCreateInput(serializers.Serializer):
    bulletin = GatedIdField(queryset=Bulletin.objects.all(), missing=gettext_lazy("通报不存在或无权访问。"))
    # Not gated: the line is one of the bulletin's (which the user reads, names and figures); the service answers
    # 403 for a line that is not the user's own, the same for every other line.
    place = serializers.SlugRelatedField(
        slug_field="code", queryset=Place.objects.all(), required=False, allow_null=True, default=None,
        error_messages={"does_not_exist": gettext_lazy("该单位不在本通报中。")},
        help_text="The contested line: a place's unified code (or `department`).")
    department = GatedIdField(queryset=Department.objects.all(), missing=gettext_lazy("部门不存在。"), required=False,
                              allow_null=True, default=None, help_text="The contested line of a department.")
    measure = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)
    case_reference = serializers.CharField(max_length=20, required=False, default="", allow_blank=True,
                                           help_text="受理编号 of a case that should not have been counted.")
    # Length and presence are the service's rules (one message on every surface).
    reason = serializers.CharField(required=False, default="", allow_blank=True)
    evidence = serializers.CharField(required=False, default="", allow_blank=True)


class DecideInput(serializers.Serializer):
    accept = serializers.BooleanField(help_text="true: 采纳; false: 不采纳.")
    decision = serializers.CharField(required=False, default="", allow_blank=True, help_text="处理意见 (required).")
    exclude_case = serializers.BooleanField(required=False, default=False,
                                            help_text="With accept: take the named case out of the draft, which "
                                                      "is rebuilt at once.")


class ObjectionViewSet(mixins.ListModelMixin, ApiViewSet):
    """Objections (申诉) to a draft bulletin or ranking: read with their bulletin; filed by the unit of the line
    within the window; decided by the command center."""

    scope_model = Objection
    filterset_class = ObjectionFilter
    pagination_class = NewestFirst
    http_method_names = ["get", "head", "options", "post"]
    list_output = detail_output = ObjectionSerializer
    create_input = ObjectionCreateInput

    def filter_queryset_extra(self, queryset):
        return queryset.select_related("place", "department", "filed_by", "decided_by").defer("place__boundary")

    @extend_schema(request=ObjectionCreateInput, parameters=[IDEMPOTENCY_KEY],
                   responses={201: ObjectionSerializer, 400: ERRORS[400], 403: ERRORS[403]})
    def create(self, request, *args, **kwargs):
        serializer = ObjectionCreateInput(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        # Without a key a retry cannot be recognised: each request files its own.
        key = request.headers.get("Idempotency-Key") or str(uuid.uuid4())
        objection = services.objection_file(actor=request.user, key=key, **serializer.validated_data)
        self.action = "retrieve"
        return self.answer(self.get_queryset().get(pk=objection.pk), status.HTTP_201_CREATED)

    @extend_schema(request=DecideInput, responses={
        200: ObjectionSerializer, 400: ERRORS[400], 403: ERRORS[403], 404: ERRORS[404],
        409: OpenApiResponse(OpenApiTypes.OBJECT, description="Already decided by someone else: reload.")})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The command center accepts (采纳) or rejects (不采纳) an objection with its reason."""
        objection = self.get_object()  # visible but not the command center's: 403
        serializer = DecideInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.objection_decide(actor=request.user, objection=objection, **serializer.validated_data)
        return self.answer(self.get_queryset().get(pk=objection.pk))


def register_routes(router) -> None:
    """The bulletin endpoints under /api/v1/ (basenames are fixed)."""
    router.register("bulletins", BulletinViewSet, basename="bulletin")
    router.register("rankings", RankingViewSet, basename="ranking")
    router.register("measures", MeasureViewSet, basename="measure")
    router.register("objections", ObjectionViewSet, basename="objection")

