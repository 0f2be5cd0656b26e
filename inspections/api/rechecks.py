"""REST API of re-checks against false rectification (/api/v1/rechecks/, 反向核查): gated as the round's report shows
them (their round and their task both visible). POST /rechecks/{id}/record/ records the result through
inspections.services.rechecks (the office or a team member covering the place; never the owner unit); sending the
same result again answers 200. A round's draw is POST /inspection-rounds/{id}/draw/ (inspections.api.rounds)."""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers
from rest_framework.decorators import action

from wudu.api import ERRORS, ApiViewSet
from wudu.filters import IdFilter
from wudu.pagination import KeysetPagination

from ..models import Recheck, RecheckDraw, RecheckResult
from ..services import api_support


class RecheckFilter(django_filters.FilterSet):
    round = IdFilter(field_name="round_id", label=_("巡察轮次"))
    draw = IdFilter(field_name="draw_id", label=_("抽查批次"))
    task = IdFilter(field_name="task_id", label=_("整改任务"))
    result = django_filters.ChoiceFilter(choices=RecheckResult.choices, label=_("核查结果"))

    class Meta:
        model = Recheck
        fields = ["round", "draw", "task", "result"]


class RecheckSerializer(serializers.ModelSerializer):
    draw_number = serializers.IntegerField(source="draw.number", default=None, read_only=True)
    measure = serializers.CharField(source="task.measure", read_only=True)
    place = serializers.CharField(source="task.finding.place.code", read_only=True,
                                  help_text="Unified code of the finding's place.")
    place_name = serializers.CharField(source="task.finding.place.name", read_only=True)
    owner = serializers.SerializerMethodField(help_text="The task's owner unit.")
    result_label = serializers.CharField(source="get_result_display", read_only=True)
    checked_by_name = serializers.CharField(source="checked_by.display_name", default=None, read_only=True)

    class Meta:
        model = Recheck
        fields = ["id", "round", "draw", "draw_number", "task", "measure", "place", "place_name", "owner",
                  "drawn_at", "result", "result_label", "note", "checked_by_name", "checked_at"]
        read_only_fields = fields

    def get_owner(self, recheck) -> str:
        return str(recheck.task.owner)


class DrawSerializer(serializers.ModelSerializer):
    """A draw as made: its seed and candidates, so anyone can redo it (`random.Random(seed).sample(candidates,
    size)`), and the tasks it picked."""

    tasks = serializers.SerializerMethodField(help_text="Ids of the tasks drawn.")

    class Meta:
        model = RecheckDraw
        fields = ["id", "round", "number", "seed", "percent", "candidates", "size", "drawn_at", "tasks"]
        read_only_fields = fields

    def get_tasks(self, draw) -> list[int]:
        return sorted(draw.rechecks.values_list("task_id", flat=True))


class DrawInput(serializers.Serializer):
    seed = serializers.CharField(max_length=40, required=False, allow_blank=True,
                                 help_text="The random seed (one is made when none is given).")
    number = serializers.IntegerField(required=False, min_value=1, max_value=10_000,
                                      help_text="The draw's number as the client expects it (the round's next): "
                                                "sending it again returns that draw instead of making another.")


class RecordInput(serializers.Serializer):
    result = serializers.ChoiceField(choices=[RecheckResult.PASSED, RecheckResult.FAILED])
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="",
                                 help_text="What the visit found (required for a failed re-check).")


class ByDrawn(KeysetPagination):
    ordering = ("-drawn_at", "-id")


class RecheckViewSet(mixins.ListModelMixin, ApiViewSet):
    """Re-checks of ticked-off tasks (反向核查): seen where the round's report shows them; recorded by the inspection
    office or a member of a team covering the place, never by the owner unit."""

    scope_model = Recheck
    filterset_class = RecheckFilter
    pagination_class = ByDrawn
    http_method_names = ["get", "head", "options", "post"]
    # Who may record is the service's rule (recheck_grant); the gate decides visibility.
    permission_classes = [permissions.IsAuthenticated]
    list_output = detail_output = RecheckSerializer

    def filter_queryset_extra(self, queryset):
        return queryset.select_related("draw", "checked_by", "task__finding__place", "task__owner_place",
                                       "task__owner_department").defer("task__finding__place__boundary",
                                                                       "task__owner_place__boundary")

    @extend_schema(request=RecordInput, responses={200: RecheckSerializer, 400: ERRORS[400], 403: ERRORS[403]})
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        """The result of the visit on site, once (a failed one reopens the task)."""
        recheck = self.get_object()
        data = RecordInput(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        try:
            api_support.recheck_record_once(request.user, recheck, **data.validated_data)
        except ValidationError as error:
            if getattr(error, "code", None) == "owner":  # visible, but the owner unit never checks itself
                raise PermissionDenied(error.messages[0]) from None
            raise
        return self.answer(self.get_queryset().get(pk=recheck.pk))


def register_routes(router) -> None:
    """Register this area's viewsets."""
    router.register("rechecks", RecheckViewSet, basename="recheck")
