"""Every write to a case: creating one (from a finding, a resident, the hotline or above) and every step of the
loop. HTML views, the API, Open311, tasks and the demo all come through here.

A step is one transaction: claim the case's version (a concurrent step on the same case gets Conflict), check
the actor's role for this case, move the state through the django-fsm transition, save, write the immutable
event, and schedule the notices after commit. A client key makes a retried submission return what the first
one did."""

from __future__ import annotations

import datetime
import hmac
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from grids import geo
from grids.models import Department, Place
from grids.models import Level as PlaceLevel
from grids.services import grid_at
from ledger.models import Visit
from wudu import outbox, quota, scope
from wudu.errors import Conflict
from wudu.images import store_photos
from wudu.rules import MAX_PHOTOS
from wudu.writes import create_once

from . import counters, workflow
from .holidays import may_keep_calendar
from .models import (
    Case,
    CaseCategory,
    CaseEvent,
    CasePhoto,
    Holiday,
    Kind,
    Level,
    LimitUnit,
    Notification,
    ReferenceCounter,
    Source,
    Status,
)
from .tasks import case_notify_task
from .timers import case_timers_run  # noqa: F401 (the system's timer job is a write too: callers find it here)

DESCRIPTION_MAX = 1000  # Case.description (also a database constraint)
MAX_EXTENSION_DAYS, NOTE_MAX = workflow.MAX_EXTENSION_DAYS, workflow.NOTE_MAX
RESIDENT = "resident"


# ---------------------------------------------------------------------------------------------- creating


def case_create(
    *, actor, source: str, grid: Place, category: CaseCategory, description: str, key=None,
    level: str = Level.CENTER, settled_result: str = "", kind: str = Kind.ORDINARY, building: Place | None = None,
    lng: float | None = None, lat: float | None = None, address: str = "", photos: Iterable = (),
    resident_name: str = "", resident_mobile: str = "", now: datetime.datetime | None = None,
) -> Case:
    """A case entered by staff: a grid worker's report (settled in the building or grid, or escalated), a
    hotline call registered by the command center, or an assignment from above (both filed at once)."""
    if source not in workflow.ENTRY:
        raise ValidationError({"source": _("来源无效。")}, code="invalid_source")
    # The one grant that allows this kind of entry at this grid: an assignment needs an assigning grant that
    # reaches the grid, not a grid worker's grant here and an official's somewhere else. Its role is recorded.
    grant = workflow.entry_grant(actor, source, grid)
    if grant is None:
        raise PermissionDenied(_("您不能在该网格登记这类事件。"))
    if source != Source.PATROL:
        level, settled_result = Level.CENTER, ""
    status = Status.REPORTED if level == Level.CENTER else Status.LOCAL
    if source in (Source.HOTLINE, Source.ASSIGNED):
        status = Status.FILED
    return _create(
        actor=actor, role=grant.role, key=key, status=status, settled_result=settled_result, photos=photos, now=now,
        fields=dict(source=source, kind=kind, level=level, grid=grid, category=category, description=description,
                    building=building, lng=lng, lat=lat, address=address, reporter=actor,
                    resident_name=resident_name, resident_mobile=resident_mobile),
    )


