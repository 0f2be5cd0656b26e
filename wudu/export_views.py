"""The pages of one's exports (wudu.exports): the list, one job with its progress (a small JSON endpoint the page
polls; without scripts the page refreshes itself), and the download, its owner's only.

Apps' export links call `start(request, kind=…, params=…, label=…)`: it asks for the job and answers with a
redirect to its page, or straight to the file when it is already there (the same export asked for again, or a
job run at once without a broker)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from . import exports
from .access_log import record_export
from .models import ExportJob


def start(request, *, kind: str, params: dict, label: str):
    """Ask for an export from a view: to its page (or its file, when done already)."""
    try:
        job = exports.export_request(actor=request.user, kind=kind, params=params, label=label)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("exports:list")
    job.refresh_from_db()  # without a broker the task has run on commit
    if job.status == ExportJob.Status.DONE:
        return redirect("exports:download", job.pk)
    return redirect("exports:detail", job.pk)


@login_required
@require_GET
def export_list(request):
    return render(request, "exports/list.html", {"jobs": exports.my_exports(request.user),
                                                 "retention": settings.EXPORT_RETENTION_HOURS})


@login_required
@require_GET
def export_detail(request, pk: int):
    job = exports.access_export(request.user, pk)
    return render(request, "exports/detail.html", {"job": job})


@login_required
@require_GET
def export_status(request, pk: int):
    job = exports.access_export(request.user, pk)
    return JsonResponse({
        "status": job.status, "status_label": job.get_status_display(), "percent": job.percent,
        "done": job.done, "total": job.total, "rows": job.rows,
        "download": reverse("exports:download", args=[job.pk]) if job.status == ExportJob.Status.DONE else "",
    })


@login_required
@require_GET
def export_download(request, pk: int):
    return send_file(request, exports.access_export(request.user, pk))


def send_file(request, job: ExportJob) -> FileResponse:
    """The file of one's own finished job (404 when not there), the download recorded as an access event; the page's
    download and the API's."""
    stream = exports.open_file(job)
    record_export(request, fmt=job.filename.rsplit(".", 1)[-1], rows=job.rows,
                  target=job.params.get("_target") or f"wudu.ExportJob:{job.pk}", params=job.params)
    return FileResponse(stream, as_attachment=True, filename=job.filename, content_type=job.content_type)


app_name = "exports"
urlpatterns = [
    path("", export_list, name="list"),
    path("<int:pk>/", export_detail, name="detail"),
    path("<int:pk>/status", export_status, name="status"),
    path("<int:pk>/download", export_download, name="download"),
]
