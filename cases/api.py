"""REST API (/api/v1/) of the case loop: cases with every step of the loop as an action, case categories, and
the user's own notifications.

Reads start from the scope gate (`wudu.api.ApiViewSet`); creating and every step call cases/services.py, which
checks the role for the step and the case's version. A step needs the `version` the client read (body or
If-Match); a stale one answers 409. An Idempotency-Key header makes a retried create or step answer what the
first one did.
"""

from __future__ import annotations

import django_filters
from django import forms as django_forms
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from grids.models import Department, Place
from wudu import rules, scope
from wudu.access_log import record_personal_read
from wudu.api import (
    ERRORS,
    IDEMPOTENCY_KEY,
    IF_MATCH,
    LEAN_RENDERERS,
    ApiViewSet,
    GatedIdField,
    ServiceSchema,
    if_match_version,
)
from wudu.filters import MAX_ID, IdFilter
from wudu.pagination import KeysetPagination

from . import selectors, services, workflow
from .models import (
    Alert,
    Case,
    CaseCategory,
    CaseEvent,
    CasePhoto,
    Evaluation,
    Kind,
    Level,
    LimitUnit,
    Notification,
    Source,
    Status,
)


class NewestFirst(KeysetPagination):
    ordering = "-id"


# ---------------------------------------------------------------------------------------------- categories


class CategorySerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.name", default="", read_only=True)
    limit_unit = serializers.ChoiceField(choices=LimitUnit.choices, read_only=True)

    class Meta:
        model = CaseCategory
        fields = ["id", "code", "name", "description", "department", "time_limit", "limit_unit", "public", "active"]
        read_only_fields = fields


class CategoryViewSet(mixins.ListModelMixin, ApiViewSet):
    """Case categories (事件类别): the responsible department and the time limit of each (read-only here; the
    admin configures them)."""

    scope_model = CaseCategory
    pagination_class = NewestFirst
    http_method_names = ["get", "head", "options"]
    list_output = detail_output = CategorySerializer

    def filter_queryset_extra(self, queryset):
        return queryset.select_related("department")


# ---------------------------------------------------------------------------------------------- cases


def _search_text(value: str) -> None:
    if value.strip() and selectors.Search.parse(value) is None:
        raise django_forms.ValidationError(
            _("查找内容至少 %(n)d 个字（受理编号、完整的手机号或问题描述、地址中的词）。") % {"n": selectors.KEYWORD_MIN},
            code="too_short")


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", max_length=100, validators=[_search_text],
        help_text="A reference (13 digits), a resident's whole mobile (11 digits; the cases whose mobile the user "
                  "reads anyway) or words of the description or the address (each word, at least 2 characters in "
                  "all): the same search as the pages'.")
    place = django_filters.CharFilter(method="in_place", help_text="Unified code: the place and everything below.")
    status = django_filters.ChoiceFilter(choices=Status.choices)
    category = django_filters.CharFilter(field_name="category__code")
    source = django_filters.ChoiceFilter(choices=Source.choices)
    kind = django_filters.ChoiceFilter(choices=Kind.choices)
    alert = django_filters.ChoiceFilter(choices=[c for c in Alert.choices if c[0]])
    supervised = django_filters.BooleanFilter()
    department = IdFilter(field_name="department_id")

    class Meta:
        model = Case
        fields = ["q", "place", "status", "category", "source", "kind", "alert", "supervised", "department"]

    def search(self, queryset, name, value):
        search = selectors.Search.parse(value)
        if search is None:
            return queryset
        if search.by == "mobile":  # a resident's cases found by their number: a read of personal data, as on the page
            record_personal_read(self.request, "cases.Case:mobile-search")
        return selectors.matching(queryset, search)

    def in_place(self, queryset, name, value):
        return scope.narrow_to_place(queryset, "case", value)


class CasePhotoSerializer(serializers.ModelSerializer):
    class Meta:
        model = CasePhoto
        fields = ["image", "thumbnail"]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.display_name", default="", read_only=True)
    department = serializers.CharField(source="department.name", default="", read_only=True)
    photos = CasePhotoSerializer(many=True, read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "action", "from_status", "to_status", "actor", "actor_role", "at", "note", "department",
                  "deadline", "data", "photos"]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    grid = serializers.CharField(source="grid.code", read_only=True, help_text="Unified code of the grid.")
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    department_name = serializers.CharField(source="department.name", default="", read_only=True)

    class Meta:
        model = Case
        fields = ["id", "reference", "kind", "source", "level", "status", "category", "category_name", "grid",
                  "grid_name", "lng", "lat", "address", "description", "department", "department_name",
                  "dispatched_at", "deadline", "alert", "supervised", "returns", "reworks", "evaluation",
                  "evaluation_comment", "created_at", "closed_at", "version"]
        read_only_fields = fields