def case_from_visit(*, actor, visit: Visit, key=None, now: datetime.datetime | None = None) -> Case:
    """One tap from the ledger: an open finding of a visit becomes a case for the command center."""
    grant = scope.grant_to_act(actor, visit, "visit", workflow.GRID_STAFF)
    if visit.worker_id != actor.pk and grant is None:
        raise PermissionDenied(_("只能上报本网格的走访发现。"))
    existing = Case.objects.filter(visit=visit).first()
    if existing is not None:
        return existing  # already escalated (a second tap, or someone else first)
    if visit.category_id is None or visit.settled:
        raise ValidationError(_("这条走访记录没有待解决的问题，无需上报。"), code="nothing_open")
    category = (CaseCategory.objects.filter(finding_category_id=visit.category_id, active=True,
                                            district__code=visit.grid.code[: scope.DISTRICT_CODE_LENGTH])
                .order_by("sort_order", "id").first())
    if category is None:
        raise ValidationError(_("“%(name)s”尚未对应事件类别，请在上报页面选择类别。") % {"name": visit.category.name},
                              code="no_category")
    description = visit.finding or visit.category.name
    if visit.action:
        description += "\n" + _("已采取措施：%(action)s") % {"action": visit.action}
    if len(description) > DESCRIPTION_MAX:  # a finding and its action can be longer together than a case's text
        description = description[: DESCRIPTION_MAX - 1] + "…"
    now = now or timezone.now()

    def link(case: Case) -> None:
        claimed = Visit.objects.filter(pk=visit.pk, escalated_at__isnull=True).update(escalated_at=now)
        if claimed != 1:
            raise Conflict(_("这条走访发现已被上报，请刷新页面。"))

    return _create(
        actor=actor, role=grant.role if grant else "", key=key, status=Status.REPORTED, now=now, after=link,
        copy_photos=list(visit.photos.all()),
        fields=dict(source=Source.PATROL, level=Level.CENTER, grid_id=visit.grid_id, grid=visit.grid,
                    category=category, description=description, reporter=actor, visit=visit,
                    building=visit.household.building if visit.household_id else None,
                    address=visit.household.address if visit.household_id else ""),
    )


def public_limits() -> tuple[int, int]:
    return settings.CASE_PUBLIC_PER_MOBILE_PER_DAY, settings.CASE_PUBLIC_PER_IP_PER_HOUR


def case_submit_public(
    *, category: CaseCategory, description: str, resident_mobile: str, key, grid: Place | None = None,
    lng: float | None = None, lat: float | None = None, address: str = "", resident_name: str = "",
    photos: Iterable = (), client_ip: str | None = None, source: str = Source.RESIDENT,
    now: datetime.datetime | None = None,
) -> Case:
    """A resident's own request, without an account (自助式网上办理), or one relayed by an Open311 client."""
    now = now or timezone.now()
    if grid is None:
        if lng is None or lat is None:
            raise ValidationError({"grid": _("请在地图上选择位置，或选择所在网格。")}, code="no_place")
        grid = grid_at(lng, lat)
        if grid is None:
            raise ValidationError({"lng": _("您选择的位置不在本区任何网格内，请重新选择。")}, code="outside")
    if not category.public or not category.active:
        raise ValidationError({"category": _("该类别不受理网上提交，请选择其他类别或拨打热线。")}, code="not_public")
    per_mobile, per_ip = public_limits()

    def claim() -> None:
        # Counted inside the transaction that inserts the case: parallel submissions queue on the counter row, and
        # a refused or failed insert uses nothing. A retry with the key of a case already made never gets here.
        allowed = quota.take("case_public_mobile", resident_mobile, limit=per_mobile, period=quota.DAY, now=now)
        if allowed and client_ip:
            allowed = quota.take("case_public_ip", client_ip, limit=per_ip, period=quota.HOUR, now=now)
        if not allowed:
            raise ValidationError(
                _("提交过于频繁：同一手机号每天最多 %(mobile)d 件，同一网络每小时最多 %(ip)d 件。如情况紧急请拨打热线。")
                % {"mobile": per_mobile, "ip": per_ip}, code="rate_limited")

    return _create(
        actor=None, role=RESIDENT, key=key, status=Status.REPORTED, photos=photos, now=now, claim=claim,
        fields=dict(source=source, level=Level.CENTER, grid=grid, category=category, description=description,
                    lng=lng, lat=lat, address=address, resident_name=resident_name,
                    resident_mobile=resident_mobile, client_ip=client_ip),
    )


