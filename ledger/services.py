"""Every write to the grid register and the ledger: households, sites, patrols, visits, spot checks.

Phones submit with a client-generated UUID (`client_id`): a retry of the same submission returns the record
already saved instead of making a second one.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import CODE_LENGTH, Level, Place
from wudu import outbox, scope
from wudu.images import store_photos
from wudu.rules import MAX_PHOTOS
from wudu.writes import create_once, update_versioned

from .models import (
    DailyReport,
    FindingCategory,
    Household,
    HouseholdTag,
    Patrol,
    Site,
    SpotCheck,
    SpotCheckPhoto,
    Visit,
    VisitPhoto,
)
from .tasks import daily_report_build_task

CLOCK_SKEW = datetime.timedelta(minutes=5)  # phones' clocks run a little ahead
MAX_LATE = datetime.timedelta(days=7)  # an offline queue may deliver up to a week late
# `now` (on the writes below) is the moment the record is written as of: the wall clock, except when
# history is replayed (the demo district), where each record is checked as of its own day.
MAX_ROUTE_POINTS = 5000
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


# ---------------------------------------------------------------------------------------------- helpers


def _require_grid(place: Place, field: str = "grid") -> None:
    if place.level != Level.GRID:
        raise ValidationError({field: _("请选择一个网格。")}, code="not_grid")


def _check_time(value: datetime.datetime, field: str, *, now: datetime.datetime | None = None) -> None:
    now = now or timezone.now()
    if value > now + CLOCK_SKEW:
        raise ValidationError({field: _("时间不能晚于现在，请检查手机时间。")}, code="future")
    if value < now - MAX_LATE:
        raise ValidationError({field: _("只能补录 7 天以内的记录。")}, code="too_old")


def _uuid(value, field: str = "client_id") -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        raise ValidationError({field: _("提交标识无效，请刷新页面后重试。")}, code="invalid_key") from None


def check_id_number(value: str) -> str:
    """An 18-digit resident ID with a valid check digit (GB 11643), stored only where settings allow."""
    value = (value or "").strip().upper()
    if not value:
        return ""
    if not settings.STORE_ID_NUMBERS:
        raise ValidationError({"id_number": _("本系统未开启身份证号存储，请不要填写身份证号。")}, code="not_allowed")
    if len(value) != 18 or not value[:17].isdigit() or value[17] not in ID_CHECK:
        raise ValidationError({"id_number": _("身份证号应为 18 位。")}, code="bad_id")
    if ID_CHECK[sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True)) % 11] != value[17]:
        raise ValidationError({"id_number": _("身份证号校验位不正确，请核对。")}, code="bad_id")
    return value


def _store_photos(owner, photos: Iterable, photo_model, fk: str) -> None:
    photos = list(photos)
    existing = photo_model.objects.filter(**{fk: owner}).count()
    if existing + len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("每条记录最多 5 张照片。")}, code="too_many_photos")
    store_photos(photos, model=photo_model, owner={fk: owner})


# ---------------------------------------------------------------------------------------------- register


def household_create(
    *, actor, grid: Place, address: str, unit: str = "", room: str = "", head_name: str = "", phone: str = "",
    residents: int = 1, tags: Iterable[HouseholdTag] = (), id_number: str = "", building: Place | None = None,
    idempotency_key=None,
) -> Household:
    scope.require_create(actor, "household", grid)
    _require_grid(grid)
    if building is not None and building.parent_id != grid.pk:
        raise ValidationError({"building": _("楼院不属于该网格。")}, code="building_elsewhere")
    id_number = check_id_number(id_number)

    def create() -> Household:
        household = Household(
            grid=grid, building=building, address=address.strip(), unit=unit.strip(), room=room.strip(),
            head_name=head_name, phone=phone, residents=residents, id_number=id_number,
        )
        household.full_clean()
        household.save()
        household.tags.set(tags)
        return household

    try:
        return create_once(key=idempotency_key, actor=actor, model=Household, create=create)
    except IntegrityError:
        # Someone registered the same address a moment ago (full_clean checked before their row was there).
        raise ValidationError({"address": _("该地址的住户已登记，请勿重复登记。")}, code="duplicate") from None


def household_update(*, actor, household: Household, expected_version: int | None = None, tags=None,
                     **changes) -> Household:
    scope.require_change(actor, household, "household")
    if "id_number" in changes:
        changes["id_number"] = check_id_number(changes["id_number"])
    fields = {k: v for k, v in changes.items()
              if k in {"address", "unit", "room", "head_name", "phone", "residents", "id_number"}}
    with transaction.atomic():
        household = update_versioned(household, expected_version=expected_version, fields=fields)
        if tags is not None:
            household.tags.set(tags)
    return household


def site_create(
    *, actor, grid: Place, kind: str, name: str, address: str = "", lng: float | None = None, lat: float | None = None,
    duty_radius_m: int | None = None, idempotency_key=None,
) -> Site:
    scope.require_create(actor, "site", grid)
    _require_grid(grid)

    def create() -> Site:
        site = Site(grid=grid, kind=kind, name=name.strip(), address=address, lng=lng, lat=lat,
                    duty_radius_m=duty_radius_m)
        site.full_clean()
        site.save()
        return site

    try:
        return create_once(key=idempotency_key, actor=actor, model=Site, create=create)
    except IntegrityError:
        # Someone registered a place of this name in the grid a moment ago.
        raise ValidationError({"name": _("该网格已有同名场所。")}, code="duplicate") from None


# ---------------------------------------------------------------------------------------------- patrols


def _create_keyed(model, *, client_id: uuid.UUID, actor, owner_field: str, create):
    """The phone's `client_id` is the record's own unique key: the kernel's one idempotency rule applies."""
    return create_once(key=client_id, actor=actor, model=model, key_field="client_id", owner_field=owner_field,
                       create=create)


