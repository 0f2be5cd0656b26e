"""Volunteers and their hours from an evidence chain (志愿服务时长).

谁组织谁记录、谁记录谁证明: a service record belongs to the volunteer organisation that organised the event, and
only that organisation's office (the gate's `service_hours` writers at the organisation's place) countersigns it.

The chain: the organiser shows the event's check-in code (a QR and six digits that change every
VOLUNTEER_CODE_ROTATE_SECONDS, derived from a per-event secret); the volunteer, on their own phone and without an
account, gives the code and their registered mobile inside the event's window and, when the phone gives a
position, near the venue; the device is kept only as a keyed hash. A retried check-in returns the first record
(one row per volunteer and event, by a unique index). The check-out gives minutes = out − in, never more than the
event's length; a forgotten one is closed at the event's end by a beat task and flagged. Honour hours (荣誉时长)
are a separate kind: entered with a reason and an approver who is not the enterer, capped per record and per year,
verified by the approver only, and never counted as service (nor towards stars).

Anomaly flags (HoursFlag) are computed here and stored on the records; the review page lists them.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import math
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Level, Place
from wudu import scope
from wudu.writes import create_once, update_versioned

from ..models import (
    Event,
    EventKind,
    EventStatus,
    HoursFlag,
    HoursKind,
    HoursStatus,
    ServiceRecord,
    Volunteer,
    VolunteerMembership,
    VolunteerOrganization,
)
from .party_life import attendance_check_in, attendance_check_out, meeting_attendance_credit, party_members_of

__all__ = [
    "Presence", "checkin_code", "device_hash", "event_for_code", "gives_service_hours", "honour_hours_enter",
    "hours_close_forgotten", "hours_countersign", "hours_countersign_event", "hours_decline", "recording_organization", "star_level",
    "volunteer_check_in", "volunteer_check_out", "volunteer_join", "volunteer_leave", "volunteer_register",
    "volunteer_update",
]

# ---------------------------------------------------------------------------------------------- volunteers


def volunteer_register(
    *, actor, home: Place, name: str, mobile: str, registered_on: datetime.date | None = None, user=None,
    idempotency_key=None,
) -> Volunteer:
    """Register a real-name volunteer where they live. The same mobile registered again finds the first (if the
    actor sees it; a registration elsewhere is refused without saying whose it is)."""
    scope.require_create(actor, "volunteer", home)
    if home.level not in (Level.COMMUNITY, Level.GRID):
        raise ValidationError({"home": _("志愿者应在所住的社区或网格报到。")}, code="wrong_level")
    registered_on = registered_on or timezone.localdate()
    if registered_on > timezone.localdate():
        raise ValidationError({"registered_on": _("注册日期不能晚于今天。")}, code="future")
    mobile = (mobile or "").strip()

    def existing() -> Volunteer | None:
        found = Volunteer.objects.filter(mobile=mobile).first()
        if found is None:
            return None
        if not Volunteer.objects.visible_to(actor).filter(pk=found.pk).exists():
            raise ValidationError({"mobile": _("该手机号码已在其他地点注册为志愿者。")}, code="registered_elsewhere")
        return found

    def create() -> Volunteer:
        found = existing()
        if found is not None:
            return found
        volunteer = Volunteer(home=home, name=name.strip(), mobile=mobile, registered_on=registered_on, user=user)
        volunteer.full_clean(validate_constraints=False)  # the unique mobile is the index's: see below
        try:
            with transaction.atomic():
                volunteer.save()
        except IntegrityError:  # the same mobile registered at the same instant: hand back that one
            found = existing()
            if found is None:
                raise
            return found
        return volunteer

    return create_once(key=idempotency_key, actor=actor, model=Volunteer, create=create)


def volunteer_update(*, actor, volunteer: Volunteer, expected_version: int | None = None, **changes) -> Volunteer:
    scope.require_change(actor, volunteer, "volunteer")
    fields = {k: v for k, v in changes.items() if k in {"name", "mobile"}}
    return update_versioned(volunteer, expected_version=expected_version, fields=fields)


def _require_org_office(actor, organization: VolunteerOrganization) -> None:
    """The organisation's office: who may record and countersign its hours (the `service_hours` writers)."""
    if not scope.can_write_code(actor, "service_hours", organization.place.code):
        raise PermissionDenied


