"""Pages of the lecturers' pool (宣讲团): the pool with its figures, a lecturer's page, the organiser's queue of lesson
requests and one request with its steps (派单, 接单 recorded for a lecturer without an account, delivery,
cancellation), the lecturer's own page (接单 / 谢绝), and the public pages: the phone-friendly 点单 form and the
request's link (its progress, and the audience's 评单 once delivered)."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from grids.models import Level, Place
from wudu import redact, scope
from wudu.forms import Form, KeyedForm, VersionedForm
from wudu.net import client_ip
from wudu.pages import page_query
from wudu.rules import MOBILE, resident_mobile_validator

from .. import selectors, services
from ..models import AudienceCount, LecturerKind, LecturerTopic, RequestStatus

# ---------------------------------------------------------------------------------------------- forms


def _date(**kw):
    return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **kw)


class RequestFields(Form):
    topic_wish = forms.CharField(label=_l("想听的内容"), max_length=200,
                                 help_text=_l("例如：党的二十大精神、垃圾分类、反诈宣传。"))
    preferred_from = _date(label=_l("希望日期（起）"), required=False)
    preferred_until = _date(label=_l("希望日期（止）"), required=False)
    expected_audience = forms.IntegerField(label=_l("预计听众人数"), min_value=1, max_value=5000, required=False)


class PublicRequestForm(RequestFields):
    community = forms.ModelChoiceField(label=_l("社区"), queryset=Place.objects.none())
    name = forms.CharField(label=_l("姓名"), max_length=50)
    mobile = forms.CharField(label=_l("手机号码"), max_length=11, validators=[resident_mobile_validator],
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": MOBILE,
                                                           "autocomplete": "tel"}))
    key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    field_order = ["community", "topic_wish", "preferred_from", "preferred_until", "expected_audience", "name",
                   "mobile"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = selectors.public_communities()
        self.fields["community"].label_from_instance = lambda place: f"{place.parent.name} · {place.name}"


class OfficialRequestForm(KeyedForm, RequestFields):
    community = forms.ModelChoiceField(label=_l("社区"), queryset=Place.objects.none())
    requester_name = forms.CharField(label=_l("点单人"), max_length=50)
    requester_mobile = forms.CharField(label=_l("联系电话"), max_length=11, validators=[resident_mobile_validator])

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = (Place.objects.visible_to(user).filter(level=Level.COMMUNITY)
                                             .defer("boundary").order_by("code"))


class AssignForm(VersionedForm):
    topic = forms.ModelChoiceField(label=_l("宣讲员 · 课题"), queryset=LecturerTopic.objects.none())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = selectors.lecturer_topics_for_assignment(user)
        self.fields["topic"].label_from_instance = lambda t: f"{t.lecturer.name} · {t.title}（{t.duration_minutes}分钟）"


class AcceptForm(VersionedForm):
    starts_at = forms.DateTimeField(label=_l("宣讲时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])


class ReasonForm(VersionedForm):
    reason = forms.CharField(label=_l("原因"), max_length=200)


class DeliverForm(VersionedForm):
    audience = forms.IntegerField(label=_l("实际听众人数"), min_value=0, max_value=5000)
    counted_by = forms.ChoiceField(label=_l("计数方式"), choices=AudienceCount.choices)
    report = forms.CharField(label=_l("宣讲简报"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class TopicForm(KeyedForm):
    title = forms.CharField(label=_l("课题"), max_length=100)
    summary = forms.CharField(label=_l("内容简介"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    duration_minutes = forms.IntegerField(label=_l("时长（分钟）"), min_value=1, max_value=120, initial=8)


class RatingForm(Form):
    mobile = forms.CharField(label=_l("手机号码"), max_length=11, validators=[resident_mobile_validator],
                             help_text=_l("每个手机号码只能评价一次，号码不会被保存。"),
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": MOBILE}))
    score = forms.TypedChoiceField(label=_l("评分"), coerce=int, widget=forms.RadioSelect,
                                   choices=[(n, f"{n} ★") for n in range(5, 0, -1)])
    comment = forms.CharField(label=_l("评价"), max_length=300, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


# ---------------------------------------------------------------------------------------------- staff pages


@login_required
def pool(request):
    kind = request.GET.get("kind", "")
    rows, next_after = selectors.lecturer_pool_page(request.user, request.GET.get("after", ""),
                                                    kind=kind if kind in LecturerKind.values else "")
    return render(request, "outreach/lecturers/pool.html", {
        "rows": rows, "next": next_after, "query": page_query(request), "kinds": LecturerKind.choices, "kind": kind,
        "communities": selectors.lessons_by_community(request.user)})


@login_required
def lecturer_detail(request, pk: int, *, topic_form=None, status: int = 200):
    lecturer = selectors.access_lecturer(request.user, pk)
    return render(request, "outreach/lecturers/lecturer.html", {
        "can_change": scope.can_change(request.user, lecturer, "lecturer"), "topic_form": topic_form or TopicForm(),
        "lecturer": lecturer, "figures": selectors.lecturer_figures([lecturer.pk])[lecturer.pk],
        "topics": list(lecturer.topics.select_related("reviewed_by").order_by("title")),
        "lessons": list(lecturer.lesson_requests.filter(status=RequestStatus.DELIVERED)
                        .select_related("community", "topic", "event").order_by("-delivered_at")[:50]),
        "sees_mobile": scope.may_see_field(request.user, lecturer, "lecturer", "mobile")}, status=status)


@login_required
@require_POST
def topic_add(request, pk: int):
    lecturer = selectors.access_lecturer(request.user, pk)
    form = TopicForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.lecturer_topic_add(actor=request.user, lecturer=lecturer, title=data["title"],
                                        summary=data["summary"], duration_minutes=data["duration_minutes"],
                                        idempotency_key=data["idempotency_key"])
            messages.success(request, _("课题已登记，审核通过后可派单。"))
            return redirect("outreach_lecturers:lecturer", pk=lecturer.pk)
        except ValidationError as error:
            form.add_service_error(error)
    return lecturer_detail(request, pk, topic_form=form, status=400)


@login_required
@require_POST
def topic_review(request, pk: int, topic_id: int):
    lecturer = selectors.access_lecturer(request.user, pk)
    topic = lecturer.topics.filter(pk=topic_id).first()
    if topic is None:
        raise PermissionDenied
    try:
        services.lecturer_topic_review(actor=request.user, topic=topic)
        messages.success(request, _("课题已审核通过。"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("outreach_lecturers:lecturer", pk=lecturer.pk)


@login_required
def queue(request):
    status = request.GET.get("status", "")
    rows, next_after = selectors.lesson_request_queue(request.user, request.GET.get("after", ""),
                                                      status=status if status in RequestStatus.values else "")
    return render(request, "outreach/lecturers/queue.html", {
        "rows": rows, "next": next_after, "query": page_query(request), "statuses": RequestStatus.choices,
        "status": status})


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request):
    form = OfficialRequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lesson = services.lesson_request_create(
                actor=request.user, community=data["community"], requester_name=data["requester_name"],
                requester_mobile=data["requester_mobile"], topic_wish=data["topic_wish"],
                preferred_from=data["preferred_from"], preferred_until=data["preferred_until"],
                expected_audience=data["expected_audience"], idempotency_key=data["idempotency_key"])
            return redirect("outreach_lecturers:request", pk=lesson.pk)
        except ValidationError as error:
            form.add_service_error(error)
    return render(request, "outreach/lecturers/request_new.html", {"form": form}, status=400 if form.errors else 200)


def _request_page(request, lesson, *, status: int = 200, **forms_):
    v = {"version": lesson.version}
    context = {
        "lesson": lesson, "ratings": list(lesson.ratings.order_by("-created_at")[:50]),
        "can_change": scope.can_change(request.user, lesson, "lesson_request"),
        "sees_mobile": scope.may_see_field(request.user, lesson, "lesson_request", "requester_mobile"),
        "assign_form": forms_.get("assign") or AssignForm(initial=v, user=request.user),
        "accept_form": forms_.get("accept") or AcceptForm(initial=v),
        "decline_form": forms_.get("decline") or ReasonForm(initial=v),
        "deliver_form": forms_.get("deliver") or DeliverForm(initial={**v, "counted_by": AudienceCount.HEADCOUNT}),
        "cancel_form": forms_.get("cancel") or ReasonForm(initial=v),
        # A step refused on a form the page no longer offers (the request moved on): its errors go on top.
        "step_errors": [str(e) for form in forms_.values() for errs in form.errors.values() for e in errs],
        "rating_url": request.build_absolute_uri(reverse("outreach_public_lessons:track", args=[lesson.rating_token])),
    }
    return render(request, "outreach/lecturers/request.html", context, status=status)


@login_required
def request_detail(request, pk: int):
    return _request_page(request, selectors.access_lesson_request(request.user, pk))


def _step(request, lesson, name: str, form, call, back: str):
    """Run one step of the loop from a posted form: the service's refusal goes back onto the form."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
            return redirect(back)
        except ValidationError as error:
            form.add_service_error(error)
    if back == reverse("outreach_lecturers:mine"):
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(back)
    return _request_page(request, lesson, status=400, **{name: form})