# Checked by the database when the row is saved (a copy saved a moment ago is then handed back, see
# wudu.writes.create_once): Django's own unique check would refuse that copy as "… 已存在".
KEYED = ["client_id"]


def patrol_start(
    *, actor, grid: Place, client_id, started_at: datetime.datetime | None = None,
    lng: float | None = None, lat: float | None = None, now: datetime.datetime | None = None,
) -> Patrol:
    """Open a patrol of the worker's own grid. A retry with the same client_id returns the same patrol."""
    client_id = _uuid(client_id)

    def create() -> Patrol:
        _require_grid(grid)
        if not scope.can_create(actor, "patrol", grid):
            raise PermissionDenied(_("只能巡查本人负责的网格。"))
        started = started_at or timezone.now()
        _check_time(started, "started_at", now=now)
        if Patrol.objects.filter(worker=actor, ended_at__isnull=True).exists():
            raise ValidationError(_("您已有一次未结束的巡查，请先结束它。"), code="patrol_open")
        if Patrol.objects.filter(worker=actor, started_at__lte=started, ended_at__gt=started).exists():
            raise ValidationError({"started_at": _("开始时间与您已有的巡查重叠。")}, code="overlap")
        route = [[lng, lat, int(started.timestamp())]] if lng is not None and lat is not None else []
        patrol = Patrol(client_id=client_id, worker=actor, grid=grid, started_at=started, route=route)
        patrol.full_clean(exclude=KEYED, validate_constraints=False)
        patrol.save()
        return patrol

    try:
        return _create_keyed(Patrol, client_id=client_id, actor=actor, owner_field="worker", create=create)
    except IntegrityError:
        # Not a copy of this submission: another open patrol of the worker won the race.
        raise ValidationError(_("您已有一次未结束的巡查，请先结束它。"), code="patrol_open") from None


def _clean_route(route) -> list:
    if route in (None, ""):
        return []
    if not isinstance(route, list) or len(route) > MAX_ROUTE_POINTS:
        raise ValidationError({"route": _("轨迹格式不正确。")}, code="bad_route")
    points = []
    for point in route:
        try:
            lng, lat, ts = float(point[0]), float(point[1]), int(point[2])
        except (TypeError, ValueError, IndexError):
            raise ValidationError({"route": _("轨迹格式不正确。")}, code="bad_route") from None
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            raise ValidationError({"route": _("轨迹坐标超出经纬度范围。")}, code="bad_route")
        points.append([lng, lat, ts])
    return points


def patrol_end(
    *, actor, patrol: Patrol, ended_at: datetime.datetime | None = None, route=None,
    now: datetime.datetime | None = None,
) -> Patrol:
    """Close the patrol: duration and route are kept. Ending it again with the same time changes nothing."""
    if patrol.worker_id != actor.pk:
        raise PermissionDenied(_("只能结束本人的巡查。"))
    ended_at = ended_at or timezone.now()
    if patrol.ended_at is not None:
        if abs((patrol.ended_at - ended_at).total_seconds()) < 1:
            return patrol
        raise ValidationError(_("这次巡查已经结束。"), code="already_ended")
    if ended_at < patrol.started_at:
        raise ValidationError({"ended_at": _("巡查结束时间不能早于开始时间。")}, code="ends_before_start")
    _check_time(ended_at, "ended_at", now=now)
    points = patrol.route + _clean_route(route)
    with transaction.atomic():
        updated = Patrol.objects.filter(pk=patrol.pk, ended_at__isnull=True).update(
            ended_at=ended_at, duration_seconds=int((ended_at - patrol.started_at).total_seconds()), route=points,
        )
        if updated != 1:
            raise ValidationError(_("这次巡查已经结束。"), code="already_ended")
        _rebuild_later(patrol.grid_id, timezone.localdate(patrol.started_at))
    patrol.refresh_from_db()
    return patrol