def volunteer_join(
    *, actor, volunteer: Volunteer, organization: VolunteerOrganization, role: str = "",
    joined_on: datetime.date | None = None,
) -> VolunteerMembership:
    """A volunteer joins an organisation (again: the membership is reopened, never duplicated)."""
    _require_org_office(actor, organization)
    joined_on = joined_on or timezone.localdate()
    with transaction.atomic():
        membership = (VolunteerMembership.objects.select_for_update()
                      .filter(volunteer=volunteer, organization=organization).first())
        if membership is None:
            membership = VolunteerMembership(volunteer=volunteer, organization=organization, role=role,
                                             joined_on=joined_on)
        elif membership.left_on is not None:
            membership.joined_on, membership.left_on, membership.role = joined_on, None, role
        else:
            return membership
        membership.full_clean(validate_unique=False)
        membership.save()
        return membership


def volunteer_leave(*, actor, membership: VolunteerMembership, left_on: datetime.date | None = None):
    _require_org_office(actor, membership.organization)
    left_on = left_on or timezone.localdate()
    if left_on < membership.joined_on:
        raise ValidationError({"left_on": _("退出日期不能早于加入日期。")}, code="before_join")
    if membership.left_on is None:
        membership.left_on = left_on
        membership.save(update_fields=["left_on"])
    return membership


# ---------------------------------------------------------------------------------------------- check-in code


def _key(purpose: str) -> bytes:
    return hashlib.sha256(f"wudu.outreach.{purpose}:{settings.SECRET_KEY}".encode()).digest()


def _event_secret(event: Event) -> bytes:
    """The event's own secret, derived (never stored, never shown): changing SECRET_KEY changes every code."""
    return hmac.new(_key("checkin"), f"{event.pk}:{event.created_at.isoformat()}".encode(), hashlib.sha256).digest()


def _window(now: datetime.datetime) -> int:
    return int(now.timestamp()) // max(settings.VOLUNTEER_CODE_ROTATE_SECONDS, 1)


