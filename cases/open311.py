"""Open311 GeoReport v2: other civic apps list our service categories, submit requests and read them.

JSON only: the spec's XML format is not offered (only the `.json` URLs exist). No API key either: submissions
go through the same service as the residents' own form (`case_submit_public`), with its rate limits per mobile
number and per network, and with source OPEN311. Differences from the spec, said in the error messages:
`lat`/`long` are required (the point decides the grid, an address string alone cannot) and so is `phone` (an
11-digit mobile: it is how the resident hears of progress). `email`, `device_id`, `account_id` and `media_url`
are accepted and ignored. An `Idempotency-Key` header (a UUID) makes a retried POST return the first request.

Reads are public: only categories residents may choose, never petitions, never a mobile number, a name or a
tracking token; mobile numbers typed into a description are masked.
"""

from __future__ import annotations

import datetime
import re
import uuid

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from grids.services import grid_at
from wudu import scope
from wudu.net import client_ip

from . import public_selectors
from . import services as case_services
from .models import Case, Source

MOBILE = re.compile(r"^1[3-9]\d{9}$")
DESCRIPTION_LENGTH = 200


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


def _request_json(case: Case) -> dict:
    grid = case.grid
    return {
        "service_request_id": case.reference,
        "status": "open" if case.is_open else "closed",
        "status_notes": case.status_label,
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": public_selectors.mask_mobiles(case.description)[:DESCRIPTION_LENGTH],
        "agency_responsible": case.department.name if case.department_id else "",
        "service_notice": "",
        "requested_datetime": _iso(case.created_at),
        "updated_datetime": _iso(case.updated_at),
        "expected_datetime": _iso(case.deadline),
        "address": public_selectors.mask_mobiles(case.address) or f"{grid.parent.name if grid.parent_id else ''}{grid.name}",
        # A request without its own point is placed at the middle of its grid.
        "lat": case.lat if case.lat is not None else grid.centroid_lat,
        "long": case.lng if case.lng is not None else grid.centroid_lng,
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
    rows = public_selectors.open311_requests(
        references=[r.strip() for r in ids.split(",") if r.strip()] if ids.strip() else None,
        statuses=statuses or None, service_code=params.get("service_code", "").strip(), start=start, end=end,
        jurisdiction=params.get("jurisdiction_id", "").strip())
    return _json([_request_json(case) for case in rows])


def _name(first: str, last: str) -> str:
    first, last = first.strip(), last.strip()
    if (first + last).isascii():
        return " ".join(p for p in (first, last) if p)[:30]
    return (last + first)[:30]  # 王 + 女士: a Chinese name puts the family name first


def _create(request):
    data = request.POST
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
    if not MOBILE.match(phone):
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
    notice = _("已受理，受理编号 %(ref)s。提交人可凭受理编号和手机号在网上查询办理进度。") % {"ref": case.reference}
    return _json([{"service_request_id": case.reference, "service_notice": notice, "account_id": None,
                  "token": None}], status=201)


@csrf_exempt  # a machine API without cookies: nothing for a forged cross-site request to ride on
@require_http_methods(["GET", "POST"])
def requests(request):
    return _create(request) if request.method == "POST" else _list(request)


@require_GET
def request_detail(request, reference: str):
    rows = public_selectors.open311_requests(references=[reference])
    if not rows:
        return _errors(404, _("没有受理编号为 %(ref)s 的公开诉求。") % {"ref": reference})
    return _json([_request_json(rows[0])])
