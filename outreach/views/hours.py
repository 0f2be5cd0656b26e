"""Pages of volunteers and their hours: the volunteer's public check-in/out page (a phone, no account), the
organiser's attendance page of an event (the rotating QR and code, who is in, countersign), the volunteer list,
a volunteer's record (hours by kind, stars) and the review list of anomalies."""

from __future__ import annotations

import secrets

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import ALL, get_usage

from grids.qr import qr_png
from wudu import rules, scope
from wudu.forms import Form
from wudu.net import ratelimit_key
from wudu.pages import keyset_page, page_query

from .. import selectors, services
from ..models import Event, HoursStatus

PAGE_SIZE = 50
DEVICE_COOKIE = "wudu_vdev"


def masked(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) == 11 else "****"


# ---------------------------------------------------------------------------------------------- public check-in


class CheckInForm(Form):
    code = forms.CharField(label=gettext_lazy("签到码（6位数字）"), min_length=6, max_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{6}",
                                                         "autocomplete": "one-time-code"}))
    mobile = forms.CharField(label=gettext_lazy("注册手机号码"), max_length=11, validators=[rules.mobile_validator],
                             widget=forms.TextInput(attrs={"inputmode": "tel", "pattern": rules.MOBILE,
                                                           "autocomplete": "tel"}))
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)


def _device(request) -> tuple[str, str]:
    token = request.COOKIES.get(DEVICE_COOKIE, "")
    if not (16 <= len(token) <= 64 and token.isalnum()):
        token = secrets.token_hex(16)
    return token, services.device_hash(token)


@never_cache
@require_http_methods(["GET", "POST"])
def check_in(request):
    """签到 / 签退 on the volunteer's own phone: the code from the organiser's QR (or typed), the registered mobile,
    and the phone's position when it gives one (static/js/checkin.js)."""
    token, device = _device(request)
    if request.method == "GET":
        form = CheckInForm(initial={"code": request.GET.get("c", ""), "mobile": request.session.get("volunteer_mobile", "")})
        response = render(request, "outreach/hours/check_in.html", {"form": form})
    else:
        response = _check_in_post(request, device)
    response.set_cookie(DEVICE_COOKIE, token, max_age=365 * 86400, httponly=True, samesite="Lax",
                        secure=request.is_secure())
    return response


def _check_in_post(request, device: str):
    form = CheckInForm(request.POST)
    usage = get_usage(request, group="outreach.checkin", key=ratelimit_key, method=ALL, increment=True,
                      rate=settings.VOLUNTEER_CHECKIN_PER_IP)
    if usage is not None and usage["should_limit"]:
        return render(request, "outreach/hours/check_in.html",
                      {"form": form, "error": _("操作过于频繁，请稍后再试。")}, status=429)
    if not form.is_valid():
        return render(request, "outreach/hours/check_in.html", {"form": form}, status=400)
    data = form.cleaned_data
    act = services.volunteer_check_out if request.POST.get("act") == "out" else services.volunteer_check_in
    try:
        record = act(code=data["code"], mobile=data["mobile"], device=device, lng=data["lng"], lat=data["lat"])
    except ValidationError as error:
        form.add_service_error(error)
        return render(request, "outreach/hours/check_in.html", {"form": form}, status=400)
    request.session["volunteer_mobile"] = data["mobile"]
    local = timezone.localtime
    if isinstance(record, services.Presence):
        # A party member at a party organisation's event: their attendance, no hours.
        if record.checked_out_at:
            messages.success(request, _("%(event)s：已签退 %(out)s。") % {
                "event": record.event.title, "out": local(record.checked_out_at).strftime("%H:%M")})
        else:
            messages.success(request, _("%(event)s：已签到 %(at)s，已记入组织生活出勤。活动结束时请再次扫码签退。") % {
                "event": record.event.title, "at": local(record.checked_in_at).strftime("%H:%M")})
    elif record.checked_out_at:
        messages.success(request, _("%(event)s：已签退 %(out)s，记 %(h)s 小时，待主办方确认。") % {
            "event": record.event.title, "out": local(record.checked_out_at).strftime("%H:%M"), "h": record.hours})
    else:
        messages.success(request, _("%(event)s：已签到 %(at)s。活动结束时请再次扫码签退。") % {
            "event": record.event.title, "at": local(record.checked_in_at).strftime("%H:%M")})
    return redirect(f"{reverse('outreach_hours:check_in')}?c={data['code']}")


# ---------------------------------------------------------------------------------------------- organiser


def _attendance_event(request, pk: int) -> Event:
    """The event, if the user reads its organisation's hours (the attendance is that organisation's records) or,
    for a party organisation's event, its party life (the check-ins are the members' attendance)."""
    event = (Event.objects.select_related("volunteer_organization__place", "party_organization__place", "venue")
             .filter(pk=pk).first())
    if event is None or not selectors.may_see_attendance(request.user, event):
        raise Http404
    return event