def checkin_code(event: Event, *, now: datetime.datetime | None = None, window: int | None = None) -> str:
    """The six digits the organiser shows now (and in the QR's link)."""
    window = _window(now or timezone.now()) if window is None else window
    digest = hmac.new(_event_secret(event), str(window).encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def _open_events(now: datetime.datetime):
    early = datetime.timedelta(minutes=settings.VOLUNTEER_CHECKIN_EARLY_MINUTES)
    late = datetime.timedelta(minutes=settings.VOLUNTEER_CHECKOUT_LATE_MINUTES)
    return Event.objects.filter(starts_at__lte=now + early, ends_at__gte=now - late,
                                status__in=[EventStatus.PUBLISHED, EventStatus.HELD])


def event_for_code(code: str, *, now: datetime.datetime | None = None) -> Event | None:
    """The event whose current (or previous) code this is, among those open for check-in or check-out now."""
    now = now or timezone.now()
    code = (code or "").strip()
    if len(code) != 6 or not code.isdigit():
        return None
    window = _window(now)
    for event in _open_events(now).select_related("venue", "volunteer_organization"):
        if any(hmac.compare_digest(checkin_code(event, window=w), code) for w in (window, window - 1)):
            return event
    return None


def device_hash(token: str) -> str:
    """A keyed hash of the device cookie: the same phone is recognised, its cookie is never stored."""
    return hmac.new(_key("device"), (token or "").encode(), hashlib.sha256).hexdigest() if token else ""


# ---------------------------------------------------------------------------------------------- check-in / out


def gives_service_hours(event: Event) -> bool:
    """Volunteer lectures give service hours; performances, rehearsals, lessons and meetings only when the
    organiser marks the event as service (counts_as_service)."""
    return event.counts_as_service or event.kind == EventKind.LECTURE


def _metres(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def _check_position(event: Event, lng, lat) -> bool:
    """True when a position was given (and near enough); False when none was given. Too far: refused."""
    if lng is None or lat is None:
        return False
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        raise ValidationError(_("位置无效。"), code="bad_position")
    if event.lng is not None and event.lat is not None:
        distance = _metres(lng, lat, event.lng, event.lat)
        if distance > settings.VOLUNTEER_CHECKIN_RADIUS_METRES:
            raise ValidationError(
                _("您当前位置距活动地点约%(d)d米，超出%(max)d米，不能签到。请到活动现场后再试。")
                % {"d": round(distance), "max": settings.VOLUNTEER_CHECKIN_RADIUS_METRES}, code="too_far")
    return True


def _volunteer_by_mobile(mobile: str) -> Volunteer:
    volunteer = Volunteer.objects.filter(mobile=(mobile or "").strip()).first()
    if volunteer is None:
        raise ValidationError({"mobile": _("该手机号码未注册为志愿者，请先到社区登记。")}, code="not_registered")
    return volunteer


def _event_of_code(code: str, now: datetime.datetime) -> Event:
    event = event_for_code(code, now=now)
    if event is None:
        raise ValidationError({"code": _("签到码无效或已过期，请扫描现场最新的二维码。")}, code="bad_code")
    return event


def _check_window(event: Event, now: datetime.datetime) -> None:
    early = datetime.timedelta(minutes=settings.VOLUNTEER_CHECKIN_EARLY_MINUTES)
    if not (event.starts_at - early <= now <= event.ends_at):
        raise ValidationError(_("不在签到时间内：活动开始前%(m)d分钟至活动结束可签到。")
                              % {"m": settings.VOLUNTEER_CHECKIN_EARLY_MINUTES}, code="outside_window")


@dataclass(frozen=True)
class Presence:
    """A check-in (or out) at a party organisation's event that gives the person no service hours: their
    attendance at the meetings it stands for (MeetingAttendance, their 双报到 record), and nothing else."""

    event: Event
    checked_in_at: datetime.datetime
    checked_out_at: datetime.datetime | None
    meetings: int


def _presence(event: Event, rows) -> Presence:
    ins = [row.checked_in_at for row in rows if row.checked_in_at]
    outs = [row.checked_out_at for row in rows if row.checked_out_at]
    return Presence(event=event, checked_in_at=min(ins), checked_out_at=min(outs) if outs else None,
                    meetings=len(rows))


def recording_organization(event: Event, volunteer: Volunteer | None) -> VolunteerOrganization | None:
    """Who records a volunteer's service hours at an event (谁组织谁记录): a volunteer organisation's event, that
    organisation. A party organisation's event marked as service: the volunteer organisation the volunteer served
    with that day whose place covers the venue (the nearest one), so the office that certifies them is theirs; none
    (no hours) when they belong to no such organisation, or the event gives no hours."""
    if volunteer is None or not gives_service_hours(event):
        return None
    if event.volunteer_organization_id is not None:
        return event.volunteer_organization
    if event.party_organization_id is None:
        return None
    day = timezone.localtime(event.starts_at).date()
    memberships = (VolunteerMembership.objects.filter(volunteer=volunteer, joined_on__lte=day)
                   .filter(Q(left_on__isnull=True) | Q(left_on__gte=day)).select_related("organization__place"))
    covering = [m.organization for m in memberships if event.venue.code.startswith(m.organization.place.code)]
    return max(covering, key=lambda org: (len(org.place.code), -org.pk), default=None)


def _save_check_in(record: ServiceRecord) -> ServiceRecord:
    try:
        with transaction.atomic():
            record.save()
            _flag_shared_device(record)
            _flag_overlap(record)
            meeting_attendance_credit(record=record)
    except IntegrityError:
        # The same check-in at the same instant (a double tap, a retry on a weak signal): the first one stands.
        found = ServiceRecord.objects.filter(volunteer=record.volunteer, event=record.event,
                                             kind=HoursKind.SERVICE).first()
        if found is None:
            raise
        return found
    return record


def volunteer_check_in(
    *, code: str, mobile: str, device: str = "", lng: float | None = None, lat: float | None = None,
    now: datetime.datetime | None = None,
) -> ServiceRecord | Presence:
    """The volunteer (or party member) checks in on their own phone (no account: the code proves presence, the
    mobile names them).

    Refused outside the window (from VOLUNTEER_CHECKIN_EARLY_MINUTES before the start to the end), too far from
    the venue, at an event that gives no service hours. At a party organisation's event (a 主题党日, a branch
    meeting) a registered party member checks in too: the check-in is their attendance (and 双报到 record), with
    service hours only for the volunteers whose organisation records them (recording_organization); what it
    gives them alone is a Presence. A retry returns the first record, never a second row."""
    now = now or timezone.now()
    event = _event_of_code(code, now)
    if event.party_organization_id is not None:
        return _party_check_in(event, mobile, device, lng, lat, now)
    volunteer = _volunteer_by_mobile(mobile)
    existing = ServiceRecord.objects.filter(volunteer=volunteer, event=event, kind=HoursKind.SERVICE).first()
    if existing is not None:
        return existing
    _check_window(event, now)
    if event.volunteer_organization_id is None or not gives_service_hours(event):
        raise ValidationError(_("本活动不计志愿服务时长，无需签到。"), code="not_service")
    positioned = _check_position(event, lng, lat)
    return _save_check_in(ServiceRecord(
        volunteer=volunteer, organization=event.volunteer_organization, event=event, kind=HoursKind.SERVICE,
        checked_in_at=now, check_in_lng=lng if positioned else None, check_in_lat=lat if positioned else None,
        device=device, flags=[] if positioned else [HoursFlag.NO_POSITION.value],
    ))


def _party_people(event: Event, mobile: str) -> tuple[Volunteer | None, list]:
    volunteer = Volunteer.objects.filter(mobile=(mobile or "").strip()).first()
    members = party_members_of(mobile=mobile, user_id=volunteer.user_id if volunteer else None)
    if volunteer is None and not members:
        raise ValidationError({"mobile": _("该手机号码未登记为党员或志愿者，请先到社区报到。")},
                              code="not_registered")
    return volunteer, members


def _party_check_in(event: Event, mobile: str, device: str, lng, lat, now) -> ServiceRecord | Presence:
    volunteer, members = _party_people(event, mobile)
    existing = ServiceRecord.objects.filter(volunteer=volunteer, event=event, kind=HoursKind.SERVICE).first()
    if existing is not None:
        return existing
    _check_window(event, now)
    recorder = recording_organization(event, volunteer)
    positioned = _check_position(event, lng, lat)
    if recorder is not None:
        # The record's own check-in credits the attendance too (meeting_attendance_credit): one act, both records.
        return _save_check_in(ServiceRecord(
            volunteer=volunteer, organization=recorder, event=event, kind=HoursKind.SERVICE, checked_in_at=now,
            check_in_lng=lng if positioned else None, check_in_lat=lat if positioned else None, device=device,
            flags=[] if positioned else [HoursFlag.NO_POSITION.value],
        ))
    with transaction.atomic():
        rows = attendance_check_in(event=event, members=members, at=now)
        if not rows:
            transaction.set_rollback(True)
    if not rows:
        raise ValidationError(_("本活动不计您的志愿服务时长，也没有可记入的组织生活会议，无需签到。"),
                              code="nothing_to_credit")
    return _presence(event, rows)


def _length_minutes(event: Event) -> int:
    return int((event.ends_at - event.starts_at).total_seconds() // 60)


def _credited_minutes(record: ServiceRecord, out: datetime.datetime) -> int:
    minutes = int((out - record.checked_in_at).total_seconds() // 60)
    return max(0, min(minutes, _length_minutes(record.event)))


def volunteer_check_out(
    *, code: str, mobile: str, device: str = "", lng: float | None = None, lat: float | None = None,
    now: datetime.datetime | None = None,
) -> ServiceRecord | Presence:
    """The volunteer checks out (minutes = out − in, never more than the event's length). Again: the first
    check-out stands. At a party organisation's event, a member with no record of hours closes their attendance
    (a Presence)."""
    now = now or timezone.now()
    event = _event_of_code(code, now)
    if event.party_organization_id is not None:
        volunteer, members = _party_people(event, mobile)
    else:
        volunteer, members = _volunteer_by_mobile(mobile), []
    with transaction.atomic():
        record = (ServiceRecord.objects.select_for_update(of=("self",))
                  .filter(volunteer=volunteer, event=event, kind=HoursKind.SERVICE).select_related("event").first())
        if record is None and members:
            _check_position(event, lng, lat)
            rows = attendance_check_out(event=event, members=members, at=now)
            if rows:
                return _presence(event, rows)
        if record is None:
            raise ValidationError(_("您还没有在本活动签到，不能签退。"), code="not_checked_in")
        if record.checked_out_at is not None:
            return record
        positioned = _check_position(event, lng, lat)
        record.checked_out_at = now
        if positioned:
            record.check_out_lng, record.check_out_lat = lng, lat
        record.minutes = _credited_minutes(record, now)
        record.version += 1
        record.save()
        _flag_overlap(record)
        _flag_over_daily(record)
        meeting_attendance_credit(record=record)
    return record


def hours_close_forgotten(*, now: datetime.datetime | None = None) -> int:
    """Close the check-ins of events that ended (plus the check-out grace) without a check-out: at the event's
    end, never later, flagged. Idempotent: a closed record is not taken again. Returns how many were closed."""
    now = now or timezone.now()
    late = datetime.timedelta(minutes=settings.VOLUNTEER_CHECKOUT_LATE_MINUTES)
    ids = list(ServiceRecord.objects.filter(kind=HoursKind.SERVICE, checked_out_at__isnull=True,
                                            event__ends_at__lt=now - late).values_list("pk", flat=True)[:1000])
    closed = 0
    for pk in ids:
        with transaction.atomic():
            record = (ServiceRecord.objects.select_for_update(of=("self",)).select_related("event")
                      .filter(pk=pk, checked_out_at__isnull=True).first())
            if record is None:
                continue
            end = max(record.event.ends_at, record.checked_in_at)
            record.checked_out_at = end
            record.checkout_capped = True
            record.minutes = _credited_minutes(record, end)
            record.flags = _with(record.flags, HoursFlag.CHECKOUT_CAPPED)
            record.version += 1
            record.save()
            _flag_overlap(record)
            _flag_over_daily(record)
            closed += 1
    return closed


# ---------------------------------------------------------------------------------------------- flags


def _with(flags: list, flag: HoursFlag) -> list:
    return flags if flag.value in flags else [*flags, flag.value]


def _add_flag(queryset, flag: HoursFlag) -> None:
    for record in queryset.select_for_update():
        if flag.value not in record.flags:
            ServiceRecord.objects.filter(pk=record.pk).update(flags=_with(record.flags, flag))


def _local_day(moment: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.localtime(moment).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + datetime.timedelta(days=1)


def _flag_shared_device(record: ServiceRecord) -> None:
    """One device checking in more than HOURS_DEVICE_MAX_PEOPLE people in a day: every such record is flagged."""
    if not record.device:
        return
    start, end = _local_day(record.checked_in_at)
    same = ServiceRecord.objects.filter(device=record.device, checked_in_at__gte=start, checked_in_at__lt=end)
    if same.values("volunteer").distinct().count() > settings.HOURS_DEVICE_MAX_PEOPLE:
        _add_flag(same, HoursFlag.SHARED_DEVICE)
        record.flags = _with(record.flags, HoursFlag.SHARED_DEVICE)


def _span(record: ServiceRecord) -> tuple[datetime.datetime, datetime.datetime]:
    return record.checked_in_at, record.checked_out_at or record.event.ends_at


def _flag_overlap(record: ServiceRecord) -> None:
    """The same volunteer present at two events at once: both records are flagged."""
    start, end = _span(record)
    others = (ServiceRecord.objects.filter(volunteer=record.volunteer_id, kind=HoursKind.SERVICE,
                                           checked_in_at__lt=end)
              .exclude(pk=record.pk).select_related("event"))
    clashing = [other.pk for other in others if _span(other)[1] > start]
    if clashing:
        _add_flag(ServiceRecord.objects.filter(pk__in=[*clashing, record.pk]), HoursFlag.OVERLAP)
        record.flags = _with(record.flags, HoursFlag.OVERLAP)


def _flag_over_daily(record: ServiceRecord) -> None:
    """More than HOURS_DAILY_MAX hours of service checked in on one local day: that day's records are flagged."""
    start, end = _local_day(record.checked_in_at)
    day = ServiceRecord.objects.filter(volunteer=record.volunteer_id, kind=HoursKind.SERVICE,
                                       checked_in_at__gte=start, checked_in_at__lt=end)
    total = day.aggregate(total=Sum("minutes"))["total"] or 0
    if total > settings.HOURS_DAILY_MAX * 60:
        _add_flag(day, HoursFlag.OVER_DAILY)
        record.flags = _with(record.flags, HoursFlag.OVER_DAILY)


def _flag_honour_bursts(record: ServiceRecord) -> None:
    """Honour hours carry no check-in: N of them entered by one person within M minutes are flagged
    (no_checkin_burst); N back-entries (honour hours for a past event) by one organisation within a day too."""
    since = record.created_at - datetime.timedelta(minutes=settings.HOURS_BURST_MINUTES)
    burst = ServiceRecord.objects.filter(kind=HoursKind.HONOUR, recorded_by=record.recorded_by_id,
                                         created_at__gte=since, created_at__lte=record.created_at)
    if burst.count() >= settings.HOURS_BURST_COUNT:
        _add_flag(burst, HoursFlag.NO_CHECKIN_BURST)
    if record.event_id is not None and record.event.ends_at < record.created_at:
        day = ServiceRecord.objects.filter(
            kind=HoursKind.HONOUR, organization=record.organization_id, event__isnull=False,
            event__ends_at__lt=record.created_at,
            created_at__gte=record.created_at - datetime.timedelta(days=1), created_at__lte=record.created_at)
        if day.count() >= settings.HOURS_BACK_ENTRY_BURST:
            _add_flag(day, HoursFlag.BACK_ENTRY_BURST)


# ---------------------------------------------------------------------------------------------- honour hours


def honour_hours_enter(
    *, actor, volunteer: Volunteer, organization: VolunteerOrganization, minutes: int, reason: str, approver,
    event: Event | None = None, now: datetime.datetime | None = None, idempotency_key=None,
) -> ServiceRecord:
    """Honour hours (荣誉时长), entered by the organisation's office with a reason and an approver who is not the
    enterer; pending until the approver verifies them. Capped per record and per volunteer and year."""
    _require_org_office(actor, organization)
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写荣誉时长的原因。")}, code="no_reason")
    if approver is None or approver.pk == actor.pk:
        raise ValidationError({"approver": _("审批人须为录入人以外的另一人。")}, code="self_approval")
    if not scope.can_write_code(approver, "service_hours", organization.place.code):
        raise ValidationError({"approver": _("审批人须为该志愿服务组织的管理人员。")}, code="approver_outside")
    if volunteer.user_id is not None and volunteer.user_id in (actor.pk, approver.pk):
        raise ValidationError(_("不能为本人录入或审批荣誉时长。"), code="self")
    cap = settings.HONOUR_HOURS_MAX_PER_RECORD * 60
    if minutes is None or minutes <= 0 or minutes > cap:
        raise ValidationError({"minutes": _("荣誉时长每条须大于0且不超过%(h)d小时。")
                               % {"h": settings.HONOUR_HOURS_MAX_PER_RECORD}}, code="cap")
    if event is not None and event.volunteer_organization_id != organization.pk:
        raise ValidationError({"event": _("该活动不是本组织主办的。")}, code="other_organiser")

    def create() -> ServiceRecord:
        # Lock the volunteer's row: two entries at once cannot both pass the year's cap.
        Volunteer.objects.select_for_update().filter(pk=volunteer.pk).first()
        year = timezone.localtime(now).year
        used = (ServiceRecord.objects.filter(volunteer=volunteer, kind=HoursKind.HONOUR, created_at__year=year)
                .exclude(status=HoursStatus.DECLINED).aggregate(total=Sum("minutes"))["total"] or 0)
        yearly = settings.HONOUR_HOURS_MAX_PER_YEAR * 60
        if used + minutes > yearly:
            raise ValidationError({"minutes": _("超出每人每年荣誉时长上限%(h)d小时（今年已有%(used)s小时）。")
                                   % {"h": settings.HONOUR_HOURS_MAX_PER_YEAR, "used": round(used / 60, 1)}},
                                  code="year_cap")
        record = ServiceRecord(volunteer=volunteer, organization=organization, event=event, kind=HoursKind.HONOUR,
                               minutes=minutes, reason=reason, approved_by=approver, recorded_by=actor)
        record.full_clean(exclude=["volunteer", "organization", "event", "approved_by"])
        record.save()
        if now != record.created_at:
            ServiceRecord.objects.filter(pk=record.pk).update(created_at=now)
            record.created_at = now
        _flag_honour_bursts(record)
        record.refresh_from_db(fields=["flags"])
        return record

    return create_once(key=idempotency_key, actor=actor, model=ServiceRecord, create=create)


# ---------------------------------------------------------------------------------------------- countersign


def _require_countersigner(actor, record: ServiceRecord) -> None:
    if record.volunteer.user_id is not None and record.volunteer.user_id == actor.pk:
        raise ValidationError(_("不能确认本人的志愿服务时长。"), code="self")
    scope.require_change(actor, record, "service_hours")
    if record.kind == HoursKind.HONOUR and record.approved_by_id != actor.pk:
        raise ValidationError(_("荣誉时长只能由指定的审批人确认。"), code="not_approver")


def hours_countersign(*, actor, record: ServiceRecord, now: datetime.datetime | None = None) -> ServiceRecord:
    """The recording organisation's office countersigns a record (again: nothing changes)."""
    _require_countersigner(actor, record)
    with transaction.atomic():
        record = ServiceRecord.objects.select_for_update(of=("self",)).select_related("volunteer").get(pk=record.pk)
        if record.status == HoursStatus.VERIFIED:
            return record
        if record.status == HoursStatus.DECLINED:
            raise ValidationError(_("该记录已未通过，不能再确认。"), code="declined")
        if record.kind == HoursKind.SERVICE and record.checked_out_at is None:
            raise ValidationError(_("志愿者尚未签退，签退后才能确认。"), code="not_checked_out")
        record.status = HoursStatus.VERIFIED
        record.countersigned_by = actor
        record.countersigned_at = now or timezone.now()
        record.version += 1
        record.save()
    return record


def hours_countersign_event(*, actor, event: Event, now: datetime.datetime | None = None) -> int:
    """Countersign every pending, checked-out record of an event (the attendance page's 全部确认). Returns the
    number countersigned; records of the actor themself are skipped."""
    done = 0
    records = (ServiceRecord.objects.filter(event=event, kind=HoursKind.SERVICE, status=HoursStatus.PENDING,
                                            checked_out_at__isnull=False)
               .select_related("volunteer", "organization__place"))
    for record in records:
        if record.volunteer.user_id == actor.pk:
            continue
        hours_countersign(actor=actor, record=record, now=now)
        done += 1
    return done


def hours_decline(*, actor, record: ServiceRecord, reason: str, now: datetime.datetime | None = None) -> ServiceRecord:
    """The office declines a record, saying why. The record stays (never deleted), marked 未通过."""
    _require_countersigner(actor, record)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写未通过的原因。")}, code="no_reason")
    with transaction.atomic():
        record = ServiceRecord.objects.select_for_update(of=("self",)).get(pk=record.pk)
        if record.status != HoursStatus.PENDING:
            raise ValidationError(_("只有待确认的记录可以标为未通过。"), code="not_pending")
        record.status = HoursStatus.DECLINED
        record.declined_reason = reason[:200]
        record.countersigned_by = actor
        record.countersigned_at = now or timezone.now()
        record.version += 1
        record.save()
    return record


# ---------------------------------------------------------------------------------------------- stars


@dataclass(frozen=True)
class Stars:
    level: int  # 0 to 5
    next_at: int | None  # the hours of the next level, None at the top


def star_level(verified_service_minutes: int) -> Stars:
    """Stars from verified service hours only (VOLUNTEER_STAR_HOURS); honour hours never count."""
    hours = verified_service_minutes / 60
    thresholds = settings.VOLUNTEER_STAR_HOURS
    level = sum(1 for threshold in thresholds if hours >= threshold)
    return Stars(level=level, next_at=thresholds[level] if level < len(thresholds) else None)


def service_minutes_q() -> Q:
    return Q(kind=HoursKind.SERVICE, status=HoursStatus.VERIFIED)
