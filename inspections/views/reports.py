"""The reports area's pages: the rounds with their figures, a round's report (tables, the overdue list, re-checks
with their draw and results), its PDF and Excel exports (jobs), and the public progress page of a round."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from wudu import export_views, scope

from .. import exports
from ..forms.reports import DrawForm, RecordForm
from ..models import Recheck
from ..selectors import reports
from ..services import rechecks


def _require_reader(user) -> None:
    if not scope.reads(user, "inspection_round"):
        raise PermissionDenied


@require_GET
@login_required
def round_list(request):
    _require_reader(request.user)
    return render(request, "inspections/reports/rounds.html", {"rounds": reports.rounds_with_figures(request.user)})


@require_GET
@login_required
def round_report(request, pk: int):
    round_ = reports.access_round(request.user, pk)
    report = reports.round_report(request.user, round_)
    may_draw = rechecks.may_draw(request.user, round_)
    draw_form = DrawForm(initial={"number": len(report["draws"]) + 1}) if may_draw else None
    return render(request, "inspections/reports/report.html", {
        **report, "draw_form": draw_form, "recorders": reports.recorders(request.user, report),
        "record_form": RecordForm()})


@require_POST
@login_required
def recheck_draw(request, pk: int):
    round_ = reports.access_round(request.user, pk)
    form = DrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请刷新页面后重试。"))
        return redirect("inspection_reports:report", round_.pk)
    try:
        draw = rechecks.recheck_draw(request.user, round_, seed=form.cleaned_data["seed"] or None,
                                     number=form.cleaned_data["number"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已抽取第 %(n)d 批：%(size)d 项。") % {"n": draw.number, "size": draw.size})
    return redirect("inspection_reports:report", round_.pk)


@require_POST
@login_required
def recheck_record(request, pk: int, recheck_pk: int):
    round_ = reports.access_round(request.user, pk)
    recheck = Recheck.objects.select_related("task__finding__place").filter(round=round_, pk=recheck_pk).first()
    if recheck is None or not reports.visible_tasks(request.user, round_).filter(pk=recheck.task_id).exists():
        raise Http404
    form = RecordForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择核查结果。"))
        return redirect("inspection_reports:report", round_.pk)
    try:
        rechecks.recheck_record(request.user, recheck, result=form.cleaned_data["result"],
                                note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("核查结果已记录。"))
    return redirect("inspection_reports:report", round_.pk)


@require_POST
@login_required
def report_export(request, pk: int, fmt: str):
    round_ = reports.access_round(request.user, pk)
    kind = exports.PDF_KIND if fmt == "pdf" else exports.XLSX_KIND
    return export_views.start(request, kind=kind, params={"round": round_.pk}, label=reports.report_title(round_))


@require_GET
@never_cache
def public_progress(request, pk: int):
    progress = reports.public_progress(pk)
    if progress is None:
        raise Http404
    response = render(request, "inspections/reports/public.html", progress)
    response["Referrer-Policy"] = "no-referrer"
    return response