class CaseDetailSerializer(CaseSerializer):
    events = EventSerializer(many=True, read_only=True)
    photos = CasePhotoSerializer(many=True, read_only=True)
    steps = serializers.SerializerMethodField(help_text="The steps the requesting user may take now.")
    resident_name = serializers.CharField(read_only=True)
    resident_mobile = serializers.CharField(read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "resident_name", "resident_mobile", "events", "photos", "steps"]
        read_only_fields = fields

    def get_steps(self, case) -> list[str]:
        return [step.name for step in workflow.available_steps(self.context["request"].user, case)]


class CaseCreateInput(serializers.Serializer):
    source = serializers.ChoiceField(choices=[Source.PATROL, Source.HOTLINE, Source.ASSIGNED], required=False,
                                     help_text="Default: the user's usual way (grid staff: patrol; command center: "
                                               "hotline; officials: assigned).")
    grid = serializers.SlugRelatedField(slug_field="code", queryset=Place.objects.all(),
                                        error_messages={"does_not_exist": "网格不存在或无权访问。"})
    category = GatedIdField(queryset=CaseCategory.objects.all(), missing="事件类别不存在。")
    description = serializers.CharField(max_length=1000)
    level = serializers.ChoiceField(choices=Level.choices, default=Level.CENTER)
    settled_result = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)
    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.ORDINARY)
    address = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    lng = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-180, max_value=180)
    lat = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-90, max_value=90)
    resident_name = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)
    resident_mobile = serializers.CharField(required=False, default="", allow_blank=True,
                                            validators=[rules.resident_mobile_validator])
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                   max_length=rules.MAX_PHOTOS)

    def validate_grid(self, grid):
        if not Place.objects.visible_to(self.context["request"].user).filter(pk=grid.pk).exists():
            raise serializers.ValidationError("网格不存在或无权访问。")
        return grid


# How the API takes each of the step inputs (workflow.INPUTS); a step's row names the ones it needs.
STEP_INPUTS = {
    "department": lambda: serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True, default=None,
        help_text="The department (default: the category's)"),
    "deadline": lambda: serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="An explicit deadline (default: the category's limit)"),
    "days": lambda: serializers.IntegerField(min_value=1, max_value=workflow.MAX_EXTENSION_DAYS, required=False,
                                             allow_null=True, default=None, help_text="Working days (required)"),
    "evaluation": lambda: serializers.ChoiceField(choices=Evaluation.choices, required=False, default="",
                                                  help_text="The resident's verdict, recorded by phone (required)"),
}


class StepInput(serializers.Serializer):
    """What every step takes; `step_input` adds the step's own inputs and photos."""

    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text="The version the client read (or If-Match); required.")
    note = serializers.CharField(max_length=workflow.NOTE_MAX, required=False, default="", allow_blank=True)
    step: workflow.Step | None = None

    def validate(self, data):
        # A field this step does not take (photos on a sign, a department on a return) is refused, not dropped:
        # the client would believe it was kept.
        unknown = sorted(set(getattr(self, "initial_data", None) or ()) - set(self.fields))
        if unknown and self.step is not None:
            raise serializers.ValidationError(
                {name: [_("“%(action)s”不需要此项。") % {"action": self.step.label}] for name in unknown})
        return data


def step_input(step: workflow.Step) -> type[serializers.Serializer]:
    """The API input of one step, built from its row of workflow.STEPS (also what the schema documents)."""
    fields = {name: STEP_INPUTS[name]() for name in step.inputs}
    # Required inputs are checked by the service, so that every surface answers with the same message.
    fields["note"] = serializers.CharField(max_length=step.note_max, required=False, default="", allow_blank=True,
                                           help_text=f"{step.note_label}{' (required)' if step.note_required else ''}")
    if step.photos:
        fields["photos"] = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                                 max_length=rules.MAX_PHOTOS)
    name = "".join(part.title() for part in step.name.split("_")) + "Input"
    return type(name, (StepInput,), {**fields, "step": step})


