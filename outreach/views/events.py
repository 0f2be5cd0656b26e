"""The staff pages of outreach events (/outreach/events/): the list (filters by kind, place and month, keyset
pages), one event with its actions, and the forms to create, edit, publish, cancel and report one. Each view parses,
calls one service or selector, and renders."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from grids.models import Department, Place
from wudu import scope
from wudu.errors import Conflict
from wudu.pages import page_query

from .. import forms, selectors, services
from ..models import EventStatus, PartyOrganization, VolunteerOrganization


def _require_reader(user) -> None:
    if not scope.reads(user, "event"):
        raise PermissionDenied


@login_required
def event_list(request):
    _require_reader(request.user)
    form = forms.EventFilterForm(request.GET, places=selectors.event_place_choices(request.user))
    rows, next_cursor, valid = [], "", form.is_valid()
    if valid:
        data = form.cleaned_data
        f = selectors.EventFilter(kind=data["kind"], place_code=data["place"], month=data["month"])
        rows, next_cursor = selectors.events_page(request.user, f, request.GET.get("after", ""))
    return render(request, "outreach/events/list.html", {
        "form": form, "rows": rows, "next": next_cursor, "query": page_query(request), "now": timezone.now(),
        "may_create": scope.has_role(request.user, *services.EVENT_WRITERS) or request.user.is_superuser,
    }, status=200 if valid else 400)


def _organizer(value: str):
    """'party:12' → the party organisation 12 (the service checks that the user sees it)."""
    if not value:
        return None
    kind, _sep, pk = value.partition(":")
    model = {"party": PartyOrganization, "volunteer": VolunteerOrganization, "department": Department}.get(kind)
    if model is None or not pk.isdigit():
        return None
    return model.objects.filter(pk=int(pk)).first()


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request):
    user = request.user
    venues = selectors.event_venue_choices(user, request.POST.get("venue") or request.GET.get("venue", ""))
    if not venues:
        raise PermissionDenied
    kwargs = {"venues": venues, "organizers": selectors.event_organizer_choices(user)}
    form = forms.EventCreateForm(request.POST or None, initial={"venue": request.GET.get("venue", "")}, **kwargs)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        key = data.pop("idempotency_key")
        venue = Place.objects.get(code=data.pop("venue"))
        try:
            event = services.event_create(actor=user, venue=venue, organizer=_organizer(data.pop("organizer")),
                                          idempotency_key=key, **data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("活动已保存为草稿，核对无误后请发布。"))
            return redirect("outreach_events:detail", pk=event.pk)
    return render(request, "outreach/events/form.html", {"form": form, "title": _("新建活动"), **_map()},
                  status=400 if form.errors else 200)


@login_required
def event_detail(request, pk: int):
    event = selectors.access_event(request.user, pk)
    writable = scope.can_change(request.user, event, "event")
    now = timezone.now()
    # The attendance page (check-in code and hours) is the recording organisation's (at a party organisation's
    # event, its party life's): linked for its readers.
    may_see_attendance = selectors.may_see_attendance(request.user, event)
    return render(request, "outreach/events/detail.html", {
        "event": event, "writable": writable, "now": now, "may_see_attendance": may_see_attendance,
        "may_publish": writable and event.status == EventStatus.DRAFT,
        "back_entry": event.status == EventStatus.DRAFT and event.starts_at <= now,
        "may_report": writable and event.status in (EventStatus.PUBLISHED, EventStatus.HELD) and event.ends_at <= now,
        "may_edit": writable and event.status in (EventStatus.DRAFT, EventStatus.PUBLISHED),
        "publish_form": forms.EventPublishForm(initial={"version": event.version,
                                                        "back_entry_reason": event.back_entry_reason}),
        "cancel_form": forms.EventCancelForm(initial={"version": event.version}),
    })


def _editable(request, pk: int):
    event = selectors.access_event(request.user, pk)
    if not scope.can_change(request.user, event, "event"):
        raise PermissionDenied
    return event


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request, pk: int):
    event = _editable(request, pk)
    initial = {name: getattr(event, name) for name in services.EVENT_FIELDS}
    initial["starts_at"] = timezone.localtime(event.starts_at)
    initial["ends_at"] = timezone.localtime(event.ends_at)
    form = forms.EventEditForm(request.POST or None, initial={**initial, "version": event.version})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.event_update(actor=request.user, event=event, expected_version=data.pop("version"), **data)
        except (ValidationError, Conflict) as error:
            _form_error(form, error)
        else:
            messages.success(request, _("活动已修改。"))
            return redirect("outreach_events:detail", pk=event.pk)
    return render(request, "outreach/events/form.html", {"form": form, "event": event, "title": _("修改活动"),
                                                         **_map()},
                  status=400 if form.errors else 200)


def _map() -> dict:
    """The venue's map point is picked on the grids' map (static/js/grid-picker.js), over the tiles if set."""
    return {"tile_url": settings.MAP_TILE_URL, "tile_attribution": settings.MAP_TILE_ATTRIBUTION}


def _form_error(form, error) -> None:
    if isinstance(error, Conflict):
        form.add_error(None, _("该活动已被他人修改，请刷新页面后重试。"))
    else:
        form.add_service_error(error)


def _act(request, pk: int, form_class, act, done: str):
    """A POST that takes one step on an event (publish, cancel): its refusal shown on the event's page."""
    event = _editable(request, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _("提交的内容不完整，请刷新页面后重试。"))
        return redirect("outreach_events:detail", pk=event.pk)
    try:
        act(event, form.cleaned_data)
    except Conflict:
        messages.error(request, _("该活动已被他人修改，请刷新页面后重试。"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("outreach_events:detail", pk=event.pk)


@login_required
@require_POST
def event_publish(request, pk: int):
    return _act(request, pk, forms.EventPublishForm, lambda event, data: services.event_publish(
        actor=request.user, event=event, expected_version=data["version"],
        back_entry_reason=data.get("back_entry_reason", "")), _("活动已发布，已在公开活动日历中显示。"))


@login_required
@require_POST
def event_cancel(request, pk: int):
    return _act(request, pk, forms.EventCancelForm, lambda event, data: services.event_cancel(
        actor=request.user, event=event, expected_version=data["version"]), _("活动已取消。"))


@login_required
@require_http_methods(["GET", "POST"])
def event_report(request, pk: int):
    event = _editable(request, pk)
    initial = {"version": event.version, "actual_audience": event.actual_audience,
               "audience_counted_by": event.audience_counted_by, "report": event.report}
    form = forms.EventReportForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.event_report(
                actor=request.user, event=event, expected_version=data["version"],
                actual_audience=data["actual_audience"], audience_counted_by=data["audience_counted_by"],
                report=data["report"], photos=data["photos"])
        except (ValidationError, Conflict) as error:
            _form_error(form, error)
        else:
            messages.success(request, _("活动简报已保存。"))
            return redirect("outreach_events:detail", pk=event.pk)
    return render(request, "outreach/events/report.html", {"form": form, "event": event},
                  status=400 if form.errors else 200)
