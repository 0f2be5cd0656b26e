"""The affairs pages. Residents (no account): the catalogue, an item, applying (mobile → code → form with
uploads) and the private tracking page. Staff: the handling unit's queue and an application with its steps.

The tracking token is the applicant's capability: the page is read by token, not through the gate; it is not
indexed, sends no referrer and shows neither the applicant's mobile nor the staff's names."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import ALL, get_usage

from grids.models import Place
from ledger.models import Household
from wudu import scope
from wudu.access_log import record_personal_read
from wudu.errors import Conflict
from wudu.net import client_ip, ratelimit_key
from wudu.pages import page_query

from . import forms, selectors, services, workflow
from .certificates import certificate_pdf, mask_name, verification_url
from .models import Certificate, Status

SESSION = "affairs_apply"


def catalogue(request):
    communities = Place.objects.filter(level="community").select_related("parent").order_by("code")
    place = communities.filter(code=request.GET.get("place", "")).first()
    items = list(selectors.catalogue(place)) if place else []
    return render(request, "affairs/catalogue.html", {"communities": communities, "place": place, "items": items})


def item_page(request, item_id: int):
    item = selectors.public_item(item_id)
    place = Place.objects.filter(code=request.GET.get("place", ""), code__startswith=item.place.code).first()
    return render(request, "affairs/item.html", {"item": item, "place": place or item.place})


def _apply_page(request, item, place, *, stage: str, form, status: int = 200):
    context = {"item": item, "place": place, "stage": stage, "form": form,
               "minutes": settings.AFFAIRS_CODE_MINUTES}
    return render(request, "affairs/apply.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def apply(request, item_id: int):
    item = selectors.public_item(item_id)
    place = Place.objects.filter(code=request.GET.get("place", ""), code__startswith=item.place.code).first() or item.place
    if not item.applies_online:
        return redirect(reverse("affairs:item", args=[item.pk]) + f"?place={place.code}")
    state = request.session.get(SESSION, {})
    stage = "form" if state.get("proof") else ("code" if state.get("mobile") else "mobile")
    requirements = list(item.materials.all())
    step = request.POST.get("step", "")
    if request.method == "GET" or step == "restart":
        if step == "restart":
            request.session.pop(SESSION, None)
            stage = "mobile"
        form = {"mobile": forms.MobileForm(), "code": forms.CodeForm(),
                "form": forms.ApplyForm(requirements=requirements)}[stage]
        return _apply_page(request, item, place, stage=stage, form=form)
    if step == "send":
        form = forms.MobileForm(request.POST)
        if not form.is_valid():
            return _apply_page(request, item, place, stage="mobile", form=form, status=400)
        try:
            services.mobile_code_send(mobile=form.cleaned_data["mobile"], client_ip=client_ip(request))
        except ValidationError as error:
            form.add_service_error(error)
            return _apply_page(request, item, place, stage="mobile", form=form, status=429)
        request.session[SESSION] = {"mobile": form.cleaned_data["mobile"]}
        return _apply_page(request, item, place, stage="code", form=forms.CodeForm())
    if step == "verify" and state.get("mobile"):
        form = forms.CodeForm(request.POST)
        if form.is_valid():
            try:
                proof = services.mobile_code_verify(mobile=state["mobile"], code=form.cleaned_data["code"])
            except ValidationError as error:
                form.add_service_error(error)
            else:
                request.session[SESSION] = {**state, "proof": proof.pk}
                return _apply_page(request, item, place, stage="form", form=forms.ApplyForm(requirements=requirements))
        return _apply_page(request, item, place, stage="code", form=form, status=400)
    if step == "submit" and state.get("proof"):
        form = forms.ApplyForm(request.POST, request.FILES, requirements=requirements)
        if form.is_valid():
            try:
                application, token = services.application_submit_public(
                    item=item, place=place, applicant_name=form.cleaned_data["name"], mobile=state["mobile"],
                    proof_id=state["proof"], files=form.files_by_requirement(), key=form.cleaned_data["key"],
                    client_ip=client_ip(request))
            except ValidationError as error:
                form.add_service_error(error)
            else:
                request.session.pop(SESSION, None)
                if token is None:  # a retry of a submission already made: its link went out the first time
                    messages.info(request, _("该申请已提交，请查看短信中的进度链接。"))
                    return redirect("affairs:catalogue")
                messages.success(request, _("申请已提交，申请编号 %(ref)s。请保存本页链接，凭它查看办理进度、补正材料。")
                                 % {"ref": application.reference})
                return redirect("affairs:track", token=token)
        return _apply_page(request, item, place, stage="form", form=form, status=400)
    return redirect("affairs:apply", item_id=item.pk)


def _track_page(request, token: str, *, form=None, rating_form=None, status: int = 200):
    info = selectors.tracking(token)
    if form is None and info.missing:
        form = forms.MaterialsForm(requirements=info.missing, only={r.pk for r in info.missing})
    if rating_form is None and info.application.status == Status.CLOSED and info.rating is None:
        rating_form = forms.RatingForm()
    response = render(request, "affairs/track.html", {"info": info, "a": info.application, "form": form,
                                                      "rating_form": rating_form, "token": token}, status=status)
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
def track(request, token: str):
    return _track_page(request, token)


# The tracking page sends no referrer, so browsers post its forms with "Origin: null", which Django's CSRF check
# refuses (as on the cases' tracking page, cases.public_views.evaluate). Nothing here rides on a cookie: the
# authority is the secret token in the path, and a forged cross-site post would need that token.
@csrf_exempt
@never_cache
@require_POST
def resubmit(request, token: str):
    info = selectors.tracking(token)
    form = forms.MaterialsForm(request.POST, request.FILES, requirements=info.missing,
                               only={r.pk for r in info.missing})
    if form.is_valid():
        try:
            services.application_resubmit(token=token, files=form.files_by_requirement(), key=form.cleaned_data["key"])
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("补正材料已提交，请等待办理单位审核。"))
            return redirect("affairs:track", token=token)
    return _track_page(request, token, form=form, status=400)


@csrf_exempt  # see resubmit
@never_cache
@require_POST
def rate(request, token: str):
    """好差评: the holder of the tracking link rates a closed application, once."""
    selectors.application_for_token(token)
    form = forms.RatingForm(request.POST)
    if form.is_valid():
        try:
            services.application_rate(token=token, level=form.cleaned_data["level"],
                                      comment=form.cleaned_data["comment"], key=form.cleaned_data["key"])
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("感谢您的评价。"))
            return redirect("affairs:track", token=token)
    return _track_page(request, token, rating_form=form, status=400)


def _pdf_response(certificate: Certificate, url: str) -> HttpResponse:
    response = HttpResponse(certificate_pdf(certificate, url=url), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.pdf"'
    return response


@never_cache
@require_GET
def track_certificate(request, token: str):
    info = selectors.tracking(token)
    if info.certificate is None:
        raise Http404
    response = _pdf_response(info.certificate, verification_url(request, info.certificate.code))
    response["Referrer-Policy"] = "no-referrer"
    return response


def _too_many_verifications(request) -> bool:
    usage = get_usage(request, group="affairs.certificate_verify", key=ratelimit_key, method=ALL, increment=True,
                      rate=settings.AFFAIRS_VERIFY_PER_IP)
    return usage is not None and usage["should_limit"]


@never_cache
@require_GET
def verify(request, code: str):
    """The public page the QR code on a certificate leads to: what it states (the name masked, no mobile) and
    whether it is in force; an unknown code says so."""
    if _too_many_verifications(request):
        response = render(request, "affairs/verify.html", {"verdict": "limited"}, status=429)
    else:
        try:
            certificate = selectors.public_certificate(code)
        except Http404:
            response = render(request, "affairs/verify.html", {"verdict": "missing"}, status=404)
        else:
            response = render(request, "affairs/verify.html", {
                "verdict": "valid" if certificate.is_valid else "revoked", "c": certificate,
                "masked_name": mask_name(certificate.applicant_name),
                "issued_on": timezone.localdate(certificate.issued_at)})
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


# ---------------------------------------------------------------------------------------------- staff


@login_required
@require_http_methods(["GET", "POST"])
def on_behalf(request, household_id: int):
    """帮办代办: a grid worker applies for a household's resident during a visit (the service checks the grid)."""
    household = scope.access(Household.objects.visible_to(request.user).select_related("grid"), request.user,
                             pk=household_id)
    items = list(selectors.catalogue(household.grid.parent))
    item = next((i for i in items if str(i.pk) == request.GET.get("item", "")), None)
    form = None
    if item is not None:
        requirements = list(item.materials.all())
        form = forms.OnBehalfForm(request.POST or None, request.FILES or None, requirements=requirements,
                                  initial={"household": household.pk, "name": household.head_name,
                                           "mobile": household.phone})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                application, _token = services.application_submit_for(
                    actor=request.user, item=item, household=household, applicant_name=data["name"],
                    mobile=data["mobile"], files=form.files_by_requirement(), key=data["key"])
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("已代为提交，申请编号 %(ref)s。") % {"ref": application.reference})
                return redirect("affairs:detail", reference=application.reference)
    status = 400 if form is not None and form.errors else 200
    return render(request, "affairs/on_behalf.html", {"household": household, "items": items, "item": item,
                                                      "form": form}, status=status)