def _check_lengths(fields: dict, settled_result: str = "") -> None:
    """Every text a case path accepts, against its column, before anything is written: the forms and serializers
    check too, but Open311, tasks and the demo come straight here, and SQLite does not enforce a varchar."""
    errors = {}
    for name, value in fields.items():
        field = Case._meta.get_field(name)
        limit = DESCRIPTION_MAX if name == "description" else getattr(field, "max_length", None)
        if isinstance(value, str) and limit and len(value) > limit:
            errors[name] = _too_long(field.verbose_name, limit, len(value))
    if len(settled_result) > NOTE_MAX:
        errors["settled_result"] = _too_long(_("处置结果"), NOTE_MAX, len(settled_result))
    if errors:
        raise ValidationError(errors, code="too_long")


def _too_long(label, limit: int, length: int) -> str:
    return _("%(label)s不能超过 %(n)d 字（现有 %(length)d 字）。") % {"label": label, "n": limit, "length": length}


def _validate_place(fields: dict) -> None:
    grid, category, building = fields["grid"], fields["category"], fields.get("building")
    if grid.level != PlaceLevel.GRID:
        raise ValidationError({"grid": _("事件必须落在一个网格内。")}, code="not_grid")
    if not category.active:
        raise ValidationError({"category": _("该事件类别已停用，请选择其他类别。")}, code="inactive_category")
    if category.district.code != grid.code[: scope.DISTRICT_CODE_LENGTH]:
        raise ValidationError({"category": _("该事件类别不属于本区。")}, code="other_district")
    if building is not None and building.parent_id != grid.pk:
        raise ValidationError({"building": _("楼院不属于该网格。")}, code="building_elsewhere")
    lng, lat = fields.get("lng"), fields.get("lat")
    if (lng is None) != (lat is None):
        raise ValidationError({"lng": _("经度和纬度需同时填写。")}, code="half_point")
    if lng is not None and grid.boundary and not geo.contains_point(grid.boundary, lng, lat):
        raise ValidationError({"lng": _("所选位置不在该网格内。")}, code="outside_grid")
    if not (fields.get("description") or "").strip():
        raise ValidationError({"description": _("请描述问题。")}, code="required")


def _create(*, actor, role: str, key, status: str, fields: dict, settled_result: str = "", photos: Iterable = (),
            copy_photos: Iterable = (), after=None, claim=None, now: datetime.datetime | None = None) -> Case:
    now = now or timezone.now()
    photos = list(photos)
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("每件事件最多 %(n)d 张照片。") % {"n": MAX_PHOTOS}}, code="too_many_photos")
    fields["description"] = (fields.get("description") or "").strip()
    _check_lengths(fields, settled_result)
    _validate_place(fields)
    if status == Status.LOCAL and fields["level"] not in (Level.BUILDING, Level.GRID):
        raise ValidationError({"level": _("处置层级无效。")}, code="invalid_level")

    def create() -> Case:
        if claim is not None:
            claim()
        case = Case(status=status, created_at=now, tracking_token=secrets.token_urlsafe(24),
                    reference=_next_reference(timezone.localdate(now)), **fields)
        case.full_clean(exclude=["status", "visit"])
        case.save()
        if after is not None:
            after(case)
        event = _event(case, actor, "create", "", status, at=now, note="", role=role)
        _store_photos(case, event, photos)
        for photo in copy_photos:
            CasePhoto.objects.create(case=case, event=event, image=photo.image.name,
                                     thumbnail=photo.thumbnail.name, sha256=photo.sha256)
        if settled_result:
            case.settle(at=now)
            case.save()
            _event(case, actor, "settle", Status.LOCAL, case.status, at=now, note=settled_result, role=role)
        counters.record(case, None)
        _notify_later(case, event)
        return case

    return create_once(key=key, actor=actor, model=Case, create=create)


def _next_reference(day: datetime.date) -> str:
    """受理编号: the date and a per-day sequence, e.g. 2026112500042 (the counter row is locked by the update)."""
    counter, _created = ReferenceCounter.objects.get_or_create(day=day)
    ReferenceCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return f"{day:%Y%m%d}{counter.last:05d}"


# ---------------------------------------------------------------------------------------------- the loop


