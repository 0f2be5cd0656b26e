"""The rounds area's pages (/xuncha/): the landing page of inspection roles, the rounds, one round with its teams,
and the forms to plan a round and staff a team. Each view parses, calls one selector or service, and renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from grids.models import Level, Place, User
from wudu import scope
from wudu.errors import Conflict
from wudu.pages import page_query

from ..forms import rounds as forms
from ..selectors import rounds as selectors
from ..services import rounds as services

RESOURCE = "inspection_round"


def _districts(user) -> list[Place]:
    """The districts where the user may plan a round."""
    districts = Place.objects.filter(level=Level.DISTRICT).defer("boundary").order_by("code")
    return [place for place in districts if scope.can_create(user, RESOURCE, place)]


@login_required
def home(request):
    """巡察首页: an inspector's teams, rounds, places and the days their access runs; the office's rounds."""
    user = request.user
    reads_rounds = scope.reads(user, RESOURCE)
    rows, next_cursor = selectors.rounds_page(user, size=10) if reads_rounds else ([], "")
    return render(request, "inspections/rounds/home.html", {
        "assignments": selectors.my_assignments(user), "rows": rows, "more": bool(next_cursor),
        "reads_rounds": reads_rounds, "today": timezone.localdate(),
        "may_create": reads_rounds and bool(_districts(user)),
    })


@login_required
def round_list(request):
    if not scope.reads(request.user, RESOURCE):
        raise PermissionDenied
    rows, next_cursor = selectors.rounds_page(request.user, request.GET.get("after", ""))
    return render(request, "inspections/rounds/list.html", {
        "rows": rows, "next": next_cursor, "query": page_query(request),
        "may_create": bool(_districts(request.user)),
    })


@login_required
def round_detail(request, pk: int):
    round_ = selectors.access_round(request.user, pk, with_teams=True)
    return render(request, "inspections/rounds/detail.html", {
        "round": round_, "teams": list(round_.teams.all()),
        "writable": scope.can_change(request.user, round_, RESOURCE),
        "may_publish": services.may_publish_progress(request.user, round_),
    })


@login_required
@require_POST
def round_progress(request, pk: int):
    """公开整改进展 / 撤回公开 (the inspection office): the round's public progress page opens or closes."""
    round_ = selectors.access_round(request.user, pk)
    if not services.may_publish_progress(request.user, round_):
        raise PermissionDenied
    form = forms.ProgressPublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请刷新页面后重试。"))
        return redirect("inspections:round", pk=round_.pk)
    publish = form.cleaned_data["action"] == "publish"
    change = services.round_progress_publish if publish else services.round_progress_withdraw
    try:
        change(actor=request.user, round=round_, expected_version=form.cleaned_data["version"])
    except Conflict:
        messages.error(request, _("该轮次已被他人修改，请刷新页面后重试。"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("整改进展已公开。") if publish else _("已撤回公开，公开页面不再显示本轮。"))
    return redirect("inspections:round", pk=round_.pk)


def _service_error(form, error) -> None:
    if isinstance(error, Conflict):
        form.add_error(None, _("该轮次已被他人修改，请刷新页面后重试。"))
    else:
        form.add_service_error(error, aliases={"district": None})


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request):
    districts = _districts(request.user)
    if not districts:
        raise PermissionDenied
    form = forms.RoundCreateForm(request.POST or None, districts=districts)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        key = data.pop("idempotency_key")
        district = next(place for place in districts if place.code == data.pop("district"))
        try:
            round_ = services.round_create(actor=request.user, district=district, idempotency_key=key, **data)
        except ValidationError as error:
            _service_error(form, error)
        else:
            messages.success(request, _("巡察轮次已保存，请为其组建巡察组。"))
            return redirect("inspections:round", pk=round_.pk)
    return render(request, "inspections/rounds/form.html", {"form": form, "title": _("新建巡察轮次")},
                  status=400 if form.errors else 200)


