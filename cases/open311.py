"""Open311 GeoReport v2: other civic apps list our service categories, submit requests and read them.

JSON only: the spec's XML format is not offered (only the `.json` URLs exist). No API key either: submissions
go through the same service as the residents' own form (`case_submit_public`), with its rate limits per mobile
number and per network, and with source OPEN311. Differences from the spec, said in the error messages:
`lat`/`long` are required (the point decides the grid, an address string alone cannot) and so is `phone` (an
11-digit mobile: it is how the resident hears of progress). `email`, `device_id`, `account_id` and `media_url`
are accepted and ignored. An `Idempotency-Key` header (a UUID) makes a retried POST return the first request.

Reads are public, so they publish what a public tracker should and nothing more (cases.public_selectors says
which requests and why): residents' own requests only, never a mobile number, a name or a tracking token; the
description redacted (wudu.redact: ID numbers, phone numbers, e-mails, door numbers and recognisable names
masked) and cut to 200 characters; `address` is the street · community · grid names and `lat`/`long` the grid's
centre, never what was typed or the exact point. Reads are throttled per client address (OPEN311_READS_PER_IP,
default 120 an hour, django-ratelimit in the cache; 429 with an error list), return at most 50 rows and cover at
most 90 days a call (400 beyond).

Every length is enforced by the service (`description` 1000 characters, `address_string` 200, the name 30): an
oversized field answers 400 with the reason and stores nothing, and so does a body over Django's
DATA_UPLOAD_MAX_MEMORY_SIZE.
"""

from __future__ import annotations

import datetime
import re
import uuid

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import ALL, get_usage

from grids.services import grid_at
from wudu import rules, scope
from wudu.net import client_ip, ratelimit_key

from . import public_selectors
from . import services as case_services
from .models import Case, Source

DESCRIPTION_LENGTH = 200
READS_PER_IP = "120/h"