def case_act(
    *, actor, case: Case, action: str, version: int, key=None, note: str = "", photos: Iterable = (),
    token: str = "", now: datetime.datetime | None = None, **inputs,
) -> Case:
    """Take the step named `action` (a key of workflow.STEPS) on a case read at `version`: for the adapters that
    get the step's name from a person (the case page's forms, the API's actions). `inputs` are the step's own
    (workflow.INPUTS); one the step does not take is refused. Code that knows its step calls the typed entry
    point below (`case_dispatch(...)` …)."""
    step = workflow.STEPS.get(action) or workflow.CHAINS.get(action)
    if step is None:
        raise ValidationError({"action": _("未知的操作。")}, code="unknown_action")
    if isinstance(step, workflow.Chain):
        _require_actor(actor, case, step.steps[0], token)
        _refuse_foreign(step, inputs)
        return _chain(step, actor=actor, case=case, version=version, key=key, note=note, now=now,
                      inputs={name: inputs.get(name) for name in step.inputs})
    _require_actor(actor, case, step, token)  # who may not take the step hears only that
    _refuse_foreign(step, inputs)
    return _step(step, actor=actor, case=case, version=version, key=key, note=note, photos=photos, token=token,
                 now=now, inputs={name: inputs.get(name) for name in step.inputs})


def _refuse_foreign(step: workflow.Step | workflow.Chain, inputs: dict) -> None:
    foreign = sorted(name for name, value in inputs.items() if name not in step.inputs and value not in (None, ""))
    if foreign:
        raise ValidationError({name: _("“%(action)s”不需要填写此项。") % {"action": step.label} for name in foreign},
                              code="not_an_input")


def _link_key(key, name: str) -> uuid.UUID | None:
    """The client key of one link of a chain (or one case of a batch): derived from the submission's key, so that
    a retried submission finds each link it already took."""
    if not key:
        return None
    try:
        return uuid.uuid5(uuid.UUID(str(key)), name)
    except ValueError:
        raise ValidationError(_("提交标识无效，请刷新页面后重试。"), code="invalid_key") from None


def _chain(chain: workflow.Chain, *, actor, case: Case, version: int, key, note: str, inputs: dict,
           now: datetime.datetime | None) -> Case:
    """The links of a chain in one transaction: each is `_step` as if taken alone (the gate asked for each, each
    event recorded, each notice sent after commit); a link that fails undoes the ones before it."""
    now = now or timezone.now()
    with transaction.atomic():
        for position, step in enumerate(chain.steps):
            last = position == len(chain.steps) - 1
            case = _step(step, actor=actor, case=case, version=version if position == 0 else case.version,
                         key=_link_key(key, step.name), note=note if last else "", photos=(), now=now,
                         inputs={name: inputs.get(name) for name in step.inputs})
    return case