@login_required
def desk(request):
    tab = request.GET.get("tab") if request.GET.get("tab") in selectors.DESK_TABS else "open"
    applications, next_cursor = selectors.desk_page(request.user, tab, request.GET.get("after", ""))
    return render(request, "affairs/desk.html", {"applications": applications, "rows": applications, "tab": tab,
                                                 "next": next_cursor, "query": page_query(request),
                                                 "overdue": selectors.overdue_rectifications(request.user, applications)})


# The inputs each step's card shows (the service says which it needs).
STEP_FIELDS = {"request_materials": ("materials", "note"), "transfer": ("unit", "note"),
               "approve": ("result_kind", "result"), "refuse": ("reason", "basis")}


def _step_form(application, action: str, data=None):
    district = Place.objects.get(code=application.unit_place.code[:6])
    return forms.StepForm(data, item=application.item, version=application.version, district=district, prefix=action)


def _step_forms(application, data=None, action: str = ""):
    out = []
    for step in workflow.steps_open(application):
        form = _step_form(application, step.name, data if step.name == action else None)
        out.append((step, form, [form[name] for name in STEP_FIELDS.get(step.name, ("note",))]))
    return out


@login_required
def detail(request, reference: str, *, data=None, action: str = "", status: int = 200, rectify_form=None,
           revoke_form=None):
    application = selectors.access_application(request.user, reference)
    handles = workflow.handler_grant(request.user, application) is not None
    personal = selectors.sees_personal_data(request.user, application)
    if personal and request.method == "GET":  # the applicant's name and mobile opened: an access event
        record_personal_read(request, f"{application._meta.label}:{application.pk}")
    results = selectors.results(application)
    open_rectification = results["rectification"] is not None and results["rectification"].is_open
    valid_certificate = results["certificate"] is not None and results["certificate"].is_valid
    context = {"a": application, "handles": handles, "steps": application.steps.all(),
               "personal": personal,
               "forms": _step_forms(application, data, action) if handles else [],
               "materials": application.materials.select_related("requirement"), **results,
               "rectify_form": (rectify_form or forms.RectifyForm()) if handles and open_rectification else None,
               "revoke_form": (revoke_form or forms.RevokeCertificateForm()) if handles and valid_certificate else None}
    return render(request, "affairs/detail.html", context, status=status)


