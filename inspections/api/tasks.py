"""The tasks area's API: /api/v1/rectifications/ (basename `rectification`). Lists and details through the gate;
create is 交办 (services.tasks.task_assign); every other step is POST /rectifications/{id}/steps/ with
{action, note, version, …}, reading the same workflow table as the pages (inspections.workflow.STEPS). An
Idempotency-Key header makes a retried assign or step answer what the first one did."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from grids.models import Department, Place, User
from wudu.api import ERRORS, IDEMPOTENCY_KEY, IF_MATCH, ApiViewSet, GatedIdField, ServiceSchema, if_match_version
from wudu.filters import IdFilter
from wudu.pagination import KeysetPagination

from .. import workflow
from ..models import Finding, Notice, Rectification, TaskStatus, TaskStep
from ..services import tasks as services
from .ladder import TaskNoticeSerializer


class ByDeadline(KeysetPagination):
    ordering = ("deadline", "id")


class StepSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.real_name", default="", read_only=True)

    class Meta:
        model = TaskStep
        fields = ["id", "action", "from_status", "to_status", "actor", "actor_role", "at", "note", "data"]


class RectificationSerializer(serializers.ModelSerializer):
    owner = serializers.SerializerMethodField()
    responsible_name = serializers.CharField(source="responsible.real_name", read_only=True)

    class Meta:
        model = Rectification
        fields = ["id", "finding", "measure", "owner_place", "owner_department", "owner", "responsible",
                  "responsible_name", "deadline", "final_deadline", "status", "ladder", "ticked_off_at",
                  "reopen_count", "version"]

    def get_owner(self, task) -> str:
        return str(task.owner)


class RectificationDetailSerializer(RectificationSerializer):
    steps = StepSerializer(many=True, read_only=True)
    available_steps = serializers.SerializerMethodField()
    notices = TaskNoticeSerializer(many=True, read_only=True,
                                   help_text="The ladder's documents issued on the task (/rectification-notices/).")

    class Meta(RectificationSerializer.Meta):
        fields = [*RectificationSerializer.Meta.fields, "steps", "available_steps", "notices"]

    def get_available_steps(self, task) -> list[str]:
        return [step.name for step in workflow.available_steps(self.context["request"].user, task)]


class AssignInput(serializers.Serializer):
    finding = GatedIdField(queryset=Finding.objects.all(), missing=_l("巡察问题不存在。"))
    measure = serializers.CharField(max_length=300)
    owner_place = serializers.PrimaryKeyRelatedField(queryset=Place.objects.all(), required=False, allow_null=True)
    owner_department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False,
                                                          allow_null=True)
    responsible = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    deadline = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=workflow.NOTE_MAX, required=False, allow_blank=True)


class StepInput(serializers.Serializer):
    """A step of the workflow table: its `action` and what its row asks for (owner and responsible for reassign, a
    deadline for reassign and extend; evidence for progress: a resident to ask; files through the pages)."""

    action = serializers.ChoiceField(choices=list(workflow.TAKEN))
    note = serializers.CharField(max_length=workflow.NOTE_MAX, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, min_value=1)
    owner_place = serializers.PrimaryKeyRelatedField(queryset=Place.objects.all(), required=False, allow_null=True)
    owner_department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False,
                                                          allow_null=True)
    responsible = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    deadline = serializers.DateField(required=False, allow_null=True)
    resident_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    resident_mobile = serializers.CharField(max_length=11, required=False, allow_blank=True)

    INPUT_FIELDS = {"owner": ("owner_place", "owner_department", "responsible"), "deadline": ("deadline",),
                    "evidence": ("resident_name", "resident_mobile")}

    def validate(self, data):
        step = workflow.STEPS[data["action"]]
        allowed = {name for key in step.inputs for name in self.INPUT_FIELDS.get(key, ())}
        foreign = [name for name in data if name not in ("action", "note", "version") and name not in allowed]
        if foreign:
            raise serializers.ValidationError({name: [_("“%(action)s”不需要填写此项。") % {"action": step.label}]
                                               for name in foreign})
        return data


class RectificationFilter(django_filters.FilterSet):
    round = IdFilter(field_name="finding__round_id")
    finding = IdFilter(field_name="finding_id")
    status = django_filters.ChoiceFilter(choices=TaskStatus.choices)
    owner_place = IdFilter(field_name="owner_place_id")
    owner_department = IdFilter(field_name="owner_department_id")

    class Meta:
        model = Rectification
        fields = ["round", "finding", "status", "owner_place", "owner_department"]


class RectificationSchema(ServiceSchema):
    def get_request_serializer(self):
        if self.view.action == "create":
            return AssignInput
        if self.view.action == "steps":
            return StepInput
        return super().get_request_serializer()

    def get_override_parameters(self):
        extra = [IDEMPOTENCY_KEY, IF_MATCH] if self.view.action == "steps" else []
        return [*super().get_override_parameters(), *extra]


class RectificationViewSet(mixins.ListModelMixin, ApiViewSet):
    """Rectification tasks (整改任务): 交办 by POST; each later step by POST /rectifications/{id}/steps/."""

    scope_model = Rectification
    schema = RectificationSchema()
    filterset_class = RectificationFilter
    pagination_class = ByDeadline
    http_method_names = ["get", "head", "options", "post"]
    # Who may take which step is the workflow's table, asked by the service; the gate decides visibility.
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    list_output = RectificationSerializer
    detail_output = RectificationDetailSerializer

    def filter_queryset_extra(self, queryset):
        queryset = queryset.select_related("owner_place", "owner_department", "responsible")
        if self.action == "list":
            return queryset
        return queryset.select_related("finding", "finding__place", "finding__team").prefetch_related(
            "steps__actor", Prefetch("notices", queryset=Notice.objects.order_by("issued_at", "id")))

    @extend_schema(responses={201: RectificationDetailSerializer, 400: ERRORS[400], 403: ERRORS[403]},
                   parameters=[IDEMPOTENCY_KEY])
    def create(self, request, *args, **kwargs):
        serializer = AssignInput(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        task = services.task_assign(actor=request.user, idempotency_key=request.headers.get("Idempotency-Key") or None,
                                    **data)
        self.action = "retrieve"
        return self.answer(self.get_queryset().get(pk=task.pk), status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def steps(self, request, pk=None):
        task = self.get_object()
        serializer = StepInput(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        name = data.pop("action")
        version = data.pop("version", None) or if_match_version(request)
        if version is None:
            raise serializers.ValidationError({"version": [_("请提供读取时的 version（或 If-Match 请求头）。")]})
        common = dict(actor=request.user, task=task, version=version, note=data.pop("note", ""),
                      idempotency_key=request.headers.get("Idempotency-Key") or None)
        if name == "progress":
            resident = None
            if data.get("resident_name") or data.get("resident_mobile"):
                resident = services.ResidentRequest(data.get("resident_name", ""), data.get("resident_mobile", ""))
            services.task_progress(**common, resident=resident)
        elif name == "extend":
            services.task_extend(**common, deadline=data.get("deadline"))
        elif name == "reassign":
            services.task_reassign(**common, **data)
        else:
            services.take_step(name, **common)
        self.action = "retrieve"
        return self.answer(self.get_queryset().get(pk=task.pk))


def register_routes(router) -> None:
    """Register this area's viewsets."""
    router.register("rectifications", RectificationViewSet, basename="rectification")
