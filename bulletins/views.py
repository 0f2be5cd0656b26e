"""Pages of bulletins and rankings: the list, one bulletin or ranking (its tables, lists, chart, peer groups,
rules, versions, restatements and objections), the drill-down of a figure to its rows, the command center's
decisions (objections, publishing, corrections, rebuilds) and the weight schemes."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.models import Case, CaseEvent, Evaluation
from wudu import measures, outbox, scope
from wudu.errors import Conflict
from wudu.measures import Period
from wudu.pages import by_date, keyset_page, page_query

from . import selectors, services, tables, tasks
from .forms import CorrectionForm, DecisionForm, DrillForm, ListFilterForm, ObjectionForm, PublishForm, SchemeForm
from .models import Bulletin, Kind, Objection, ObjectionStatus, Stage, WeightScheme

# The list reads newest period first (then the newest build), not in the order of building.
NEWEST_PERIOD_FIRST = by_date("period_start", newest_first=True)


def _is_builder(user, bulletin: Bulletin) -> bool:
    """The command center (or system administrator) over this bulletin's place: the services' own test."""
    return scope.acts_as(user, bulletin, "bulletin", services.BUILDERS)


@login_required
@require_GET
def bulletin_list(request):
    form = ListFilterForm(request.GET or None)
    kind = form.cleaned_data.get("kind", "") if form.is_valid() else ""
    rows, next_cursor = keyset_page(
        selectors.bulletins(request.user, kind=kind or None, place_code=request.GET.get("place", "").strip())
        .defer("snapshot"), request.GET.get("after", ""), size=selectors.PAGE_SIZE, keyset=NEWEST_PERIOD_FIRST)
    for row in rows:
        row.period_label = Period.parse(row.period).label
    may_edit_schemes = services.may_edit_schemes(request.user)
    return render(request, "bulletins/list.html", {"form": form, "rows": rows, "next": next_cursor,
                                                   "query": page_query(request), "schemes": may_edit_schemes})


@login_required
@require_GET
def bulletin_detail(request, pk: int):
    return _detail(request, selectors.access_bulletin(request.user, pk))


def _detail(request, bulletin: Bulletin, *, status: int = 200, **failed):
    """The bulletin's page; a form that failed comes back in `failed` with its input and message."""
    user = request.user
    reader = tables.Reader(user, bulletin)
    builder = _is_builder(user, bulletin)
    found = _objections(reader, builder, failed.get("decision_form"))
    pending = [o for o in found if o.status == ObjectionStatus.PENDING]
    window_open = bulletin.is_draft and (bulletin.objection_until is None or timezone.now() <= bulletin.objection_until)
    objection_form = failed.get("objection_form") or ObjectionForm(bulletin=bulletin, user=user,
                                                                   shown_measures=reader.measures)
    context = {
        "bulletin": bulletin, "snapshot": bulletin.snapshot, "reader": reader, "builder": builder,
        "period_label": bulletin.snapshot.get("period", {}).get("label") or Period.parse(bulletin.period).label,
        "last_day": bulletin.period_end - datetime.timedelta(days=1),
        "objections": found, "pending": pending, "window_open": window_open,
        # Offered to the units named in an open draft; a refused one comes back with its message whatever the case.
        "objection_form": objection_form if (window_open and objection_form.mine) or "objection_form" in failed
        else None,
        "failed_objection": "objection_form" in failed,
        "publish_form": failed.get("publish_form") or PublishForm(initial={"lock": bulletin.lock}),
        "publish_error": failed.get("publish_error"),
        "may_publish": builder and bulletin.is_draft and not window_open and not pending,
        "correction_form": failed.get("correction_form") or CorrectionForm(),
        "failed_correction": "correction_form" in failed,
        "versions": selectors.versions(bulletin), "restatements": _restatements(reader),
        "rules": tables.rules(reader), "rows_url": reverse("bulletins:rows", args=[bulletin.pk]),
        "rebuilding": _rebuilding(request, bulletin),
        "js_text": {"score": _("得分"), "volume": _("样本量"), "median": _("中位数"), "interval": _("区间"),
                    "funnel": _("得分与样本量")},
    }
    if bulletin.kind == Kind.RANKING:
        context["tiers"] = tables.ranking_tiers(reader)
        context["previous"] = (Bulletin.objects.filter(
            kind=bulletin.kind, place=bulletin.place, period=Period.parse(bulletin.period).previous().key,
            stage=Stage.PUBLISHED).order_by("-version").values_list("pk", flat=True).first())
    else:
        context.update(sections=tables.sections(reader), chart=tables.chart(reader), lists=tables.lists(bulletin),
                       flags=tables.flags(bulletin))
    return render(request, "bulletins/detail.html", context, status=status)