def _lesson_for_step(request, pk: int):
    """The request a step is taken on: through the gate for the organiser, or as the lecturer's own assignment."""
    mine = [r for r in selectors.my_lesson_requests(request.user) if r.pk == pk]
    return mine[0] if mine else selectors.access_lesson_request(request.user, pk)


def _back(request, lesson) -> str:
    if request.POST.get("from") == "mine":
        return reverse("outreach_lecturers:mine")
    return reverse("outreach_lecturers:request", args=[lesson.pk])


@login_required
@require_POST
def request_assign(request, pk: int):
    lesson = selectors.access_lesson_request(request.user, pk)
    form = AssignForm(request.POST, user=request.user)
    return _step(request, lesson, "assign", form, lambda d: services.lesson_request_assign(
        actor=request.user, request=lesson, lecturer=d["topic"].lecturer, topic=d["topic"],
        expected_version=d["version"]), _back(request, lesson))


@login_required
@require_POST
def request_accept(request, pk: int):
    lesson = _lesson_for_step(request, pk)
    form = AcceptForm(request.POST)
    return _step(request, lesson, "accept", form, lambda d: services.lesson_request_accept(
        actor=request.user, request=lesson, starts_at=d["starts_at"], expected_version=d["version"]),
        _back(request, lesson))