def _json(data, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _errors(status: int, *descriptions: str) -> JsonResponse:
    return _json([{"code": status, "description": str(d)} for d in descriptions], status=status)


def _iso(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


@require_GET
def services(request):
    rows = public_selectors.open311_services(request.GET.get("jurisdiction_id", ""))
    return _json([{
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": category.department.name if category.department_id else "",
    } for category in rows])


def _throttled(request) -> JsonResponse | None:
    """A 429 error list when this client address has used up its reads, else None (and one read is counted)."""
    usage = get_usage(request, group="cases.open311.read", key=ratelimit_key, method=ALL, increment=True,
                      rate=getattr(settings, "OPEN311_READS_PER_IP", READS_PER_IP))
    if usage is None or not usage["should_limit"]:
        return None
    response = _errors(429, _("查询过于频繁，请 %(seconds)d 秒后再试。") % {"seconds": max(usage["time_left"], 1)})
    response["Retry-After"] = str(max(usage["time_left"], 1))
    return response


def _request_json(case: Case) -> dict:
    grid = case.grid
    lat, lng = public_selectors.public_point(grid)
    return {
        "service_request_id": case.reference,
        "status": "open" if case.is_open else "closed",
        "status_notes": case.status_label,
        "service_name": case.category.name,
        "service_code": case.category.code,
        # Redacted first, then cut: a cut first could split a number into pieces too short to be recognised.
        "description": public_selectors.public_text(case.description)[:DESCRIPTION_LENGTH],
        "agency_responsible": case.department.name if case.department_id else "",
        "service_notice": "",
        "requested_datetime": _iso(case.created_at),
        "updated_datetime": _iso(case.updated_at),
        "expected_datetime": _iso(case.deadline),
        "address": public_selectors.public_place(grid),
        "lat": lat,
        "long": lng,
        "media_url": "",
    }


def _when(value: str, name: str) -> datetime.datetime | None:
    if not value:
        return None
    # An unescaped "+08:00" in a query string arrives as " 08:00".
    parsed = parse_datetime(re.sub(r"(T[\d:.]+) (\d{2}:?\d{2})$", r"\1+\2", value.strip()))
    if parsed is None and (day := parse_date(value.strip())) is not None:
        parsed = datetime.datetime.combine(day, datetime.time.min)
    if parsed is None:
        raise ValueError(_("%(name)s 不是有效的 ISO 8601 时间，例如 2026-01-01T00:00:00+08:00。") % {"name": name})
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _list(request):
    params = request.GET
    try:
        start, end = _when(params.get("start_date", ""), "start_date"), _when(params.get("end_date", ""), "end_date")
    except ValueError as error:
        return _errors(400, str(error))
    statuses = {s.strip() for s in params.get("status", "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        return _errors(400, _("status 只能是 open 或 closed。"))
    ids = params.get("service_request_id", "")
    try:
        rows = public_selectors.open311_requests(
            references=[r.strip() for r in ids.split(",") if r.strip()] if ids.strip() else None,
            statuses=statuses or None, service_code=params.get("service_code", "").strip(), start=start, end=end,
            jurisdiction=params.get("jurisdiction_id", "").strip())
    except ValueError as error:
        return _errors(400, str(error))
    return _json([_request_json(case) for case in rows])


def _name(first: str, last: str) -> str:
    first, last = first.strip(), last.strip()
    if (first + last).isascii():
        return " ".join(p for p in (first, last) if p)
    return last + first  # 王 + 女士: a Chinese name puts the family name first (the service checks the length)


def _create(request):
    try:
        data = request.POST
    except RequestDataTooBig:
        return _errors(400, _("提交的内容过大：问题描述不能超过 1000 字，地址不能超过 200 字。"))
    code = data.get("service_code", "").strip()
    if not code:
        return _errors(400, _("缺少 service_code（服务类别代码），可选值见 services.json。"))
    categories = list(public_selectors.open311_services().filter(code=code))
    if not categories:
        return _errors(404, _("未知的 service_code“%(code)s”，可选值见 services.json。") % {"code": code})
    problems = []
    try:
        lat, lng = float(data["lat"]), float(data["long"])
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise ValueError
    except (KeyError, ValueError):
        lat = lng = None
        problems.append(_("请提供有效的 lat 和 long（WGS-84 经纬度）：本平台按位置确定所在网格，仅有 address_string 无法受理。"))
    phone = data.get("phone", "").strip().replace(" ", "").removeprefix("+86")
    if not rules.is_mobile(phone):
        problems.append(_("请提供 phone：居民的 11 位手机号码，用于告知办理进度。"))
    description = data.get("description", "").strip()
    if not description:
        problems.append(_("请提供 description：问题描述。"))
    key = request.headers.get("Idempotency-Key", "").strip() or None
    if key:
        try:
            key = str(uuid.UUID(key))
        except ValueError:
            problems.append(_("Idempotency-Key 必须是 UUID。"))
    if problems:
        return _errors(400, *problems)
    grid = grid_at(lng, lat)
    if grid is None:
        return _errors(400, _("该位置不在本平台任何网格内。"))
    category = next((c for c in categories if c.district.code == grid.code[: scope.DISTRICT_CODE_LENGTH]), None)
    if category is None:
        return _errors(400, _("该位置所在的区不受理“%(code)s”类诉求。") % {"code": code})
    try:
        case = case_services.case_submit_public(
            category=category, description=description, resident_mobile=phone, key=key, grid=grid, lng=lng, lat=lat,
            address=data.get("address_string", "").strip(),
            resident_name=_name(data.get("first_name", ""), data.get("last_name", "")),
            client_ip=client_ip(request), source=Source.OPEN311)
    except ValidationError as error:
        return _errors(429 if getattr(error, "code", "") == "rate_limited" else 400, *error.messages)
    notice = _("已收到，受理编号 %(ref)s，待工作人员受理。提交人可凭受理编号和手机号在网上查询办理进度。") % {"ref": case.reference}
    return _json([{"service_request_id": case.reference, "service_notice": notice, "account_id": None,
                  "token": None}], status=201)


@csrf_exempt  # a machine API without cookies: nothing for a forged cross-site request to ride on
@require_http_methods(["GET", "POST"])
def requests(request):
    if request.method == "POST":
        return _create(request)
    return _throttled(request) or _list(request)


@require_GET
def request_detail(request, reference: str):
    if (refused := _throttled(request)) is not None:
        return refused
    rows = public_selectors.open311_requests(references=[reference])
    if not rows:
        return _errors(404, _("没有受理编号为 %(ref)s 的公开诉求。") % {"ref": reference})
    return _json([_request_json(rows[0])])
