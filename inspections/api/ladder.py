"""REST API of the ladder's documents (/api/v1/rectification-notices/, 五书制): gated exactly as their task, listed
newest first with filters (task, kind, acknowledged), each with the address of its PDF (the documents page's own
view). POST /rectification-notices/{id}/acknowledge/ is the unit head's signature (签收) through
inspections.services.ladder; signing again answers 200 with the document as signed."""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers
from rest_framework.decorators import action

from wudu.api import ERRORS, ApiViewSet
from wudu.filters import IdFilter
from wudu.pagination import KeysetPagination

from ..models import Notice
from ..selectors.ladder import HeadOf
from ..services import api_support

# The kinds of document (the schema names their enum after this: ENUM_NAME_OVERRIDES in wudu/settings.py).
NOTICE_KINDS = Notice._meta.get_field("kind").choices


class NoticeFilter(django_filters.FilterSet):
    task = IdFilter(field_name="task_id", label=_("整改任务"))
    kind = django_filters.ChoiceFilter(choices=NOTICE_KINDS, label=_("文书"))
    acknowledged = django_filters.BooleanFilter(field_name="acknowledged_at", lookup_expr="isnull", exclude=True,
                                                label=_("已签收"))

    class Meta:
        model = Notice
        fields = ["task", "kind", "acknowledged"]


class NoticeSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    acknowledged_by_name = serializers.CharField(source="acknowledged_by.display_name", default=None, read_only=True)
    pdf = serializers.SerializerMethodField(help_text="The document's PDF (for whoever sees its task).")
    may_acknowledge = serializers.SerializerMethodField(
        help_text="The requester speaks for the owner unit and the document is not signed yet.")

    class Meta:
        model = Notice
        fields = ["id", "task", "kind", "kind_label", "number", "deadline", "issued_at", "acknowledged_at",
                  "acknowledged_by_name", "pdf", "may_acknowledge"]
        read_only_fields = fields

    def get_pdf(self, notice) -> str:
        url = reverse("inspection_ladder:pdf", args=[notice.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    def get_may_acknowledge(self, notice) -> bool:
        head = self.context.get("head")
        if head is None:
            request = self.context.get("request")
            head = self.context["head"] = HeadOf.of(getattr(request, "user", None))
        return head.may_acknowledge(notice)


class TaskNoticeSerializer(NoticeSerializer):
    """A document as listed in its task's detail."""

    class Meta(NoticeSerializer.Meta):
        fields = ["id", "kind", "kind_label", "number", "deadline", "issued_at", "acknowledged_at", "pdf"]
        read_only_fields = fields


class ByIssued(KeysetPagination):
    ordering = ("-issued_at", "-id")


class NoticeViewSet(mixins.ListModelMixin, ApiViewSet):
    """The ladder's documents (督办通知书, 提醒书, 告诫书, 问责书), seen by whoever sees their task; signed by the owner
    unit's head."""

    scope_model = Notice
    filterset_class = NoticeFilter
    pagination_class = ByIssued
    http_method_names = ["get", "head", "options", "post"]
    # Who may sign is the service's rule (the owner unit's head); the gate decides visibility.
    permission_classes = [permissions.IsAuthenticated]
    list_output = detail_output = NoticeSerializer

    def filter_queryset_extra(self, queryset):
        return queryset.select_related("task", "acknowledged_by")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["head"] = HeadOf.of(self.request.user)  # one query for every row of a page
        return context

    @extend_schema(request=None, responses={200: NoticeSerializer, 400: ERRORS[400], 403: ERRORS[403]})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """签收: the owner unit's head signs the document once; signing again returns it as signed."""
        notice = self.get_object()
        try:
            api_support.acknowledge_once(request.user, notice)
        except ValidationError as error:
            if getattr(error, "code", None) == "not_head":  # visible, but not theirs to sign
                raise PermissionDenied(error.messages[0]) from None
            raise
        return self.answer(self.get_queryset().get(pk=notice.pk))


def register_routes(router) -> None:
    """Register this area's viewsets."""
    router.register("rectification-notices", NoticeViewSet, basename="rectification-notice")