def _checkin_url(request, event: Event) -> str:
    path = f"{reverse('outreach_hours:check_in')}?c={services.checkin_code(event)}"
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


@login_required
@never_cache
@require_GET
def attendance(request, pk: int):
    event = _attendance_event(request, pk)
    records = selectors.event_attendance(request.user, event)
    org = event.volunteer_organization
    # At a party organisation's event the hours (if any) are each recorded by the volunteer's own organisation:
    # each row is signed by that organisation's office, and there is no 全部确认.
    may_sign = org is not None and scope.can_write_code(request.user, "service_hours", org.place.code)
    signers: dict[int, bool] = {}
    for r in records:
        if r.organization_id not in signers:
            signers[r.organization_id] = scope.can_write_code(request.user, "service_hours",
                                                              r.organization.place.code)
        r.may_sign = signers[r.organization_id]
    return render(request, "outreach/hours/attendance.html", {
        "event": event, "records": records, "code": services.checkin_code(event), "may_sign": may_sign,
        "members": selectors.event_member_check_ins(request.user, event) if event.party_organization_id else None,
        "refresh": max(settings.VOLUNTEER_CODE_ROTATE_SECONDS // 5, 30),
        "url": _checkin_url(request, event).split("?")[0],  # where to type the code: the page, without it
        "gives_hours": services.gives_service_hours(event),
        "pending": sum(1 for r in records if r.status == HoursStatus.PENDING and r.checked_out_at),
    })


@login_required
@never_cache
@require_GET
def attendance_qr(request, pk: int):
    event = _attendance_event(request, pk)
    return HttpResponse(qr_png(_checkin_url(request, event), box_size=10), content_type="image/png")


@login_required
@require_POST
def countersign(request, pk: int):
    """确认 one record (record=<id>), 全部确认 (all), or 未通过 (decline, with a reason)."""
    event = _attendance_event(request, pk)
    try:
        if request.POST.get("all"):
            if event.volunteer_organization_id is None:
                # At a party organisation's event each volunteer's own organisation signs its rows: no 全部确认.
                raise PermissionDenied
            done = services.hours_countersign_event(actor=request.user, event=event)
            messages.success(request, _("已确认 %(n)d 条记录。") % {"n": done})
        else:
            record = selectors.access_service_record(request.user, request.POST.get("record", ""))
            if record.event_id != event.pk:
                raise Http404
            if request.POST.get("decline"):
                services.hours_decline(actor=request.user, record=record, reason=request.POST.get("reason", ""))
                messages.success(request, _("已标为未通过：%(name)s。") % {"name": record.volunteer.name})
            else:
                services.hours_countersign(actor=request.user, record=record)
                messages.success(request, _("已确认：%(name)s。") % {"name": record.volunteer.name})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        raise
    except ValueError:
        raise Http404 from None
    return redirect("outreach_hours:attendance", pk=event.pk)


# ---------------------------------------------------------------------------------------------- lists


@login_required
@require_GET
def volunteer_list(request):
    if not scope.reads(request.user, "volunteer"):
        raise PermissionDenied
    rows, next_after = keyset_page(selectors.volunteers_with_hours(request.user), request.GET.get("after", ""),
                                   size=PAGE_SIZE)
    for row in rows:
        row.shown_mobile = row.mobile if scope.may_see_field(request.user, row, "volunteer", "mobile") else masked(
            row.mobile)
        row.stars = services.star_level(row.service_minutes).level
        row.service_hours, row.honour_hours, row.pending_hours = (
            round(row.service_minutes / 60, 1), round(row.honour_minutes / 60, 1), round(row.pending_minutes / 60, 1))
    return render(request, "outreach/hours/volunteers.html",
                  {"rows": rows, "next": next_after, "query": page_query(request)})


@login_required
@require_GET
def volunteer_detail(request, pk: int):
    volunteer = selectors.access_volunteer(request.user, pk)
    record = selectors.volunteer_record(request.user, volunteer)
    shown = volunteer.mobile if scope.may_see_field(request.user, volunteer, "volunteer", "mobile") else masked(
        volunteer.mobile)
    return render(request, "outreach/hours/volunteer.html", {"v": volunteer, "record": record, "mobile": shown,
                                                              "star_range": range(record.stars.level)})


@login_required
@require_GET
def review(request):
    if not scope.reads(request.user, "service_hours"):
        raise PermissionDenied
    rows, next_after = keyset_page(selectors.flagged_records(request.user), request.GET.get("after", ""),
                                   size=PAGE_SIZE)
    return render(request, "outreach/hours/review.html", {"rows": rows, "next": next_after,
                                                           "query": page_query(request)})
