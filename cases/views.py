"""Staff pages of the case loop: the command center's and the departments' workbenches, the case list, the case
page with its timeline and the steps the user may take, the map, and the notification centre."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from ledger.models import Visit
from wudu import scope
from wudu.access_log import record_personal_read
from wudu.errors import Conflict
from wudu.pages import keyset_page, page_query
from wudu.redirects import safe_next
from wudu.scope import Role

from . import selectors, services, workflow
from .forms import BatchDispatchForm, CaseCreateForm, CaseListFilterForm, StepForm
from .models import Case, Notification

CENTER_ROLES = (Role.COMMAND_CENTER, Role.SYSTEM_ADMIN)


def _require_role(request, *roles: str) -> None:
    if not (request.user.is_superuser or scope.has_role(request.user, *roles)):
        raise PermissionDenied(_("您的角色不能使用此页面。"))


# The queues whose cases the command center may select and dispatch together.
BATCH_QUEUES = ("new", "dispatch", "returned", "suspended")


def _workbench(request, template: str, queues: dict, labels: dict, default: str):
    name = request.GET.get("queue", default)
    if name not in queues:
        raise Http404
    sort = request.GET.get("sort") or "newest"
    if sort not in selectors.SORTS:
        raise Http404
    text = request.GET.get("q", "").strip()
    search = selectors.Search.parse(text)
    if search is not None:
        if search.by == "mobile":  # a resident's cases found by their number: a read of personal data
            record_personal_read(request, "cases.Case:mobile-search")
        found = selectors.case_list(request.user, selectors.CaseFilter(search=search))
    else:
        found = selectors.queue(request.user, queues, name)
    rows, next_cursor = selectors.case_page(found, request.GET.get("after", ""), sort)
    batch = (template == "cases/center.html" and search is None and name in BATCH_QUEUES
             and scope.has_role(request.user, Role.COMMAND_CENTER))
    return render(request, template, {
        "can_enter": bool(workflow.entry_sources(request.user)), "queue": name,
        "counts": selectors.queue_counts(request.user, queues), "rows": rows, "next": next_cursor,
        "query": page_query(request), "queues": labels, "sort": sort, "sorts": SORT_LABELS, "q": text,
        "search": search, "short_search": bool(text) and search is None, "mine": selectors.my_statuses(request.user),
        "batch": BatchDispatchForm(user=request.user) if batch else None, "here": request.get_full_path(),
    })


@login_required
@require_GET
def center(request):
    _require_role(request, *CENTER_ROLES)
    return _workbench(request, "cases/center.html", selectors.CENTER_QUEUES, QUEUE_LABELS_CENTER, "new")


@login_required
@require_GET
def department(request):
    _require_role(request, Role.DEPARTMENT_STAFF)
    return _workbench(request, "cases/department.html", selectors.DEPARTMENT_QUEUES, QUEUE_LABELS_DEPARTMENT, "sign")


@login_required
@require_GET
def to_verify(request):
    """The grid worker's cases waiting for their check (待核查), newest first."""
    rows, next_cursor = selectors.case_page(selectors.to_verify(request.user), request.GET.get("after", ""))
    return render(request, "cases/to_verify.html", {"rows": rows, "next": next_cursor, "query": page_query(request)})


@login_required
@require_GET
def case_list(request):
    form = CaseListFilterForm(request.GET or None, user=request.user)
    can_enter = bool(workflow.entry_sources(request.user))
    if form.is_bound and not form.is_valid():
        return render(request, "cases/list.html", {"form": form, "rows": [], "can_enter": can_enter}, status=400)
    data = form.cleaned_data if form.is_bound else {}
    status = data.get("status") or ""
    f = selectors.CaseFilter(
        place_code=(data.get("place") or "").strip(), status="" if status == "open" else status,
        open_only=status == "open", category_id=data["category"].pk if data.get("category") else None,
        source=data.get("source") or "", search=selectors.Search.parse(data.get("q") or ""),
    )
    if f.search is not None and f.search.by == "mobile":  # a resident's cases found by their number
        record_personal_read(request, "cases.Case:mobile-search")
    rows, next_cursor = selectors.case_page(selectors.case_list(request.user, f), request.GET.get("after", ""))
    return render(request, "cases/list.html", {"form": form, "rows": rows, "next": next_cursor,
                                               "query": page_query(request), "can_enter": can_enter,
                                               "mine": selectors.my_statuses(request.user)})