@login_required
@require_POST
def act(request, reference: str, action: str):
    application = selectors.access_application(request.user, reference)
    step = workflow.STEPS.get(action)
    if step is None or step.by != workflow.HANDLER:
        return redirect("affairs:detail", reference=reference)
    form = _step_form(application, action, request.POST)
    if not form.is_valid():
        return detail(request, reference, data=request.POST, action=action, status=400)
    data = form.cleaned_data
    try:
        done = services.application_act(
            actor=request.user, application=application, action=action, version=data["version"], key=data["key"],
            note=data["note"], materials=data["materials"], unit=data["unit"], result_kind=data["result_kind"],
            result=data["result"], reason=data["reason"], basis=data["basis"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return detail(request, reference, data=request.POST, action=action,
                      status=409 if isinstance(error, Conflict) else 400)
    if done.flagged:
        messages.warning(request, _("这是对该申请的第二次补正告知，已计入一次性告知考核。"))
    else:
        messages.success(request, _("已完成：%(step)s") % {"step": step.label})
    return redirect("affairs:detail", reference=reference)


@login_required
@require_GET
def certificate(request, reference: str):
    """The certificate's PDF for the handling unit (and the grid worker who applied on the resident's behalf): it
    bears the applicant's name, so the levels above, who read without personal data, are refused."""
    application = selectors.access_application(request.user, reference)
    if not selectors.sees_personal_data(request.user, application):
        raise PermissionDenied
    found = selectors.results(application)["certificate"]
    if found is None:
        raise Http404
    return _pdf_response(found, verification_url(request, found.code))


@login_required
@require_POST
def revoke_certificate(request, reference: str):
    application = selectors.access_application(request.user, reference)
    found = selectors.results(application)["certificate"]
    if found is None:
        raise Http404
    form = forms.RevokeCertificateForm(request.POST)
    if form.is_valid():
        try:
            services.certificate_revoke(actor=request.user, certificate=found, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("证明 %(number)s 已作废。") % {"number": found.number})
            return redirect("affairs:detail", reference=reference)
    return detail(request, reference, revoke_form=form, status=400)


@login_required
@require_POST
def rectify(request, reference: str):
    """The handling unit answers a bad rating (整改): the applicant is told by SMS."""
    application = selectors.access_application(request.user, reference)
    form = forms.RectifyForm(request.POST)
    if form.is_valid():
        try:
            services.rectification_answer(actor=request.user, application=application,
                                          answer=form.cleaned_data["answer"])
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("整改情况已答复，并已短信告知申请人。"))
            return redirect("affairs:detail", reference=reference)
    return detail(request, reference, rectify_form=form, status=400)
