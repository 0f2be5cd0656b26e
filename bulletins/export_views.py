"""Downloads of a bulletin or ranking (PDF, Excel) and of the rows behind one figure (Excel). A bulletin is fetched
through `selectors.access_bulletin` (404 for missing and hidden alike); what is printed is the snapshot as the
reader may see it. The lead adds `export_urlpatterns` to bulletins/urls.py."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from wudu import outbox
from wudu.access_log import record_export
from wudu.db import replica_reads

from . import exports, selectors, tasks

PDF_WAIT_SECONDS = 300  # a render not finished by then may be asked for again

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
@replica_reads
def export_pdf(request, pk: int):
    """The PDF, rendered by a task (a district ranking takes many seconds): the first request starts it and shows
    a page that comes back until the file is there; the file is kept for every later reader who sees the same."""
    bulletin = selectors.access_bulletin(request.user, pk)
    name = exports.pdf_name(request.user, bulletin)
    if not default_storage.exists(name):
        if cache.add(f"bulletin-pdf:{name}", True, timeout=PDF_WAIT_SECONDS):
            outbox.enqueue(tasks.bulletin_pdf_task, bulletin.pk, request.user.pk, translation.get_language())
        if not default_storage.exists(name):  # an eager task (no broker) has rendered it already
            return render(request, "bulletins/pdf_waiting.html", {"bulletin": bulletin,
                                                                  "title": exports.title(bulletin)}, status=202)
    # The whole bulletin as this reader sees it, rendered by the task: no rows of its own to count.
    record_export(request, fmt="pdf", rows=None, target=f"bulletins.Bulletin:{bulletin.pk}")
    return FileResponse(default_storage.open(name, "rb"), as_attachment=True, filename=f"{exports.title(bulletin)}.pdf",
                        content_type="application/pdf")


@login_required
@require_GET
@replica_reads
def export_xlsx(request, pk: int):
    bulletin = selectors.access_bulletin(request.user, pk)
    stream, rows = exports.bulletin_xlsx(request.user, bulletin)
    record_export(request, fmt="xlsx", rows=rows, target=f"bulletins.Bulletin:{bulletin.pk}")
    return FileResponse(stream, as_attachment=True, filename=f"{exports.title(bulletin)}.xlsx", content_type=XLSX)


class RowsForm(forms.Form):
    measure = forms.CharField(label=gettext_lazy("指标"), max_length=40)
    unit = forms.CharField(label=gettext_lazy("单位"), max_length=32, required=False)
    part = forms.ChoiceField(label=gettext_lazy("分子或分母"), required=False,
                             choices=[("d", gettext_lazy("分母")), ("n", gettext_lazy("分子"))])
    today = forms.ChoiceField(label=gettext_lazy("数据"), required=False,
                              choices=[("0", gettext_lazy("发布时")), ("1", gettext_lazy("截至今日"))])


@login_required
@require_GET
@replica_reads
def export_rows(request, pk: int):
    bulletin = selectors.access_bulletin(request.user, pk)
    form = RowsForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(" ".join(m for errors in form.errors.values() for m in errors),
                                      content_type="text/plain; charset=utf-8")
    wanted = form.cleaned_data
    try:
        stream, filename, rows = exports.rows_xlsx(request.user, bulletin, measure_code=wanted["measure"],
                                             unit=wanted["unit"] or bulletin.place.code,
                                             numerator=wanted["part"] == "n", today=wanted["today"] == "1")
    except LookupError as error:  # an unknown measure or line, or a measure this reader does not see
        raise Http404(str(error)) from None
    record_export(request, fmt="xlsx", rows=rows, target=f"bulletins.Bulletin:{bulletin.pk}")
    return FileResponse(stream, as_attachment=True, filename=filename, content_type=XLSX)


export_urlpatterns = [
    path("<int:pk>/export.pdf", export_pdf, name="export_pdf"),
    path("<int:pk>/export.xlsx", export_xlsx, name="export_xlsx"),
    path("<int:pk>/rows.xlsx", export_rows, name="export_rows"),
]