def _writable_round(request, pk: int, **kwargs):
    round_ = selectors.access_round(request.user, pk, **kwargs)
    if not scope.can_change(request.user, round_, RESOURCE):
        raise PermissionDenied
    return round_


@login_required
@require_http_methods(["GET", "POST"])
def round_edit(request, pk: int):
    round_ = _writable_round(request, pk)
    initial = {name: getattr(round_, name) for name in services.ROUND_FIELDS}
    form = forms.RoundEditForm(request.POST or None, initial={**initial, "version": round_.version})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.round_update(actor=request.user, round=round_, expected_version=data.pop("version"), **data)
        except ValidationError as error:
            _service_error(form, error)
        else:
            messages.success(request, _("巡察轮次已修改。"))
            return redirect("inspections:round", pk=round_.pk)
    return render(request, "inspections/rounds/form.html",
                  {"form": form, "round": round_, "title": _("修改巡察轮次")}, status=400 if form.errors else 200)


def _posted_people(request) -> list[int]:
    ids = [request.POST.get("leader", ""), *request.POST.getlist("members")]
    return [int(value) for value in ids if value.isdigit()]


def _searching(request) -> bool:
    """The search button of the team form (name="search"): find people, keep what was typed, save nothing."""
    return request.method == "POST" and "search" in request.POST


def _team_form(request, round_, form_class, *, team=None):
    """The team form with its choices: the people found by the search (`q`, from the form's search button or a
    link's `?q=`) plus those chosen already, the places. After a search the form comes back unbound, holding what
    was typed as its initial values: nothing is checked or saved until 保存."""
    searching = _searching(request)
    search = forms.PersonSearchForm(request.POST if searching else request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    if request.method == "POST":
        keep = _posted_people(request)
        initial = forms.team_typed(request.POST) if searching else {}
    elif team is not None:
        members = list(team.members.all())
        keep = [m.user_id for m in members]
        initial = {"name": team.name, "leader": next((m.user_id for m in members if m.is_leader), None),
                   "members": [m.user_id for m in members if not m.is_leader],
                   "places": [c.place_id for c in team.coverage.all()]}
    else:
        keep, initial = [], {}
    people = selectors.person_choices(request.user, query, keep=keep, team=team)
    data = request.POST if request.method == "POST" and not searching else None
    form = form_class(data, initial=initial, people=people, places=selectors.place_choices(round_.district))
    return form, search


def _team_input(form) -> dict:
    data = dict(form.cleaned_data)
    people = User.objects.in_bulk([data["leader"], *data["members"]])
    return {"name": data["name"], "leader": people[data["leader"]],
            "members": [people[pk] for pk in data["members"] if pk in people],
            "places": list(Place.objects.filter(pk__in=data["places"]).defer("boundary"))}


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request, pk: int):
    round_ = _writable_round(request, pk)
    form, search = _team_form(request, round_, forms.TeamCreateForm)
    if form.is_bound and form.is_valid():
        try:
            services.team_create(actor=request.user, round=round_, idempotency_key=form.cleaned_data["idempotency_key"],
                                 **_team_input(form))
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("巡察组已保存。"))
            return redirect("inspections:round", pk=round_.pk)
    return render(request, "inspections/rounds/team_form.html",
                  {"form": form, "search": search, "round": round_, "title": _("新建巡察组")},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request, pk: int, team_pk: int):
    team = selectors.access_team(request.user, pk, team_pk)
    round_ = team.round
    if not scope.can_change(request.user, round_, RESOURCE):
        raise PermissionDenied
    form, search = _team_form(request, round_, forms.TeamForm, team=team)
    if form.is_bound and form.is_valid():
        try:
            services.team_update(actor=request.user, team=team, **_team_input(form))
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("巡察组已修改。"))
            return redirect("inspections:round", pk=round_.pk)
    return render(request, "inspections/rounds/team_form.html",
                  {"form": form, "search": search, "round": round_, "team": team, "title": _("修改巡察组")},
                  status=400 if form.errors else 200)