STEP_SERIALIZERS = {name: step_input(step) for name, step in (*workflow.STEPS.items(), *workflow.CHAINS.items())}


class BatchItem(serializers.Serializer):
    reference = serializers.CharField(max_length=20)
    version = serializers.IntegerField(min_value=1, help_text="The version the client read.")


class DispatchManyInput(serializers.Serializer):
    cases = BatchItem(many=True, allow_empty=False, max_length=services.BATCH_MAX)
    department = STEP_INPUTS["department"]()
    deadline = STEP_INPUTS["deadline"]()
    note = serializers.CharField(max_length=workflow.NOTE_MAX, required=False, default="", allow_blank=True)


class OutcomeSerializer(serializers.Serializer):
    reference = serializers.CharField()
    ok = serializers.BooleanField()
    status = serializers.CharField(help_text="The case's state after (or, when not ok, as found).")
    error = serializers.CharField(help_text="Why not (empty when ok).")


class DispatchManyOutput(serializers.Serializer):
    results = OutcomeSerializer(many=True)


class CaseSchema(ServiceSchema):
    def get_request_serializer(self):
        if self.view.action == "create":
            return CaseCreateInput
        if self.view.action.startswith("act_"):
            return STEP_SERIALIZERS[self.view.action.removeprefix("act_")]
        return super().get_request_serializer()

    def get_override_parameters(self):
        extra = [IDEMPOTENCY_KEY, IF_MATCH] if self.view.action.startswith("act_") else []
        return [*super().get_override_parameters(), *extra]


# The list's rows: CaseSerializer's fields and schema (its component name too), answered from `.values()` rows as
# plain dicts. Reading and writing 50 rows took 5–6 ms of a 10 ms page as model instances (with their category, grid
# and department) read field by field through DRF, and take about 3 ms so (make bench's case list, in-process).
# (A comment, not a docstring: the schema would show a docstring.)
@extend_schema_serializer(component_name="Case")
class CaseRowSerializer(CaseSerializer):
    # An answer's field → the `.values()` key it is read from, where the two differ.
    SOURCES = {"category": "category__code", "category_name": "category__name", "grid": "grid__code",
               "grid_name": "grid__name", "department_name": "department__name"}
    # Written by DRF's own field (the time zone, the ISO format).
    DATETIMES = ("dispatched_at", "deadline", "created_at", "closed_at")

    @classmethod
    def columns(cls) -> list[str]:
        return [cls.SOURCES.get(name, name) for name in cls.Meta.fields]

    def to_representation(self, row: dict) -> dict:
        out = {name: row[self.SOURCES.get(name, name)] for name in self.Meta.fields}
        out["department_name"] = out["department_name"] or ""  # no department yet: "" (CaseSerializer's default)
        for name in self.DATETIMES:
            if out[name] is not None:
                out[name] = self.fields[name].to_representation(out[name])
        return out