def _step(step: workflow.Step, *, actor, case: Case, version: int, key, note: str, photos: Iterable, token: str = "",
          inputs: dict, now: datetime.datetime | None) -> Case:
    """Every step of the loop, as one transaction, driven by the step's row of workflow.STEPS."""
    _require_actor(actor, case, step, token)
    note = (note or "").strip()
    if step.note_required and not note:
        raise ValidationError({"note": _("请填写%(label)s。") % {"label": step.note_label}}, code="required")
    if len(note) > step.note_max:
        raise ValidationError({"note": _too_long(step.note_label or _("说明"), step.note_max, len(note))},
                              code="too_long")
    photos = list(photos)
    if photos and not step.photos:
        raise ValidationError({"photos": _("“%(action)s”不附照片。") % {"action": step.label}}, code="no_photos")
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("每次最多 %(n)d 张照片。") % {"n": MAX_PHOTOS}}, code="too_many_photos")
    if version is None:
        raise ValidationError({"version": _("缺少版本号，请刷新页面后重试。")}, code="required")
    now = now or timezone.now()
    event_actor = actor if getattr(actor, "is_authenticated", False) else None
    inputs = {**inputs, "note": note, "by": event_actor}

    def step_once() -> CaseEvent:
        claimed = Case.objects.filter(pk=case.pk, version=int(version)).update(version=F("version") + 1)
        if claimed != 1:
            raise Conflict(_("该事件刚刚已被他人处理，状态已变化。请刷新页面查看最新情况后再操作。"))
        case.refresh_from_db()
        grant = _require_actor(actor, case, step, token)  # the case as it is now (e.g. dispatched elsewhere)
        method = workflow.method_for(case, step, inputs)
        if method is None:
            raise ValidationError(
                _("该事件当前状态为“%(status)s”，不能执行“%(action)s”。")
                % {"status": case.get_status_display(), "action": step.label}, code="wrong_state")
        before, counted = case.status, counters.key_of(case)
        prepared = step.prepare(case, now, inputs) if step.prepare else workflow.Prepared()
        method(at=now, **prepared.arguments)
        case.save()
        counters.record(case, counted)
        recorded = {name: getattr(case, name) for name in step.records}
        event = _event(case, event_actor, step.name, before, case.status, at=now, note=note, data=prepared.data,
                       role=RESIDENT if grant is None else grant.role, **recorded)
        _store_photos(case, event, photos)
        _notify_later(case, event)
        if event_actor is not None:
            # Acting on a case answers what one was told about it: its notices stop counting as unread.
            Notification.objects.filter(user=event_actor, case=case, read_at__isnull=True).update(read_at=now)
        return event

    event = create_once(key=key, actor=event_actor, model=CaseEvent, create=step_once)
    if event.case_id != case.pk:
        raise ValidationError(_("提交标识已被使用，请刷新页面后重试。"), code="key_reused")
    case.refresh_from_db()
    return case


# The steps by name, for code that knows which one it takes (tasks, the demo, tests, other apps' services).
# Each is the step's row of workflow.STEPS with its own inputs as typed arguments.


def case_settle(*, actor, case: Case, version: int, note: str, key=None, photos: Iterable = (),
                now: datetime.datetime | None = None) -> Case:
    """就地解决: grid staff settle a case kept in the building or grid (`note`: the result)."""
    return _step(workflow.STEPS["settle"], actor=actor, case=case, version=version, key=key, note=note,
                 photos=photos, inputs={}, now=now)


def case_escalate(*, actor, case: Case, version: int, note: str = "", key=None,
                  now: datetime.datetime | None = None) -> Case:
    """上报指挥中心: grid staff pass a case they could not settle to the command center."""
    return _step(workflow.STEPS["escalate"], actor=actor, case=case, version=version, key=key, note=note,
                 photos=(), inputs={}, now=now)


def case_accept(*, actor, case: Case, version: int, note: str = "", key=None,
                now: datetime.datetime | None = None) -> Case:
    """立案: the command center accepts a reported case."""
    return _step(workflow.STEPS["accept"], actor=actor, case=case, version=version, key=key, note=note,
                 photos=(), inputs={}, now=now)


def case_cancel(*, actor, case: Case, version: int, note: str, key=None,
                now: datetime.datetime | None = None) -> Case:
    """注销: the command center closes a case that needs no handling (`note`: why)."""
    return _step(workflow.STEPS["cancel"], actor=actor, case=case, version=version, key=key, note=note,
                 photos=(), inputs={}, now=now)


def case_dispatch(*, actor, case: Case, version: int, department: Department | None = None,
                  deadline: datetime.datetime | None = None, note: str = "", key=None,
                  now: datetime.datetime | None = None) -> Case:
    """派遣: to a department (default: the category's) by a deadline (default: the category's time limit counted
    on the working-day calendar)."""
    return _step(workflow.STEPS["dispatch"], actor=actor, case=case, version=version, key=key, note=note,
                 photos=(), inputs={"department": department, "deadline": deadline}, now=now)


def case_accept_dispatch(*, actor, case: Case, version: int, department: Department | None = None,
                         deadline: datetime.datetime | None = None, note: str = "", key=None,
                         now: datetime.datetime | None = None) -> Case:
    """立案并派遣: the command center accepts a reported case and dispatches it at once (two events, one
    transaction; `note` is the dispatch's)."""
    return _chain(workflow.CHAINS["accept_dispatch"], actor=actor, case=case, version=version, key=key, note=note,
                  inputs={"department": department, "deadline": deadline}, now=now)