@login_required
def case_new(request):
    # Offered only with a source the service accepts: the same decision (workflow.entry_sources) in both.
    sources = workflow.entry_sources(request.user)
    if not sources:
        raise PermissionDenied(_("您的角色不能登记事件。"))
    status = 200
    form = CaseCreateForm(request.POST or None, user=request.user, sources=sources)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.case_create(
                actor=request.user, source=d["source"], grid=d["grid"], category=d["category"],
                description=d["description"], key=d["key"], level=d.get("level") or "center",
                settled_result=d.get("settled_result") or "", kind=d.get("kind") or "ordinary",
                address=d["address"], lng=d["lng"], lat=d["lat"], resident_name=d.get("resident_name") or "",
                resident_mobile=d.get("resident_mobile") or "", photos=request.FILES.getlist("photos"),
            )
        except PermissionDenied as error:  # a source the user's grants do not allow at this grid
            form.add_error(None, str(error))
            status = 403
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("事件已登记，受理编号 %(ref)s。") % {"ref": case.reference})
            return redirect("cases:detail", reference=case.reference)
    context = {"form": form, "tile_url": settings.MAP_TILE_URL, "tile_attribution": settings.MAP_TILE_ATTRIBUTION}
    return render(request, "cases/new.html", context, status=400 if form.errors and status == 200 else status)


@login_required
@require_POST
def from_visit(request, visit_id: int):
    # The ledger's visit, through the gate (an access_visit of the ledger's own selectors when it has its app).
    visit = scope.access(Visit.objects.select_related("grid", "category", "household"), request.user, pk=visit_id)
    try:
        case = services.case_from_visit(actor=request.user, visit=visit, key=request.POST.get("key") or None)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(safe_next(request, "ledger:list"))
    messages.success(request, _("已上报指挥中心，受理编号 %(ref)s。") % {"ref": case.reference})
    return redirect("cases:detail", reference=case.reference)


def _detail_context(request, case: Case, failed: StepForm | None = None) -> dict:
    steps = [*workflow.available_chains(request.user, case), *workflow.available_steps(request.user, case)]
    forms_ = [failed if failed is not None and failed.step.name == step.name else StepForm(step=step, case=case)
              for step in steps]
    is_center = request.user.is_superuser or scope.has_role(request.user, Role.COMMAND_CENTER)
    events = list(case.events.all())
    for event in events:
        event.label = workflow.event_label(event.action)
    return {
        "case": case, "events": events, "step_forms": forms_,
        "time_left": selectors.time_left(case),
        "duplicates": selectors.likely_duplicates(request.user, case) if is_center and case.is_open else [],
        "failed": failed, "mine": selectors.my_statuses(request.user),
    }


@login_required
@require_GET
def case_detail(request, reference: str):
    case = selectors.access_case_with_timeline(request.user, reference)
    if case.resident_mobile:  # shown unmasked to whoever reads the case: a read of personal data
        record_personal_read(request, f"cases.Case:{case.pk}")
    return render(request, "cases/detail.html", _detail_context(request, case))


@login_required
@require_POST
def case_step(request, reference: str, action: str):
    case = selectors.access_case(request.user, reference)
    step = workflow.STEPS.get(action) or workflow.CHAINS.get(action)
    if step is None:
        raise Http404
    form = StepForm(request.POST, step=step, case=case)
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.case_act(
                actor=request.user, case=case, action=action, version=d["version"], key=d["key"],
                note=d.get("note") or "", photos=request.FILES.getlist("photos") if step.photos else (),
                **form.inputs(),
            )
        except Conflict as error:
            form.add_error(None, error)
            status = 409
        except PermissionDenied as error:
            form.add_error(None, str(error) or _("您不能执行此操作。"))
            status = 403
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已%(action)s。") % {"action": step.offered_as})
            return redirect("cases:detail", reference=case.reference)
    case = selectors.access_case_with_timeline(request.user, reference)
    context = _detail_context(request, case, failed=form)
    if not any(shown is form for shown in context["step_forms"]):
        context["step_forms"].append(form)  # keep the user's input visible with the reason it failed
    return render(request, "cases/detail.html", context, status=status)