def _objections(reader: tables.Reader, builder: bool, failed: DecisionForm | None) -> list[Objection]:
    """The objections the reader sees; for the command center, each pending one with its answer form."""
    found = selectors.objections(reader.user, reader.bulletin)
    for objection in found:
        objection.measure_label = reader.labels.get(objection.measure, "")
        if builder and reader.bulletin.is_draft and objection.status == ObjectionStatus.PENDING:
            objection.form = failed if failed is not None and failed.objection.pk == objection.pk \
                else DecisionForm(objection=objection)
    return found


def _restatements(reader: tables.Reader) -> list[dict]:
    out = []
    for note in reader.bulletin.restatements.all():
        differences = []
        for diff in note.differences:
            if not reader.shows(diff["measure"], diff["unit"]):
                continue
            was, now = selectors.rate_cell(diff["was"]), selectors.rate_cell(diff["now"])
            differences.append({**diff, "was_rate": was["rate"], "now_rate": now["rate"]})
        if differences:
            out.append({"found_at": note.found_at, "differences": differences})
    return out


def _stamp(value: datetime.datetime) -> str:
    return str(int(value.timestamp() * 1_000_000))


def _rebuilding(request, bulletin: Bulletin) -> str:
    """'' (no rebuild asked), 'running' (built_at is still the one seen when the rebuild was asked) or 'done'."""
    since = request.GET.get("since", "")
    if not since:
        return ""
    return "running" if since == _stamp(bulletin.built_at) else "done"


@login_required
@require_GET
def bulletin_status(request, pk: int):
    """Polled by the page while a rebuild runs: the build's time (changes when the task has rebuilt it)."""
    bulletin = selectors.access_bulletin(request.user, pk)
    return JsonResponse({"built_at": _stamp(bulletin.built_at), "lock": bulletin.lock})


# ---------------------------------------------------------------------------------------------- drill-down