@dataclass(frozen=True)
class Outcome:
    """What became of one case of a batch: `ok`, or `error` saying why not (the others go on)."""

    reference: str
    ok: bool
    status: str = ""
    error: str = ""
    case: Case | None = None


BATCH_MAX = 50  # cases per batch: a page of a queue, taken inside the request (about 10 ms a case)


def case_dispatch_many(*, actor, items: Iterable[tuple[str, int]], department: Department | None = None,
                       deadline: datetime.datetime | None = None, note: str = "", key=None,
                       now: datetime.datetime | None = None) -> list[Outcome]:
    """派遣 several cases (reference, version read) with the same department (default: each category's) and
    deadline (default: each category's limit). Each case is its own transaction through the one-case services: a
    reported case is accepted and dispatched (立案并派遣), a filed, returned or suspended one dispatched. One that
    cannot be (another's move meanwhile, not the command center's to dispatch, no department) says why; the
    others go on. A retried batch (the same key) takes again only what failed the first time."""
    items = list(dict.fromkeys((str(reference), version) for reference, version in items))
    if not items:
        raise ValidationError({"cases": _("请至少选择一件事件。")}, code="required")
    if len(items) > BATCH_MAX:
        raise ValidationError({"cases": _("一次最多派遣 %(n)d 件事件。") % {"n": BATCH_MAX}}, code="too_many")
    found = {case.reference: case for case in Case.objects.visible_to(actor).select_related("category")
             .filter(reference__in=[reference for reference, _version in items])}
    now = now or timezone.now()
    outcomes = []
    for reference, version in items:
        case = found.get(reference)
        if case is None:
            outcomes.append(Outcome(reference, False, error=_("事件不存在或无权访问。")))
            continue
        # A case's key is the batch's and its reference; its dispatch is keyed as the chain's dispatch link, so
        # that a retry finds it whichever way the first attempt took.
        case_key = _link_key(key, reference)
        before = case.status
        reported = before == Status.REPORTED
        entry = case_accept_dispatch if reported else case_dispatch
        try:
            case = entry(actor=actor, case=case, version=version, department=department, deadline=deadline,
                         note=note, key=case_key if reported else _link_key(case_key, "dispatch"), now=now)
        except (Conflict, PermissionDenied, ValidationError) as error:
            outcomes.append(Outcome(reference, False, status=before, error=_reason(error)))
        else:
            outcomes.append(Outcome(reference, True, status=case.status, case=case))
    return outcomes


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("您不能执行此操作。")


def case_sign(*, actor, case: Case, version: int, note: str = "", key=None,
              now: datetime.datetime | None = None) -> Case:
    """签收: the department takes the case on."""
    return _step(workflow.STEPS["sign"], actor=actor, case=case, version=version, key=key, note=note,
                 photos=(), inputs={}, now=now)


def case_send_back(*, actor, case: Case, version: int, note: str, key=None,
                   now: datetime.datetime | None = None) -> Case:
    """退回: the department returns a case that is not theirs (`note`: why)."""
    return _step(workflow.STEPS["send_back"], actor=actor, case=case, version=version, key=key, note=note,
                 photos=(), inputs={}, now=now)


def case_request_extension(*, actor, case: Case, version: int, days: int, note: str, key=None,
                           now: datetime.datetime | None = None) -> Case:
    """申请延期: the department asks for `days` more working days (`note`: why)."""
    return _step(workflow.STEPS["request_extension"], actor=actor, case=case, version=version, key=key, note=note,
                 photos=(), inputs={"days": days}, now=now)


def case_approve_extension(*, actor, case: Case, version: int, note: str = "", key=None,
                           now: datetime.datetime | None = None) -> Case:
    """同意延期: the deadline moves by the days asked for."""
    return _step(workflow.STEPS["approve_extension"], actor=actor, case=case, version=version, key=key, note=note,
                 photos=(), inputs={}, now=now)


