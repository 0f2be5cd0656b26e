"""Residents' self-service (自助式网上办理): submit without an account, track through a private link, evaluate.

The tracking token in the link is the resident's capability for their case, so these pages read the case by
token (cases.public_selectors) rather than through the staff scope gate; the page never carries the token to
another site (no referrer) and asks search engines not to index it. A link travels (forwarded, screenshotted,
written to a log), so the page shows every typed text (the description, the address, the notes of the result, of
a cancellation or a check, the verdict's comment, the resident's own words too) redacted as Open311 publishes
it (wudu.redact), and never the resident's name or mobile.

Submissions are held to the limits per mobile and per network inside the transaction that inserts the case
(wudu.quota), so parallel posts cannot all pass a count taken before any of them was saved."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import ALL, get_usage

from wudu import rules
from wudu.errors import Conflict
from wudu.net import client_ip, ratelimit_key

from . import public_forms, public_selectors, services
from .models import Status


def _submit_page(request, form, *, message: str = "", status: int = 200):
    context = {"form": form, "message": message, "tile_url": settings.MAP_TILE_URL,
               "tile_attribution": settings.MAP_TILE_ATTRIBUTION, "max_photos": rules.MAX_PHOTOS}
    return render(request, "cases/public/submit.html", context, status=status)


@require_http_methods(["GET", "POST"])
def submit(request):
    if request.method == "GET":
        # A grid's public notice links here with its grid chosen (?grid=<code>).
        return _submit_page(request, public_forms.SubmitForm(initial={"grid": request.GET.get("grid", "")}))
    form = public_forms.SubmitForm(request.POST, request.FILES)
    if form.is_bot:
        # Say nothing about why; keep what was typed for the rare person whose browser filled the trap.
        data = request.POST.copy()
        data["website"] = ""
        return _submit_page(request, public_forms.SubmitForm(data), status=400,
                            message=_("提交未成功，请稍后再试。如情况紧急请拨打热线。"))
    if not form.is_valid():
        return _submit_page(request, form, status=400)
    data = form.cleaned_data
    point = data["lng"] is not None and data["lat"] is not None
    try:
        case = services.case_submit_public(
            category=data["category"], description=data["description"], resident_mobile=data["mobile"],
            resident_name=data["name"], key=data["key"], grid=data["grid"],
            lng=data["lng"] if point else None, lat=data["lat"] if point else None,
            address=data["address"], photos=data["photos"], client_ip=client_ip(request))
    except ValidationError as error:
        form.add_service_error(error)
        return _submit_page(request, form, status=429 if getattr(error, "code", "") == "rate_limited" else 400)
    # Say what is true: the case is received and waits for staff to accept it (待受理), it is not accepted yet.
    messages.success(request, _("您的诉求已提交，受理编号 %(ref)s，当前状态：%(status)s。请收藏或保存本页链接，"
                                "凭它随时查看办理进度并评价。") % {"ref": case.reference, "status": case.get_status_display()})
    return redirect("cases_public:track", token=case.tracking_token)


def _failed_lookups(request, *, add: bool = False) -> bool:
    """Whether this address has used up its failed lookups for the hour (`add`: count one more first)."""
    usage = get_usage(request, group="cases.lookup", key=ratelimit_key, method=ALL, increment=add,
                      rate=settings.CASE_LOOKUP_FAILURES_PER_IP)
    return usage is not None and usage["count"] >= usage["limit"]


@require_http_methods(["GET", "POST"])
def lookup(request):
    form = public_forms.LookupForm(request.POST or None)
    if request.method == "GET" or not form.is_valid():
        return render(request, "cases/public/lookup.html", {"form": form}, status=200 if not form.errors else 400)
    if _failed_lookups(request):
        form.add_error(None, _("查询失败次数过多，请一小时后再试；也可凭受理短信中的链接查看，或拨打热线。"))
        return render(request, "cases/public/lookup.html", {"form": form}, status=429)
    token = public_selectors.token_for(form.cleaned_data["reference"], form.cleaned_data["mobile"])
    if token is None:
        _failed_lookups(request, add=True)
        # The same answer whether the reference exists or not.
        form.add_error(None, _("未找到与该手机号匹配的受理编号"))
        return render(request, "cases/public/lookup.html", {"form": form})
    return redirect("cases_public:track", token=token)


def _track_page(request, token: str, info, *, form=None, message: str = "", status: int = 200):
    if form is None and info.can_evaluate:
        form = public_forms.EvaluationForm(version=info.version)
    path = reverse("cases_public:track", args=[token])
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    context = {"info": info, "form": form if info.can_evaluate else None, "message": message, "token": token,
               "page_url": base + path if base else request.build_absolute_uri(path)}
    response = render(request, "cases/public/track.html", context, status=status)
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
@never_cache
def track(request, token: str):
    return _track_page(request, token, public_selectors.tracking(token))


# The tracking page sends no referrer, so browsers post this form with "Origin: null", which Django's CSRF
# check refuses. Nothing here rides on a cookie: the authority is the secret token in the path, and a forged
# cross-site post would need that token, with which one can evaluate directly anyway.
@csrf_exempt
@require_POST
@never_cache
def evaluate(request, token: str):
    case = public_selectors.case_for_token(token)
    form = public_forms.EvaluationForm(request.POST)
    if not form.is_valid():
        info = public_selectors.tracking(token)
        if info.can_evaluate:
            return _track_page(request, token, info, form=form, status=400)
        return _track_page(request, token, info, message=_not_now(info), status=409)
    data = form.cleaned_data
    try:
        case = services.case_act(actor=None, case=case, action="evaluate", version=data["version"], token=token,
                                 evaluation=data["evaluation"], note=data["comment"], key=data["key"])
    except PermissionDenied as error:
        return _track_page(request, token, public_selectors.tracking(token), message=str(error), status=403)
    except ValidationError as error:
        info = public_selectors.tracking(token)
        if not info.can_evaluate:
            return _track_page(request, token, info, message=_not_now(info), status=409)
        status = 409 if isinstance(error, Conflict) else 400
        return _track_page(request, token, info, form=form, message=" ".join(error.messages), status=status)
    if case.status == Status.FILED:
        messages.info(request, _("您的意见已收到，该事项已重新交办处理，办结后请再次评价。"))
    else:
        messages.success(request, _("感谢您的评价！"))
    return redirect("cases_public:track", token=token)


def _not_now(info) -> str:
    if info.evaluation or info.reopened:
        return _("您已经评价过该诉求，不能重复评价。感谢您的反馈！")
    return _("该诉求尚未办结，办结后才能评价。")