def _shown(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return value


@login_required
@require_GET
def bulletin_rows(request, pk: int):
    bulletin = selectors.access_bulletin(request.user, pk)
    form = DrillForm(request.GET)
    if not form.is_valid():
        raise Http404
    d = form.cleaned_data
    try:
        drill = selectors.drill(request.user, bulletin, measure_code=d["measure"], unit=d["unit"],
                                numerator=d["part"] == "n", today=d["today"], after=request.GET.get("after", ""))
    except LookupError:
        raise Http404 from None
    model = drill.measure.model
    evaluations = dict(Evaluation.choices)
    table = []
    for row in drill.rows:
        values = [_shown(selectors.cell(row, path)) for _header, path in drill.columns]
        if model is CaseEvent:
            values = [evaluations.get(v, v) if path == "data.evaluation" else v
                      for v, (_header, path) in zip(values, drill.columns, strict=True)]
        reference = row.reference if model is Case else row.case.reference if model is CaseEvent else ""
        table.append({"values": values, "reference": reference})
    base = {"measure": drill.measure.code, "unit": drill.unit}
    return render(request, "bulletins/rows.html", {
        "bulletin": bulletin, "drill": drill, "table": table, "cell": selectors.rate_cell(drill.figure),
        "period_label": Period.parse(bulletin.period).label, "next": drill.next_cursor, "query": page_query(request),
        "links": {name: _drill_query(base, part, today) for name, part, today in (
            ("n", "n", drill.today), ("d", "d", drill.today),
            ("published", "n" if drill.numerator else "d", False), ("today", "n" if drill.numerator else "d", True))},
        "export": _drill_query(base, "n" if drill.numerator else "d", drill.today),
    })


def _drill_query(base: dict, part: str, today: bool) -> str:
    return urlencode({**base, "part": part, **({"today": "1"} if today else {})})


# ---------------------------------------------------------------------------------------------- objections


@login_required
@require_POST
def objection_file(request, pk: int):
    bulletin = selectors.access_bulletin(request.user, pk)
    reader = tables.Reader(request.user, bulletin)
    form = ObjectionForm(request.POST, bulletin=bulletin, user=request.user, shown_measures=reader.measures)
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        place, department = form.line()
        try:
            services.objection_file(
                actor=request.user, bulletin=bulletin, reason=d["reason"], key=d["idempotency_key"], place=place,
                department=department, measure=d["measure"], case_reference=d["case_reference"],
                evidence=d["evidence"])
        except PermissionDenied as error:
            form.add_error("unit", str(error) or _("只能对本单位的数据提出申诉。"))
            status = 403
        except Conflict as error:
            form.add_error(None, error)
            status = 409
        except ValidationError as error:
            form.add_service_error(error, aliases={"place": "unit", "client_id": None})
        else:
            messages.success(request, _("申诉已提交，等待指挥中心处理。"))
            return redirect(reverse("bulletins:detail", args=[bulletin.pk]) + "#objections")
    return _detail(request, bulletin, status=status, objection_form=form)


@login_required
@require_POST
def objection_decide(request, pk: int, objection_pk: int):
    bulletin = selectors.access_bulletin(request.user, pk)
    objection = scope.access(Objection.objects.select_related("place", "department"), request.user,
                             pk=objection_pk, bulletin=bulletin)
    objection.bulletin = bulletin
    form = DecisionForm(request.POST, objection=objection)
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.objection_decide(actor=request.user, objection=objection, accept=d["verdict"] == "accept",
                                      decision=d["decision"], exclude_case=d.get("exclude_case", False))
        except PermissionDenied as error:
            form.add_error(None, str(error) or _("只有指挥中心可以处理申诉。"))
            status = 403
        except Conflict as error:
            form.add_error(None, error)
            status = 409
        except ValidationError as error:
            form.add_service_error(error, aliases={"case_reference": "exclude_case"})
        else:
            messages.success(request, _("申诉已处理。") if d["verdict"] == "reject" or not d.get("exclude_case")
                             else _("申诉已采纳，已核减该事件并重新计算征求意见稿。"))
            return redirect(reverse("bulletins:detail", args=[bulletin.pk]) + "#objections")
    return _detail(request, bulletin, status=status, decision_form=form)


# ---------------------------------------------------------------------------------------------- publishing


@login_required
@require_POST
def bulletin_publish(request, pk: int):
    bulletin = selectors.access_bulletin(request.user, pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _detail(request, bulletin, status=400, publish_form=form,
                       publish_error=_("页面已过期，请刷新后再发布。"))
    try:
        services.bulletin_publish(actor=request.user, bulletin=bulletin, lock=form.cleaned_data["lock"])
    except PermissionDenied as error:
        return _detail(request, bulletin, status=403, publish_error=str(error) or _("您不能发布通报。"))
    except Conflict as error:
        return _detail(request, bulletin, status=409, publish_error=" ".join(error.messages))
    except ValidationError as error:
        return _detail(request, bulletin, status=400, publish_error=" ".join(error.messages))
    messages.success(request, _("已发布。发布后的数据不再变动；如需更正，请发布更正版本。"))
    return redirect("bulletins:detail", pk=bulletin.pk)


@login_required
@require_POST
def bulletin_correct(request, pk: int):
    bulletin = selectors.access_bulletin(request.user, pk)
    form = CorrectionForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            draft = services.bulletin_correct(actor=request.user, bulletin=bulletin,
                                              reason=form.cleaned_data["reason"])
        except PermissionDenied as error:
            form.add_error(None, str(error) or _("只有指挥中心可以发布更正。"))
            status = 403
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已生成更正版本（第 %(v)d 版），申诉期满后发布。") % {"v": draft.version})
            return redirect("bulletins:detail", pk=draft.pk)
    return _detail(request, bulletin, status=status, correction_form=form)


@login_required
@require_POST
def bulletin_rebuild(request, pk: int):
    """Rebuild the draft from today's data, in the background (the task calls services.bulletin_build); the page
    shows it is being rebuilt until its build time changes."""
    bulletin = selectors.access_bulletin(request.user, pk)
    if not _is_builder(request.user, bulletin):
        raise PermissionDenied(_("只有指挥中心可以重新生成通报。"))
    if not bulletin.is_draft:
        return _detail(request, bulletin, status=400,
                       publish_error=_("已发布的版本不再重新生成；如数据有误，请发布更正版本。"))
    since = _stamp(bulletin.built_at)
    place_id, period, kind = bulletin.place_id, bulletin.period, bulletin.kind
    outbox.enqueue(tasks.bulletin_build_task, place_id, period, kind)
    return redirect(reverse("bulletins:detail", args=[bulletin.pk]) + f"?since={since}")


# ---------------------------------------------------------------------------------------------- weight schemes


def _require_scheme_editor(user) -> None:
    if not services.may_edit_schemes(user):
        raise PermissionDenied(_("只有指挥中心或系统管理员可以维护权重方案。"))


@login_required
@require_GET
def scheme_list(request):
    _require_scheme_editor(request.user)
    schemes = list(WeightScheme.objects.select_related("updated_by").order_by("-is_default", "name"))
    labels = {m.code: str(m.label) for m in measures.all_measures()}
    for scheme in schemes:
        scheme.terms = [(labels.get(w["measure"], w["measure"]), w["weight"]) for w in scheme.weights]
    return render(request, "bulletins/schemes.html", {"schemes": schemes})


@login_required
def scheme_edit(request, pk: int | None = None):
    _require_scheme_editor(request.user)
    scheme = get_object_or_404(WeightScheme, pk=pk) if pk is not None else None
    form = SchemeForm(request.POST or None, scheme=scheme)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                saved = services.scheme_save(actor=request.user, name=d["name"], weights=form.weights(),
                                             min_volume=d["min_volume"], bands=form.bands(),
                                             is_default=d["is_default"], scheme=scheme, version=d.get("version"))
            except PermissionDenied as error:
                form.add_error(None, str(error))
                status = 403
            except Conflict as error:
                form.add_error(None, error)
                status = 409
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("权重方案“%(name)s”已保存。") % {"name": saved.name})
                return redirect("bulletins:schemes")
    return render(request, "bulletins/scheme_form.html", {"form": form, "scheme": scheme}, status=status)
