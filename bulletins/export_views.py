"""Downloads of a bulletin or ranking (PDF, Excel) and of the rows behind one figure (Excel), each an export job
(wudu.exports: made by a task, on the job's page until ready, its owner's only). A bulletin is fetched through
`selectors.access_bulletin` (404 for missing and hidden alike) before the job is asked for, and again by the task;
what is printed is the snapshot as the reader may see it."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest
from django.urls import path
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from wudu import export_views

from . import exports, selectors


def _job(bulletin, **params) -> dict:
    return {"bulletin": bulletin.pk, **params, "_target": f"bulletins.Bulletin:{bulletin.pk}"}


@login_required
@require_GET
def export_pdf(request, pk: int):
    """The PDF, rendered by a task (a district ranking takes many seconds): the job's page waits for it. The file
    is kept (`exports.pdf_render`) for every later reader who sees the same snapshot."""
    bulletin = selectors.access_bulletin(request.user, pk)
    return export_views.start(request, kind="bulletins.pdf", params=_job(bulletin),
                              label=f"{exports.title(bulletin)} · PDF")


@login_required
@require_GET
def export_xlsx(request, pk: int):
    bulletin = selectors.access_bulletin(request.user, pk)
    return export_views.start(request, kind="bulletins.xlsx", params=_job(bulletin),
                              label=f"{exports.title(bulletin)} · Excel")


class RowsForm(forms.Form):
    measure = forms.CharField(label=gettext_lazy("指标"), max_length=40)
    unit = forms.CharField(label=gettext_lazy("单位"), max_length=32, required=False)
    part = forms.ChoiceField(label=gettext_lazy("分子或分母"), required=False,
                             choices=[("d", gettext_lazy("分母")), ("n", gettext_lazy("分子"))])
    today = forms.ChoiceField(label=gettext_lazy("数据"), required=False,
                              choices=[("0", gettext_lazy("发布时")), ("1", gettext_lazy("截至今日"))])


@login_required
@require_GET
def export_rows(request, pk: int):
    bulletin = selectors.access_bulletin(request.user, pk)
    form = RowsForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(" ".join(m for errors in form.errors.values() for m in errors),
                                      content_type="text/plain; charset=utf-8")
    wanted = form.cleaned_data
    unit, numerator, today = wanted["unit"] or bulletin.place.code, wanted["part"] == "n", wanted["today"] == "1"
    try:  # asked now, so that an unknown measure or line answers at once
        drill = selectors.drill(request.user, bulletin, measure_code=wanted["measure"], unit=unit,
                                numerator=numerator, today=today, size=1)
    except LookupError as error:  # an unknown measure or line, or a measure this reader does not see
        raise Http404(str(error)) from None
    params = _job(bulletin, measure=wanted["measure"], unit=unit, part="n" if numerator else "d",
                  today="1" if today else "0")
    label = f"{exports.title(bulletin)} · {drill.label} · {drill.measure.label}"
    return export_views.start(request, kind="bulletins.rows", params=params, label=label)


export_urlpatterns = [
    path("<int:pk>/export.pdf", export_pdf, name="export_pdf"),
    path("<int:pk>/export.xlsx", export_xlsx, name="export_xlsx"),
    path("<int:pk>/rows.xlsx", export_rows, name="export_rows"),
]