def visit_record(
    *, actor, patrol: Patrol, client_id, visit_type: str, visited_at: datetime.datetime | None = None,
    household: Household | None = None, site: Site | None = None, category: FindingCategory | None = None,
    finding: str = "", action: str = "", settled: bool = True, photos: Iterable = (),
    now: datetime.datetime | None = None,
) -> Visit:
    """Log one visit on an open patrol (or a closed one, for a late offline submission within its time)."""
    client_id = _uuid(client_id)
    photos = list(photos)

    def create() -> Visit:
        if patrol.worker_id != actor.pk:
            raise PermissionDenied(_("只能在本人的巡查中记录走访。"))
        at = visited_at or timezone.now()
        _check_time(at, "visited_at", now=now)
        if at < patrol.started_at - CLOCK_SKEW or patrol.ended_at and at > patrol.ended_at + CLOCK_SKEW:
            raise ValidationError({"visited_at": _("走访时间不在这次巡查的时间内。")}, code="outside_patrol")
        if household is not None and household.grid_id != patrol.grid_id:
            raise ValidationError({"household": _("该住户不在本网格内，只能走访本网格的住户。")}, code="outside_grid")
        if site is not None and site.grid_id != patrol.grid_id:
            raise ValidationError({"site": _("该场所不在本网格内，只能巡查本网格的场所。")}, code="outside_grid")
        if category is not None and not category.active:
            raise ValidationError({"category": _("该问题类别已停用，请选择其他类别。")}, code="inactive_category")
        if household is not None and site is not None:  # the table's check, said here: no query to ask it
            raise ValidationError({"site": _("一条走访记录只能对应一个住户或一个场所。")}, code="household_or_site")
        if len(photos) > MAX_PHOTOS:
            raise ValidationError({"photos": _("每条记录最多 5 张照片。")}, code="too_many_photos")
        visit = Visit(
            client_id=client_id, patrol=patrol, grid_id=patrol.grid_id, worker=actor, visited_at=at,
            visit_type=visit_type, household=household, site=site, category=category, finding=finding.strip(),
            action=action.strip(),
            settled=True if category is None else settled,  # nothing found: nothing left open
        )
        # The one check constraint is said above; the key's uniqueness is the database's (create_once).
        visit.full_clean(exclude=["patrol", "grid", "worker", *KEYED], validate_constraints=False)
        visit.save()
        _store_photos(visit, photos, VisitPhoto, "visit")
        _rebuild_later(patrol.grid_id, timezone.localdate(at))
        return visit

    return _create_keyed(Visit, client_id=client_id, actor=actor, owner_field="worker", create=create)


def visit_add_photos(*, actor, visit: Visit, photos: Iterable) -> Visit:
    if visit.worker_id != actor.pk:
        raise PermissionDenied(_("只能为本人的走访记录添加照片。"))
    with transaction.atomic():
        _store_photos(visit, photos, VisitPhoto, "visit")
    return visit


def _rebuild_later(grid_id: int, day: datetime.date) -> None:
    """A record for a day already reported (late, offline) rebuilds that day's report of its district."""
    code = DailyReport.objects.filter(place_id=grid_id, date=day).values_list("place__code", flat=True).first()
    if code is None:
        return  # not reported yet: the 21:00 build will count it
    district = code[:CODE_LENGTH[Level.DISTRICT]]
    # Through the outbox, written with the record: a broker outage delays the rebuild, never loses it. Debounced:
    # the late records of one district and day within the delay (a phone syncing its offline queue) share one
    # rebuild, run after them; a rebuild is idempotent (an upsert of the district's rows for the day).
    outbox.enqueue_coalesced(daily_report_build_task, day.isoformat(), district,
                             group=f"daily-report:{district}:{day.isoformat()}",
                             delay=datetime.timedelta(seconds=settings.DAILY_REPORT_REBUILD_DELAY_SECONDS))


# ---------------------------------------------------------------------------------------------- spot checks


def spot_check_record(
    *, actor, grid: Place, client_id, checked_on: datetime.date, findings: str, score, site: Site | None = None,
    photos: Iterable = (),
) -> SpotCheck:
    client_id = _uuid(client_id)
    photos = list(photos)

    def create() -> SpotCheck:
        _require_grid(grid)
        scope.require_create(actor, "spot_check", grid)
        if checked_on > timezone.localdate():
            raise ValidationError({"checked_on": _("暗访日期不能晚于今天。")}, code="future")
        if site is not None and site.grid_id != grid.pk:
            raise ValidationError({"site": _("该场所不在所选网格内。")}, code="outside_grid")
        check = SpotCheck(client_id=client_id, grid=grid, site=site, supervisor=actor, checked_on=checked_on,
                          findings=findings.strip(), score=score)
        check.full_clean(exclude=["supervisor", *KEYED])
        check.save()
        _store_photos(check, photos, SpotCheckPhoto, "spot_check")
        return check

    return _create_keyed(SpotCheck, client_id=client_id, actor=actor, owner_field="supervisor", create=create)
