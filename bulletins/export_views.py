"""Downloads of a bulletin or ranking (PDF, Excel) and of the rows behind one figure (Excel). A bulletin is fetched
through `selectors.access_bulletin` (404 for missing and hidden alike); what is printed is the snapshot as the
reader may see it. The lead adds `export_urlpatterns` to bulletins/urls.py."""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.urls import path
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from wudu.db import replica_reads

from . import exports, selectors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
@require_GET
@replica_reads
def export_pdf(request, pk: int):
    bulletin = selectors.access_bulletin(request.user, pk)
    pdf = exports.bulletin_pdf(request.user, bulletin)
    return _attachment(HttpResponse(pdf, content_type="application/pdf"), f"{exports.title(bulletin)}.pdf")


@login_required
@require_GET
@replica_reads
def export_xlsx(request, pk: int):
    bulletin = selectors.access_bulletin(request.user, pk)
    stream = exports.bulletin_xlsx(request.user, bulletin)
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
        stream, filename = exports.rows_xlsx(request.user, bulletin, measure_code=wanted["measure"],
                                             unit=wanted["unit"] or bulletin.place.code,
                                             numerator=wanted["part"] == "n", today=wanted["today"] == "1")
    except LookupError as error:  # an unknown measure or line, or a measure this reader does not see
        raise Http404(str(error)) from None
    return FileResponse(stream, as_attachment=True, filename=filename, content_type=XLSX)


export_urlpatterns = [
    path("<int:pk>/export.pdf", export_pdf, name="export_pdf"),
    path("<int:pk>/export.xlsx", export_xlsx, name="export_xlsx"),
    path("<int:pk>/rows.xlsx", export_rows, name="export_rows"),
]