class CaseViewSet(mixins.ListModelMixin, ApiViewSet):
    """Cases (事件) of the closed loop. Each step is an action: POST /cases/{reference}/{step}/."""

    renderer_classes = LEAN_RENDERERS
    scope_model = Case

    def reads_personal(self, obj) -> bool:
        return bool(obj.resident_mobile)  # the case's detail shows the resident's mobile unmasked
    schema = CaseSchema()
    lookup_field = "reference"
    filterset_class = CaseFilter
    pagination_class = NewestFirst
    http_method_names = ["get", "head", "options", "post"]
    # Who may take which step is the workflow's table, asked by the service; the gate decides visibility.
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    list_output = CaseRowSerializer
    detail_output = CaseDetailSerializer

    def filter_queryset_extra(self, queryset):
        if self.action == "list":
            return queryset.values(*CaseRowSerializer.columns())
        queryset = queryset.select_related("category", "grid", "department")
        events = CaseEvent.objects.select_related("actor", "department").prefetch_related("photos").order_by("id")
        return queryset.prefetch_related(Prefetch("events", queryset=events), "photos")

    @extend_schema(responses={201: CaseDetailSerializer, 400: ERRORS[400], 403: ERRORS[403]},
                   parameters=[IDEMPOTENCY_KEY])
    def create(self, request, *args, **kwargs):
        serializer = CaseCreateInput(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "source" not in data:
            # The usual way the user's grants allow at this grid; none: the service refuses with the reason.
            at_grid = workflow.entry_sources(request.user, data["grid"]) or workflow.entry_sources(request.user)
            if not at_grid:
                raise PermissionDenied(_("您的角色不能登记事件。"))
            data["source"] = at_grid[0]
        case = services.case_create(actor=request.user, key=request.headers.get("Idempotency-Key") or None, **data)
        self.action = "retrieve"
        return self.answer(self.get_queryset().get(pk=case.pk), status.HTTP_201_CREATED)

    def take_step(self, request, name: str):
        case = self.get_object()
        serializer = STEP_SERIALIZERS[name](data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None) or if_match_version(request)
        if version is None:
            raise serializers.ValidationError({"version": ["请提供读取时的 version（或 If-Match 请求头）。"]})
        services.case_act(actor=request.user, case=case, action=name, version=version,
                          key=request.headers.get("Idempotency-Key") or None, **data)
        return self.answer(self.get_queryset().get(pk=case.pk))


@extend_schema(request=DispatchManyInput, responses={200: DispatchManyOutput}, parameters=[IDEMPOTENCY_KEY],
               summary="派遣所选 (batch dispatch)")
@action(detail=False, methods=["post"], url_path="dispatch-many", url_name="dispatch-many")
def dispatch_many(self, request):
    """Dispatch several cases: one result per case (a reported case is accepted and dispatched). Some may fail
    with their reason while the others succeed; a retry with the same Idempotency-Key takes again only what
    failed."""
    serializer = DispatchManyInput(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    outcomes = services.case_dispatch_many(
        actor=request.user, items=[(item["reference"], item["version"]) for item in data["cases"]],
        department=data["department"], deadline=data["deadline"], note=data["note"],
        key=request.headers.get("Idempotency-Key") or None)
    return Response(DispatchManyOutput({"results": outcomes}).data)


CaseViewSet.dispatch_many = dispatch_many


def _step_action(step: workflow.Step):
    def run(self, request, reference=None):
        return self.take_step(request, step.name)

    # Not the step's bare name: `dispatch` would shadow the view's own dispatch().
    run.__name__ = f"act_{step.name}"
    run.__doc__ = f"{step.label}: allowed to {', '.join(step.roles)}."
    run = action(detail=True, methods=["post"], url_path=step.name.replace("_", "-"),
                 url_name=step.name.replace("_", "-"))(run)
    # After @action, which would drop the schema: the errors (400, 403, 404, 409 …) are ServiceSchema's.
    return extend_schema(request=STEP_SERIALIZERS[step.name], summary=str(step.label),
                         responses={200: CaseDetailSerializer})(run)


for _step in (*workflow.STEPS.values(), *workflow.CHAINS.values()):
    setattr(CaseViewSet, f"act_{_step.name}", _step_action(_step))


# ---------------------------------------------------------------------------------------------- notifications


class NotificationSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.reference", default=None, read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "message", "case", "created_at", "read_at"]
        read_only_fields = fields


class ReadInput(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, allow_null=True, default=None,
                                help_text="Notification ids; none marks all unread ones read.")


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull")

    class Meta:
        model = Notification
        fields = ["unread"]


class NotificationViewSet(mixins.ListModelMixin, ApiViewSet):
    """The requesting user's own notifications (in-app notification centre)."""

    scope_model = Notification
    pagination_class = NewestFirst
    filterset_class = NotificationFilter
    permission_classes = [permissions.IsAuthenticated]
    http_method_names = ["get", "head", "options", "post"]
    list_output = detail_output = NotificationSerializer

    def filter_queryset_extra(self, queryset):
        return queryset.select_related("case")

    @extend_schema(request=ReadInput, responses={200: OpenApiResponse(description="{\"marked\": n}")})
    @action(detail=False, methods=["post"])
    def read(self, request):
        serializer = ReadInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = services.notification_read(actor=request.user, notification_ids=serializer.validated_data["ids"])
        return Response({"marked": marked})


def register_routes(router) -> None:
    """The case endpoints under /api/v1/ (basenames are fixed: the scope matrix reverses them)."""
    router.register("cases", CaseViewSet, basename="case")
    router.register("categories", CategoryViewSet, basename="case-category")
    router.register("notifications", NotificationViewSet, basename="notification")