@login_required
@require_POST
def request_decline(request, pk: int):
    lesson = _lesson_for_step(request, pk)
    form = ReasonForm(request.POST)
    return _step(request, lesson, "decline", form, lambda d: services.lesson_request_decline(
        actor=request.user, request=lesson, reason=d["reason"], expected_version=d["version"]),
        _back(request, lesson))


@login_required
@require_POST
def request_deliver(request, pk: int):
    lesson = _lesson_for_step(request, pk)
    form = DeliverForm(request.POST)
    return _step(request, lesson, "deliver", form, lambda d: services.lesson_request_deliver(
        actor=request.user, request=lesson, audience=d["audience"], counted_by=d["counted_by"], report=d["report"],
        expected_version=d["version"]), _back(request, lesson))


@login_required
@require_POST
def request_cancel(request, pk: int):
    lesson = selectors.access_lesson_request(request.user, pk)
    form = ReasonForm(request.POST)
    return _step(request, lesson, "cancel", form, lambda d: services.lesson_request_cancel(
        actor=request.user, request=lesson, reason=d["reason"], expected_version=d["version"]),
        _back(request, lesson))


@login_required
def mine(request):
    lecturer = selectors.my_lecturer_profile(request.user)
    rows = selectors.my_lesson_requests(request.user) if lecturer else []
    for row in rows:
        row.accept_form = AcceptForm(initial={"version": row.version}, auto_id=f"id_{row.pk}_%s")
        row.decline_form = ReasonForm(initial={"version": row.version}, auto_id=f"id_d{row.pk}_%s")
    return render(request, "outreach/lecturers/mine.html", {"lecturer": lecturer, "rows": rows})


# ---------------------------------------------------------------------------------------------- public pages


@never_cache
@require_http_methods(["GET", "POST"])
def public_request(request):
    form = PublicRequestForm(request.POST or None, initial={"community": request.GET.get("community")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lesson = services.lesson_request_submit_public(
                community=data["community"], name=data["name"], mobile=data["mobile"], topic_wish=data["topic_wish"],
                preferred_from=data["preferred_from"], preferred_until=data["preferred_until"],
                expected_audience=data["expected_audience"], key=data["key"], client_ip=client_ip(request))
            messages.success(request, _("点单已提交。请保存本页链接：宣讲后，您和听众可凭它评价。"))
            return redirect("outreach_public_lessons:track", token=lesson.rating_token)
        except ValidationError as error:
            form.add_service_error(error, aliases={"requester_mobile": "mobile", "requester_name": "name"})
            status = 429 if getattr(error, "code", "") == "rate_limited" else 400
            return render(request, "outreach/lecturers/public_request.html", {"form": form}, status=status)
    if request.method == "GET":
        form.initial["key"] = uuid.uuid4()
    return render(request, "outreach/lecturers/public_request.html", {"form": form},
                  status=400 if form.errors else 200)


# The link's page sends no referrer, so browsers post its rating form with "Origin: null", which Django's CSRF check
# refuses. Nothing here rides on a cookie: the authority is the secret token in the path (as the residents' case
# tracking link, cases.public_views.evaluate), and a forged cross-site post would need that token.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def public_track(request, token: str):
    """A request's public link: its progress and, once delivered, the rating form (评单)."""
    lesson = selectors.public_lesson_request(token)
    form = RatingForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.lesson_rate_public(token=token, mobile=data["mobile"], score=data["score"],
                                        comment=data["comment"], client_ip=client_ip(request))
            messages.success(request, _("感谢您的评价！"))
            return redirect("outreach_public_lessons:track", token=token)
        except ValidationError as error:
            form.add_service_error(error)
            status = 429 if getattr(error, "code", "") == "rate_limited" else 400
    elif request.method == "POST":
        status = 400
    response = render(request, "outreach/lecturers/public_track.html", {
        "lesson": lesson, "form": form, "topic_wish": redact.redact(lesson.topic_wish),
        "delivered": lesson.status == RequestStatus.DELIVERED, "now": timezone.now()}, status=status)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