@login_required
@require_GET
def center_map(request):
    _require_role(request, *CENTER_ROLES)
    from grids.public_views import _map_settings

    return render(request, "cases/map.html", _map_settings())


@login_required
@require_GET
def center_map_data(request):
    _require_role(request, *CENTER_ROLES)
    return JsonResponse(selectors.open_cases_geojson(request.user), content_type="application/geo+json",
                        json_dumps_params={"ensure_ascii": False})


@login_required
@require_POST
def dispatch_many(request):
    """The queue's selected cases dispatched together; each case's outcome is said, the failures with why."""
    _require_role(request, Role.COMMAND_CENTER)
    back = safe_next(request, "cases:center")
    form = BatchDispatchForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    d = form.cleaned_data
    try:
        outcomes = services.case_dispatch_many(actor=request.user, items=d["cases"], department=d["department"],
                                               note=d["note"], key=d["key"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    done = sum(outcome.ok for outcome in outcomes)
    if done:
        messages.success(request, ngettext("已派遣 %(n)d 件事件。", "已派遣 %(n)d 件事件。", done) % {"n": done})
    for outcome in outcomes:
        if not outcome.ok:
            messages.error(request, _("%(ref)s 未派遣：%(reason)s") % {"ref": outcome.reference,
                                                                     "reason": outcome.error})
    return redirect(back)


@login_required
@require_GET
def notifications(request):
    kind, reference = request.GET.get("kind", "")[:32], request.GET.get("case", "")[:20]
    grouped = request.GET.get("group") == "case" and not (kind or reference)
    if grouped:
        rows, next_cursor = selectors.notices_by_case(request.user, request.GET.get("after", ""))
    else:
        f = selectors.NoticeFilter(kind=kind, case_reference=reference, unread_only=request.GET.get("unread") == "1")
        rows, next_cursor = keyset_page(selectors.notices(request.user, f), request.GET.get("after", ""),
                                        size=selectors.PAGE_SIZE)
    return render(request, "cases/notifications.html", {
        "rows": rows, "next": next_cursor, "query": page_query(request), "kinds": selectors.notice_kinds(request.user),
        "kind": kind, "case_reference": reference, "grouped": grouped, "unread": request.GET.get("unread") == "1",
        "kind_label": selectors.notice_kind_label(kind) if kind else "",
    })


@login_required
@require_GET
def notification_badge(request):
    unread = Notification.objects.visible_to(request.user).filter(read_at__isnull=True).count()
    return render(request, "cases/_badge.html", {"unread": unread})


@login_required
@require_POST
def notifications_read(request):
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
    marked = services.notification_read(actor=request.user, notification_ids=ids,
                                        kind=request.POST.get("kind", "")[:32],
                                        case_reference=request.POST.get("case", "")[:20])
    messages.success(request, ngettext("已将 %(n)d 条通知标为已读。", "已将 %(n)d 条通知标为已读。", marked) % {"n": marked})
    return redirect(safe_next(request, "notifications:list"))


QUEUE_LABELS_CENTER = {
    "new": gettext_lazy("待受理"), "dispatch": gettext_lazy("待派遣"), "returned": gettext_lazy("退回"), "extension": gettext_lazy("延期申请"),
    "verify": gettext_lazy("待核查"), "due_soon": gettext_lazy("即将超期"), "overdue": gettext_lazy("已超期"), "suspended": gettext_lazy("挂账"),
    "supervised": gettext_lazy("督办"),
}
QUEUE_LABELS_DEPARTMENT = {
    "sign": gettext_lazy("待签收"), "handling": gettext_lazy("处置中"), "overdue": gettext_lazy("已超期"), "suspended": gettext_lazy("挂账"),
    "done": gettext_lazy("已反馈/办结"),
}
SORT_LABELS = {"newest": gettext_lazy("最新登记"), "oldest": gettext_lazy("等待最久"), "deadline": gettext_lazy("时限最近")}
