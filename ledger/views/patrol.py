"""The phone patrol (日巡查): start, log visits, end. Plain HTML forms; JSON for the page's offline queue.

Every write goes through ledger.services, which is idempotent by the browser's client_id: a queued
submission sent twice returns the record already saved.
"""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, OuterRef, Subquery
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from grids.models import Place
from wudu import scope
from wudu.errors import messages_by_field

from .. import selectors
from .. import services as ledger
from ..forms import PatrolEndForm, PatrolStartForm, VisitForm
from ..models import FindingCategory, Household, Patrol, Visit, VisitType
from ..reports import patrol_minimum_minutes

PATROL_ROLES = scope.GRID_STAFF
HOUSEHOLDS_SHOWN = 300  # per page load; the search box filters these on the phone


def _grids(user):
    return Place.objects.filter(pk__in=scope.places_of(user, *PATROL_ROLES)).order_by("code")


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _answer(request, *, record=None, errors=None, status=201):
    """201 {id} or 4xx {field: [messages]} for the queue; a redirect with a message for a plain form."""
    if _wants_json(request):
        if errors is not None:
            errors = {field: [str(m) for m in msgs] for field, msgs in errors.items()}
            return JsonResponse(errors, status=status, json_dumps_params={"ensure_ascii": False})
        return JsonResponse({"id": record.pk, "client_id": str(getattr(record, "client_id", ""))}, status=201)
    for messages_ in (errors or {}).values():
        for message in messages_:
            messages.error(request, message)
    return redirect("patrol:home")


def _call(request, write, ok_message: str):
    try:
        record = write()
    except ValidationError as error:
        return _answer(request, errors=messages_by_field(error), status=400)
    except PermissionDenied as error:
        return _answer(request, errors={"__all__": [str(error) or _("您没有权限进行此操作。")]}, status=403)
    if not _wants_json(request):
        messages.success(request, ok_message)
    return _answer(request, record=record)


@login_required
def home(request):
    if not scope.has_role(request.user, *PATROL_ROLES):
        return render(request, "patrol/not_grid_staff.html", status=403)
    grids = list(_grids(request.user))
    patrol = Patrol.objects.filter(worker=request.user, ended_at__isnull=True).select_related("grid").first()
    visits, visit_count, finding_count, summary = [], 0, 0, None
    if patrol is not None:
        visit_count, finding_count = selectors.visit_figures(patrol)
        visits = Visit.objects.filter(patrol=patrol).select_related("household", "category")[:30]
    else:
        summary = selectors.last_patrol_today(request.user)
    seconds = selectors.patrol_seconds_today(grids)
    today = [_Today(grid, seconds.get(grid.pk, 0), patrol_minimum_minutes(grid)) for grid in grids]
    households = (
        Household.objects.visible_to(request.user).filter(grid__in=[g.pk for g in grids])
        # The latest visit of each household: one index probe each (visit_household_time), whatever the history.
        .annotate(last_visit=Subquery(
            Visit.objects.filter(household=OuterRef("pk")).order_by("-visited_at").values("visited_at")[:1]
        ))
        .order_by(F("last_visit").desc(nulls_last=True), "-created_at")[:HOUSEHOLDS_SHOWN]
    )
    return render(request, "patrol/home.html", {
        "grids": grids, "patrol": patrol, "visits": visits, "visit_count": visit_count, "households": households,
        "finding_count": finding_count, "summary": summary, "today": today,
        "district_minimum": settings.MIN_DAILY_PATROL_MINUTES,
        "categories": FindingCategory.objects.filter(active=True), "visit_types": VisitType.choices,
        "client_ids": [uuid.uuid4() for _i in range(3)],  # start, visit, end: pre-filled for plain forms
        "js_text": _js_text(),
    })


@dataclass
class _Today:
    """A grid's patrol time today (ended patrols) against its minimum, for the running timer."""

    grid: Place
    seconds: int
    minimum: int

    @property
    def minutes(self) -> int:
        return self.seconds // 60


def _js_text() -> dict[str, str]:
    """The words patrol.js shows (it has no catalog of its own)."""
    return {
        "waiting": _("待上传"), "sent": _("已上传"), "failed": _("未能保存"), "start": _("开始巡查"),
        "visit": _("走访记录"), "end": _("结束巡查"), "offline": _("离线：记录会先保存在手机上，联网后自动上传。"),
        "choose_type": _("请选择走访类型。"), "too_many_photos": _("每条记录最多 5 张照片。"),
        "saved": _("已保存。"), "saved_offline": _("已保存在手机上，联网后自动上传。"),
        "login_again": _("上传未成功：登录可能已过期，请重新登录后再打开本页，记录不会丢失。"),
        "patrol_failed": _("所属巡查未能开始，这条记录无法上传。"), "no_household": _("无需选择"),
        "no_finding": _("未发现问题"), "unsettled": _("未解决"), "photos": _("照片"),
        "photos_chosen": _("已选 %(n)s 张"),
        "storage_failed": _("手机无法保存这条记录，请检查浏览器存储设置。"),
        "colon": pgettext("label separator", "："),
    }


@require_POST
@login_required
def start(request):
    if not scope.has_role(request.user, *PATROL_ROLES):
        return _answer(request, errors={"__all__": [_("日巡查仅供网格员和网格长使用。")]}, status=403)
    form = PatrolStartForm(request.POST, grids=_grids(request.user))
    if not form.is_valid():
        return _answer(request, errors=form.errors, status=400)
    data = form.cleaned_data
    return _call(request, lambda: ledger.patrol_start(
        actor=request.user, grid=data["grid"], client_id=data["client_id"], started_at=data["started_at"],
        lng=data["lng"], lat=data["lat"]), _("巡查已开始。"))


@require_POST
@login_required
def end(request, pk: int):
    patrol = selectors.access_patrol(request.user, pk)
    form = PatrolEndForm(request.POST)
    if not form.is_valid():
        return _answer(request, errors=form.errors, status=400)
    return _call(request, lambda: ledger.patrol_end(
        actor=request.user, patrol=patrol, ended_at=form.cleaned_data["ended_at"],
        route=form.cleaned_data["route"]), _("巡查已结束。"))


@require_POST
@login_required
def visit(request, pk: int):
    patrol = selectors.access_patrol(request.user, pk)
    form = VisitForm(request.POST, user=request.user)
    if not form.is_valid():
        return _answer(request, errors=form.errors, status=400)
    data = form.cleaned_data
    return _call(request, lambda: ledger.visit_record(
        actor=request.user, patrol=patrol, client_id=data["client_id"], visit_type=data["visit_type"],
        visited_at=data["visited_at"], household=data["household"], category=data["category"],
        finding=data["finding"], action=data["action"], settled=not data["unsettled"],
        photos=request.FILES.getlist("photos")), _("走访记录已保存。"))


def service_worker(request):
    """The retired patrol-only service worker: it removes itself from phones that have it (the site's is /sw.js)."""
    response = render(request, "patrol/sw.js", content_type="application/javascript")
    response["Cache-Control"] = "no-cache"
    return response