def case_refuse_extension(*, actor, case: Case, version: int, note: str, key=None,
                          now: datetime.datetime | None = None) -> Case:
    """不同意延期: the deadline stays (`note`: why)."""
    return _step(workflow.STEPS["refuse_extension"], actor=actor, case=case, version=version, key=key, note=note,
                 photos=(), inputs={}, now=now)


def case_suspend(*, actor, case: Case, version: int, note: str, key=None,
                 now: datetime.datetime | None = None) -> Case:
    """挂账: the department cannot solve it for now (`note`: why); the command center may dispatch it again."""
    return _step(workflow.STEPS["suspend"], actor=actor, case=case, version=version, key=key, note=note,
                 photos=(), inputs={}, now=now)


def case_feed_back(*, actor, case: Case, version: int, note: str, key=None, photos: Iterable = (),
                   now: datetime.datetime | None = None) -> Case:
    """反馈结果: the department reports what it did (`note`), with photos."""
    return _step(workflow.STEPS["feed_back"], actor=actor, case=case, version=version, key=key, note=note,
                 photos=photos, inputs={}, now=now)


def case_verify(*, actor, case: Case, version: int, note: str = "", key=None, photos: Iterable = (),
                now: datetime.datetime | None = None) -> Case:
    """核查通过: grid staff or the command center confirm the result; the case closes (a petition awaits the
    petitioner's verdict)."""
    return _step(workflow.STEPS["verify"], actor=actor, case=case, version=version, key=key, note=note,
                 photos=photos, inputs={}, now=now)


def case_rework(*, actor, case: Case, version: int, note: str, key=None, photos: Iterable = (),
                now: datetime.datetime | None = None) -> Case:
    """返工: the result does not hold (`note`: why); back to the department."""
    return _step(workflow.STEPS["rework"], actor=actor, case=case, version=version, key=key, note=note,
                 photos=photos, inputs={}, now=now)


def case_evaluate(*, actor, case: Case, version: int, evaluation: str, note: str = "", token: str = "", key=None,
                  now: datetime.datetime | None = None) -> Case:
    """评价: the resident's verdict, given through the tracking link (`actor=None`, `token`) or recorded by the
    command center by phone. A petitioner's 不满意 reopens the petition."""
    return _step(workflow.STEPS["evaluate"], actor=actor, case=case, version=version, key=key, note=note,
                 photos=(), token=token, inputs={"evaluation": evaluation}, now=now)


def case_urge(*, actor, case: Case, version: int, note: str = "", key=None,
              now: datetime.datetime | None = None) -> Case:
    """催办: the command center reminds the department of a case in its hands (as often as needed; each is told)."""
    return _step(workflow.STEPS["urge"], actor=actor, case=case, version=version, key=key, note=note,
                 photos=(), inputs={}, now=now)


def case_supervise(*, actor, case: Case, version: int, note: str = "", key=None,
                   now: datetime.datetime | None = None) -> Case:
    """督办: the command center marks an open case for urgent handling (once)."""
    return _step(workflow.STEPS["supervise"], actor=actor, case=case, version=version, key=key, note=note,
                 photos=(), inputs={}, now=now)


def _require_actor(actor, case: Case, step: workflow.Step, token: str) -> scope.Grant | None:
    """The grant under which a user takes the step (None for the resident with the case's tracking link)."""
    if getattr(actor, "is_authenticated", False):
        grant = workflow.acting_grant(actor, case, step)
        if grant is None:
            raise PermissionDenied(_("您不能对该事件执行“%(action)s”。") % {"action": step.label})
        return grant
    if not (step.resident and token and hmac.compare_digest(str(token), case.tracking_token)):
        raise PermissionDenied(_("跟踪链接无效，不能评价该事件。"))
    return None


