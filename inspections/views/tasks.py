"""The rectification pages: 任务清单 (the tasks, filtered, keyset pages), 责任清单 (per owner unit and responsible
person), assigning a task from a finding, a task's page with its steps, evidence and the step buttons the viewer
may take (inspections.workflow decides which). Parse, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wudu import scope
from wudu.errors import Conflict
from wudu.pages import keyset_page, page_query

from .. import workflow
from ..forms.tasks import AssignForm, StepForm, TaskFilterForm
from ..models import Finding
from ..selectors import tasks as selectors
from ..services import tasks as services

PAGE_SIZE = 30


@login_required
@require_GET
def task_list(request):
    form = TaskFilterForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return render(request, "inspections/tasks/list.html", {"form": form, "rows": []}, status=400)
    data = form.cleaned_data if form.is_bound else {}
    tasks = selectors.task_list(request.user, round_id=data["round"].pk if data.get("round") else None,
                                status=data.get("status") or "", owner=data.get("owner") or "",
                                due=data.get("due") or "")
    rows, next_cursor = keyset_page(tasks, request.GET.get("after", ""), size=PAGE_SIZE, keyset=selectors.BY_DEADLINE)
    return render(request, "inspections/tasks/list.html", {
        "form": form, "rows": rows, "next": next_cursor, "query": page_query(request),
        "today": timezone.localdate()})


@login_required
@require_GET
def responsibility(request):
    round_id = request.GET.get("round", "")
    rows = selectors.responsibility(request.user, round_id=int(round_id) if round_id.isdigit() and len(round_id) <= 18 else None)
    return render(request, "inspections/tasks/responsibility.html", {"rows": rows, "round": round_id})


@login_required
@require_http_methods(["GET", "POST"])
def assign(request, finding_id: int):
    finding = scope.access(Finding.objects.select_related("place", "round", "round__district", "team"),
                           request.user, pk=finding_id)
    if not workflow.may_assign(request.user, finding):
        raise PermissionDenied(_("只有巡察办或该问题所属巡察组（在巡察期内）可以交办整改任务。"))
    form = AssignForm(request.POST or None, finding=finding)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                task = services.task_assign(actor=request.user, finding=finding, measure=d["measure"],
                                            note=d.get("note") or "", idempotency_key=d["idempotency_key"],
                                            **form.owner_inputs())
            except PermissionDenied as error:
                form.add_error(None, str(error))
                status = 403
            except ValidationError as error:
                form.add_service_error(error, aliases={"owner_place": "owner", "owner_department": "owner"})
            else:
                messages.success(request, _("整改任务已交办。"))
                return redirect("inspection_tasks:detail", task_id=task.pk)
    return render(request, "inspections/tasks/assign.html", {"form": form, "finding": finding}, status=status)


def _detail(request, task, failed: StepForm | None = None, status: int = 200):
    forms_ = [failed if failed is not None and failed.step.name == step.name else StepForm(step=step, task=task)
              for step in workflow.available_steps(request.user, task)]
    if failed is not None and not any(form is failed for form in forms_):
        forms_.append(failed)
    steps = selectors.task_steps(task)
    for step in steps:
        step.label = workflow.step_label(step.action)
    return render(request, "inspections/tasks/detail.html", {
        "task": task, "steps": steps, "evidence": selectors.task_evidence(task), "step_forms": forms_,
        "missing": services.missing_evidence(task) if task.is_open else [], "failed": failed}, status=status)


@login_required
@require_GET
def detail(request, task_id: int):
    return _detail(request, selectors.access_task(request.user, task_id))


@login_required
@require_POST
def step(request, task_id: int, action: str):
    task = selectors.access_task(request.user, task_id)
    row = workflow.STEPS.get(action)
    if row is None or action not in workflow.TAKEN:
        raise Http404
    form = StepForm(request.POST, request.FILES, step=row, task=task)
    status = 400
    if form.is_valid():
        try:
            _take(request, row, task, form)
        except Conflict as error:
            form.add_error(None, error)
            status = 409
        except PermissionDenied as error:
            form.add_error(None, str(error) or _("您不能执行此操作。"))
            status = 403
        except ValidationError as error:
            form.add_service_error(error, aliases={"owner_place": "owner", "owner_department": "owner",
                                                   "resident_name": "resident_name", "evidence": None})
        else:
            messages.success(request, _("已%(action)s。") % {"action": row.label})
            return redirect("inspection_tasks:detail", task_id=task.pk)
    return _detail(request, selectors.access_task(request.user, task_id), failed=form, status=status)


def _take(request, row: workflow.Step, task, form: StepForm) -> None:
    d = form.cleaned_data
    common = dict(actor=request.user, task=task, version=d["version"], note=d.get("note") or "",
                  idempotency_key=d["key"])
    if row.name == "progress":
        lng, lat = d.get("lng"), d.get("lat")
        resident = None
        if d.get("resident_name") or d.get("resident_mobile"):
            resident = services.ResidentRequest(d.get("resident_name") or "", d.get("resident_mobile") or "")
        services.task_progress(**common, documents=d.get("documents") or [], resident=resident,
                               photos=[services.PhotoUpload(f, lng, lat) for f in d.get("photos") or []])
    elif row.name in ("reassign", "extend"):
        inputs = form.owner_inputs()
        if row.name == "extend":
            services.task_extend(**common, deadline=inputs.get("deadline"))
        else:
            services.task_reassign(**common, **inputs)
    else:
        services.take_step(row.name, **common)
