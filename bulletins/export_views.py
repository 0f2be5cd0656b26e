"""Downloads of a bulletin or ranking (PDF, Excel) and of the rows behind one figure (Excel), each an export job
(wudu.exports: made by a task, on the job's page until ready, its owner's only). A bulletin is fetched through
`selectors.access_bulletin` (404 for missing and hidden alike) before the job is asked for, and again by the task;
what is printed is the snapshot as the reader may see it."""

from __future__ import annotations

from functools import partial

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.urls import path
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from wudu import export_views
from wudu.filters import MAX_ID

from . import exports, selectors


def _job(bulletin, **params) -> dict:
    return {"bulletin": bulletin.pk, **params, "_target": f"bulletins.Bulletin:{bulletin.pk}"}


class BulletinForm(forms.Form):
    bulletin = forms.IntegerField(label=gettext_lazy("通报"), min_value=1, max_value=MAX_ID)


class RowsForm(BulletinForm):
    measure = forms.CharField(label=gettext_lazy("指标"), max_length=40)
    unit = forms.CharField(label=gettext_lazy("单位"), max_length=32, required=False)
    part = forms.ChoiceField(label=gettext_lazy("分子或分母"), required=False,
                             choices=[("d", gettext_lazy("分母")), ("n", gettext_lazy("分子"))])
    today = forms.ChoiceField(label=gettext_lazy("数据"), required=False,
                              choices=[("0", gettext_lazy("发布时")), ("1", gettext_lazy("截至今日"))])


def _read(form_class, data) -> dict:
    form = form_class(data)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return form.cleaned_data


# What a request for each kind becomes (the pages' links and the API's `params`; registered with the kinds): the
# bulletin fetched through the gate (404 for missing and hidden alike) before the job is asked for, and again by
# the task.


def prepare_file(user, data, *, fmt: str) -> tuple[dict, str]:
    """The bulletin as a PDF or Excel. The PDF, rendered by a task (a district ranking takes many seconds), is kept
    (`exports.pdf_render`) for every later reader who sees the same snapshot."""
    bulletin = selectors.access_bulletin(user, _read(BulletinForm, data)["bulletin"])
    return _job(bulletin), f"{exports.title(bulletin)} · {'PDF' if fmt == 'pdf' else 'Excel'}"


def prepare_rows(user, data) -> tuple[dict, str]:
    """The rows behind one figure."""
    wanted = _read(RowsForm, data)
    bulletin = selectors.access_bulletin(user, wanted["bulletin"])
    unit, numerator, today = wanted["unit"] or bulletin.place.code, wanted["part"] == "n", wanted["today"] == "1"
    try:  # asked now, so that an unknown measure or line answers at once
        drill = selectors.drill(user, bulletin, measure_code=wanted["measure"], unit=unit,
                                numerator=numerator, today=today, size=1)
    except LookupError as error:  # an unknown measure or line, or a measure this reader does not see
        raise Http404(str(error)) from None
    params = _job(bulletin, measure=wanted["measure"], unit=unit, part="n" if numerator else "d",
                  today="1" if today else "0")
    return params, f"{exports.title(bulletin)} · {drill.label} · {drill.measure.label}"


def _start(request, kind: str, prepare, data):
    try:
        params, label = prepare(request.user, data)
    except ValidationError as error:
        return HttpResponseBadRequest(" ".join(error.messages), content_type="text/plain; charset=utf-8")
    return export_views.start(request, kind=kind, params=params, label=label)


@login_required
@require_GET
def export_pdf(request, pk: int):
    return _start(request, "bulletins.pdf", partial(prepare_file, fmt="pdf"), {"bulletin": pk})


@login_required
@require_GET
def export_xlsx(request, pk: int):
    return _start(request, "bulletins.xlsx", partial(prepare_file, fmt="xlsx"), {"bulletin": pk})


@login_required
@require_GET
def export_rows(request, pk: int):
    return _start(request, "bulletins.rows", prepare_rows, {**request.GET.dict(), "bulletin": pk})


export_urlpatterns = [
    path("<int:pk>/export.pdf", export_pdf, name="export_pdf"),
    path("<int:pk>/export.xlsx", export_xlsx, name="export_xlsx"),
    path("<int:pk>/rows.xlsx", export_rows, name="export_rows"),
]