def _event(case: Case, actor, action: str, before: str, after: str, *, at, note: str = "", role: str = "",
           data: dict | None = None, department=None, deadline=None) -> CaseEvent:
    if len(note) > NOTE_MAX:  # the steps check first, with the step's own label; this is the last guard
        raise ValidationError({"note": _too_long(_("说明"), NOTE_MAX, len(note))}, code="too_long")
    return CaseEvent.objects.create(case=case, action=action, from_status=before, to_status=after, actor=actor,
                                    actor_role=role, at=at, note=note, data=data or {}, department=department,
                                    deadline=deadline)


def _store_photos(case: Case, event: CaseEvent, photos: list) -> None:
    store_photos(photos, model=CasePhoto, owner={"case": case, "event": event})


def _notify_later(case: Case, event: CaseEvent) -> None:
    """The notices of a step go through the outbox (written with the step, sent after commit, kept through a broker
    outage); one message per event, and the task does its effects once per event (cases.notify)."""
    outbox.enqueue(case_notify_task, event.pk, key=f"case-event:{event.pk}")


# ---------------------------------------------------------------------------------------------- notices


def notification_read(*, actor, notification_ids: list[int] | None = None, kind: str = "",
                      case_reference: str = "") -> int:
    """Mark the actor's own notices read: these ids, or all unread ones (of one kind, of one case, when given)."""
    rows = Notification.objects.visible_to(actor).filter(read_at__isnull=True)
    if notification_ids is not None:
        rows = rows.filter(pk__in=notification_ids)
    if kind:
        rows = rows.filter(kind=kind)
    if case_reference:
        rows = rows.filter(case__reference=case_reference)
    return rows.update(read_at=timezone.now())


# ---------------------------------------------------------------------------------------------- categories


def case_category_create(
    *, actor, district: Place, code: str, name: str, department: Department | None = None, time_limit: int = 5,
    limit_unit: str = LimitUnit.WORKING_DAYS, finding_category=None, description: str = "", public: bool = True,
    active: bool = True, sort_order: int = 0,
) -> CaseCategory:
    scope.require_create(actor, "case_category", district)
    if district.level != PlaceLevel.DISTRICT:
        raise ValidationError({"district": _("事件类别只能设在区级。")}, code="wrong_level")
    if department is not None and department.district_id != district.pk:
        raise ValidationError({"department": _("该部门不属于本区。")}, code="other_district")
    category = CaseCategory(district=district, code=code, name=name.strip(), department=department,
                            time_limit=time_limit, limit_unit=limit_unit, finding_category=finding_category,
                            description=description, public=public, active=active, sort_order=sort_order)
    category.full_clean()
    category.save()
    return category


CATEGORY_FIELDS = ("name", "description", "department", "time_limit", "limit_unit", "finding_category", "public",
                   "active", "sort_order")


def case_category_update(*, actor, category: CaseCategory, **fields) -> CaseCategory:
    """Change a category's department, limit or wording. Cases already dispatched keep their deadline."""
    scope.require_change(actor, category, "case_category")
    unknown = set(fields) - set(CATEGORY_FIELDS)
    if unknown:
        raise ValidationError(_("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    department = fields.get("department")
    if department is not None and department.district_id != category.district_id:
        raise ValidationError({"department": _("该部门不属于本区。")}, code="other_district")
    for name, value in fields.items():
        setattr(category, name, value)
    category.full_clean()
    category.save()
    return category


def holiday_save(*, actor, date: datetime.date, is_workday: bool, name: str = ""):
    """Add or correct a day of the holiday calendar (a holiday on a weekday, or a working weekend)."""
    if not may_keep_calendar(actor):
        raise PermissionDenied(_("只有系统管理员或指挥中心可以维护节假日。"))
    name = name.strip()
    limit = Holiday._meta.get_field("name").max_length
    if len(name) > limit:
        raise ValidationError({"name": _too_long(_("名称"), limit, len(name))}, code="too_long")
    holiday, _created = Holiday.objects.update_or_create(date=date, defaults={"is_workday": is_workday,
                                                                               "name": name})
    return holiday
