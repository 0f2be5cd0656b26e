"""/api/v1/exports/: one's export jobs (wudu.exports) over the API, as the /exports/ pages have them.

POST names a registered kind and what is asked of it (`params`, read and checked by the kind's own `prepare`, as its
page does); the job is made by `exports.export_ask` → `export_request`, the one way a job is made (the same request
while one waits or runs answers that one; at most EXPORT_MAX_ACTIVE_PER_USER wait). GET lists one's own jobs, newest
first, and one job's status and progress; `download/` sends the file. Every job is its owner's only, a superuser's
included: another person's answers the 404 of a missing one.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, serializers, status
from rest_framework.decorators import action

from . import exports
from .api import ERRORS, IDEMPOTENCY_KEY, ApiViewSet, ServiceSchema
from .export_views import send_file
from .models import ExportJob
from .pagination import KeysetPagination


class ExportJobSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    percent = serializers.IntegerField(read_only=True, help_text="0–100; 100 once done.")
    params = serializers.SerializerMethodField(help_text="What was asked (the job's parameters, as recorded).")
    download = serializers.SerializerMethodField(help_text="Where the file is, once done; empty before.")

    class Meta:
        model = ExportJob
        fields = ["id", "kind", "label", "params", "status", "status_label", "percent", "done", "total", "rows",
                  "filename", "size", "created_at", "finished_at", "expires_at", "download"]
        read_only_fields = fields

    def get_params(self, job) -> dict:
        return {key: value for key, value in job.params.items() if not key.startswith("_")}

    def get_download(self, job) -> str:
        return reverse("api:export-download", args=[job.pk]) if job.status == ExportJob.Status.DONE else ""


class ExportAskInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[], help_text="A registered kind: ledger.xlsx, ledger.pdf, bulletins.pdf …")
    params = serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=100), required=False,
                                   default=dict,
                                   help_text="What the kind's page would be asked: ledger.* take place, date_from, "
                                             "date_to, worker, category, settled; bulletins.* take bulletin "
                                             "(and measure, unit, part, today for bulletins.rows).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = exports.askable_kinds()


class ExportSchema(ServiceSchema):
    def get_override_parameters(self):
        # A retry of the same export while it waits or runs answers that job (export_request), without a key.
        return [p for p in super().get_override_parameters() if p is not IDEMPOTENCY_KEY]


class ExportJobViewSet(mixins.ListModelMixin, ApiViewSet):
    """One's own export jobs (我的导出): ask for one, follow its progress, download its file."""

    scope_model = ExportJob
    schema = ExportSchema()
    pagination_class = KeysetPagination
    permission_classes = [permissions.IsAuthenticated]
    http_method_names = ["get", "head", "options", "post"]
    create_input = ExportAskInput
    list_output = detail_output = ExportJobSerializer

    def filter_queryset_extra(self, queryset):
        # The gate gives a superuser everyone's; an export holds what its owner saw: its owner's only, as the pages.
        return queryset.filter(owner_id=self.request.user.pk)

    @extend_schema(responses={201: ExportJobSerializer, 200: ExportJobSerializer, 400: ERRORS[400],
                              404: OpenApiResponse(description="The thing to export is hidden or missing.")})
    def create(self, request, *args, **kwargs):
        """Ask for an export: 201 with a new job, 200 with the same one already waiting or running."""
        serializer = ExportAskInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        known = set(ExportJob.objects.filter(owner=request.user, status__in=ExportJob.ACTIVE).values_list("pk", flat=True))
        job = exports.export_ask(actor=request.user, kind=serializer.validated_data["kind"],
                                 data=serializer.validated_data["params"])
        job.refresh_from_db()  # without a broker the task has run on commit
        return self.answer(job, status.HTTP_200_OK if job.pk in known else status.HTTP_201_CREATED)

    @extend_schema(responses={(200, content_type.split(";")[0]): OpenApiTypes.BINARY
                              for content_type in exports.CONTENT_TYPES.values()})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The file of a finished job (404 before it is done, after it expired, and for another person's)."""
        return send_file(request, self.get_object())
