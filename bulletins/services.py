"""Every write of bulletins and rankings: building a draft (the beat on the 1st, or the command center), objections
and their decisions, publishing, corrections, restatements, weight schemes. The pages, the API, the tasks and the
demo all come through here.

A build is idempotent: the period's draft is rebuilt in place (its objections kept), a published version is
never touched (late data makes a restatement note, a correction makes a new version)."""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import calendar
from cases.models import Case, CaseCategory, CaseEvent, CasePhoto
from grids.models import CODE_LENGTH, Department, Level, Place
from ledger.models import Visit
from wudu import measures, scope, seals
from wudu.duties import Duty, has_duty
from wudu.errors import Conflict
from wudu.measures import Period
from wudu.scope import Role
from wudu.writes import create_once

from . import figures, scoring
from .models import Bulletin, BulletinRow, Kind, Objection, ObjectionStatus, Restatement, Stage, WeightScheme

BUILDERS = (Role.COMMAND_CENTER, Role.SYSTEM_ADMIN)


def may_edit_schemes(user) -> bool:
    """Weight schemes are configuration: the system administrator's duty (三权分立, `has_duty`: a superuser in
    production holds none), and the command center's, who ranks with them."""
    return has_duty(user, Duty.SYSTEM) or scope.has_role(user, Role.COMMAND_CENTER)
LEVELS_BELOW = {Level.DISTRICT: Level.STREET, Level.STREET: Level.COMMUNITY, Level.COMMUNITY: Level.GRID}
BULLETIN_LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY)
RANKING_LEVELS = (Level.DISTRICT, Level.STREET)
LATE_ENTRY = datetime.timedelta(hours=48)
REASON_MAX = 500


# ---------------------------------------------------------------------------------------------- weight schemes


def default_scheme() -> WeightScheme:
    scheme = WeightScheme.objects.filter(is_default=True).first()
    if scheme is None:
        scheme, _created = WeightScheme.objects.get_or_create(
            name=_("区级默认方案"), defaults={"is_default": True, "min_volume": settings.BULLETIN_MIN_VOLUME})
    return scheme


def terms(scheme: WeightScheme) -> list[scoring.Term]:
    return [scoring.Term(entry["measure"], float(entry["weight"]), not measures.get(entry["measure"]).higher_is_better)
            for entry in scheme.weights]


def scheme_validate(*, weights: list[dict], min_volume: int, bands: list[dict]) -> None:
    errors = {}
    try:
        total = sum(float(entry["weight"]) for entry in weights)
        unknown = [entry["measure"] for entry in weights if entry["measure"] not in {m.code for m in measures.all_measures()}]
        negative = [entry for entry in weights if float(entry["weight"]) <= 0]
    except (KeyError, TypeError, ValueError):
        raise ValidationError({"weights": _("权重格式无效：每项需有指标和权重。")}, code="invalid") from None
    if unknown:
        errors["weights"] = _("没有这些指标：%(m)s") % {"m": "、".join(unknown)}
    elif negative:
        errors["weights"] = _("每项权重都应大于 0。")
    elif abs(total - 100) > 1e-9:
        errors["weights"] = _("各项权重之和应为 100（现为 %(t)s）。") % {"t": f"{total:g}"}
    if min_volume is None or int(min_volume) < 0:
        errors["min_volume"] = _("最低样本量不能为负数。")
    try:
        if any(not 0 <= float(entry["min"]) <= 100 or not str(entry["label"]).strip() for entry in bands):
            errors["bands"] = _("等次的分数线应在 0 到 100 之间，且需有名称。")
    except (KeyError, TypeError, ValueError):
        errors["bands"] = _("等次格式无效。")
    if errors:
        raise ValidationError(errors, code="invalid")


def scheme_save(*, actor, name: str, weights: list[dict], min_volume: int, bands: list[dict] | None = None,
                is_default: bool = False, scheme: WeightScheme | None = None, version: int | None = None) -> WeightScheme:
    """Create or edit a weight scheme (system administrators and the command center). A stale edit is refused."""
    if not may_edit_schemes(actor):
        raise PermissionDenied(_("只有指挥中心或系统管理员可以维护权重方案。"))
    bands = bands if bands is not None else (scheme.bands if scheme else None) or [
        {"label": "优秀", "min": 90}, {"label": "良好", "min": 80}, {"label": "合格", "min": 60},
        {"label": "不合格", "min": 0}]
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写方案名称。")}, code="required")
    scheme_validate(weights=weights, min_volume=min_volume, bands=bands)
    with transaction.atomic():
        if is_default:
            WeightScheme.objects.filter(is_default=True).exclude(pk=getattr(scheme, "pk", None)).update(is_default=False)
        if scheme is None:
            if WeightScheme.objects.filter(name=name).exists():
                raise ValidationError({"name": _("已有同名方案。")}, code="duplicate")
            return WeightScheme.objects.create(name=name, weights=weights, min_volume=int(min_volume), bands=bands,
                                               is_default=is_default, updated_by=actor)
        updated = WeightScheme.objects.filter(pk=scheme.pk, version=version if version is not None else scheme.version
                                              ).update(name=name, weights=weights, min_volume=int(min_volume),
                                                       bands=bands, is_default=is_default, updated_by=actor,
                                                       version=F("version") + 1, updated_at=timezone.now())
        if updated != 1:
            raise Conflict(_("该方案刚刚已被他人修改，请刷新页面后再改。"))
        scheme.refresh_from_db()
        return scheme


# ---------------------------------------------------------------------------------------------- building


def _require_builder(actor, place: Place) -> None:
    if actor is None:  # the beat
        return
    if not (actor.is_superuser or scope.grant_to_create(actor, "bulletin", place, roles=BUILDERS)):
        raise PermissionDenied(_("只有指挥中心或系统管理员可以生成通报。"))


def _check_request(place: Place, period: Period, kind: str, now: datetime.datetime) -> None:
    levels = BULLETIN_LEVELS if kind == Kind.BULLETIN else RANKING_LEVELS
    if kind not in Kind.values:
        raise ValidationError({"kind": _("类型无效。")}, code="invalid")
    if place.level not in levels:
        raise ValidationError({"place": _("%(kind)s只对%(levels)s生成。") % {
            "kind": Kind(kind).label, "levels": "、".join(str(Level(lv).label) for lv in levels)}}, code="wrong_level")
    wanted = Period.MONTH if kind == Kind.BULLETIN else Period.QUARTER
    if period.kind != wanted:
        raise ValidationError({"period": _("月通报按月、季排名按季度生成。")}, code="wrong_period")
    if not period.is_closed(now):
        raise ValidationError({"period": _("%(period)s尚未结束，不能生成。") % {"period": period.label}},
                              code="not_closed")


def bulletin_build(*, place: Place, period: Period, kind: str = Kind.BULLETIN, actor=None, scheme=None,
                   now: datetime.datetime | None = None) -> Bulletin:
    """Build (or rebuild) the draft of a period; with a published version and no draft, return the published one
    unchanged (rebuilding is idempotent; late data is a restatement, a correction is `bulletin_correct`)."""
    now = now or timezone.now()
    _require_builder(actor, place)
    _check_request(place, period, kind, now)
    with transaction.atomic():
        Place.objects.select_for_update().filter(pk=place.pk).first()  # one build of a place at a time
        versions = Bulletin.objects.filter(kind=kind, place=place, period=period.key)
        draft = versions.filter(stage=Stage.DRAFT).first()
        if draft is None:
            latest = versions.order_by("-version").first()
            if latest is not None:
                return latest
            draft = Bulletin(kind=kind, place=place, period=period.key, period_start=period.start,
                             period_end=period.end, version=1, built_at=now,
                             scheme=scheme or (default_scheme() if kind == Kind.RANKING else None))
            draft.objection_until = _window_end(now)
            draft.save()
        elif scheme is not None:
            draft.scheme = scheme
        _fill(draft, period, now)
        return draft


def _window_end(now: datetime.datetime) -> datetime.datetime:
    return calendar.add_working_days(now, settings.BULLETIN_OBJECTION_WORKING_DAYS)


def _fill(bulletin: Bulletin, period: Period, now: datetime.datetime) -> None:
    """(Re)count the bulletin's rows and figures (inside the caller's transaction)."""
    BulletinRow.objects.filter(bulletin=bulletin).delete()
    counted = measures.all_measures()
    bulletin.rows_counted = figures.freeze(bulletin, counted, period, bulletin.exclusions)
    bulletin.snapshot = _snapshot(bulletin, period, counted, now)
    bulletin.built_at = now
    Bulletin.objects.filter(pk=bulletin.pk).update(
        rows_counted=bulletin.rows_counted, snapshot=bulletin.snapshot, built_at=now, scheme=bulletin.scheme,
        lock=F("lock") + 1)


def _snapshot(bulletin: Bulletin, period: Period, counted: list, now: datetime.datetime) -> dict:
    place = bulletin.place
    scheme = bulletin.scheme or default_scheme()
    weighted = terms(scheme)
    volume_measure = weighted[0].measure if weighted else "case.handling"
    min_volume = scheme.min_volume
    child = LEVELS_BELOW[place.level]
    levels = [child]
    if bulletin.kind == Kind.RANKING:
        while levels[-1] != Level.GRID:
            levels.append(LEVELS_BELOW[levels[-1]])
    places = list(Place.objects.filter(code__startswith=place.code, level__in=levels)
                  .values("code", "name", "level", "parent__code", "parent__name").order_by("code"))
    by_level = {level: figures.lines(bulletin, level) for level in levels}
    previous = _previous(bulletin, period)
    previous_lines = {line["unit"]: line for line in (previous or {}).get("lines", [])}
    previous_lines.update({line["unit"]: line for line in (previous or {}).get("departments", [])})

    def judge(unit: str, label: str, data: dict, **extra) -> dict:
        volume = data.get(volume_measure, [0, 0])[1]
        result = scoring.score(data, weighted)
        state = "no_data" if volume == 0 or result.value is None else ("small" if volume < min_volume else "ranked")
        line = {"unit": unit, "label": label, "figures": data, "volume": volume, "state": state,
                "score": result.value, "low": result.low, "high": result.high, **extra}
        before = previous_lines.get(unit)
        if before is not None:
            line["previous"] = {"rank": before.get("rank"), "score": before.get("score"),
                                "why": scoring.contributions(data, before.get("figures", {}), weighted)}
        return line

    lines = [judge(p["code"], p["name"], by_level[p["level"]].get(p["code"], {}), level=p["level"],
                   parent=p["parent__code"], parent_label=p["parent__name"]) for p in places]
    district = place.code[: scope.DISTRICT_CODE_LENGTH]
    department_data = figures.department_lines(bulletin)
    departments = [judge(f"d{d['id']}", d["name"], department_data.get(d["id"], {}), department=d["id"])
                   for d in Department.objects.filter(district__code=district).values("id", "name").order_by("name")]
    groups = defaultdict(list)
    for line in lines:
        groups[line["parent"]].append(line)
    groups["departments"] = departments
    group_rows = []
    for key, members in groups.items():
        ranked = {m["unit"]: m["score"] for m in members if m["state"] == "ranked"}
        ranks = scoring.competition_ranks(ranked)
        middle = scoring.median(list(ranked.values()))
        for m in members:
            m["rank"] = ranks.get(m["unit"])
            m["band"] = scoring.band(m["score"], scheme.bands) if m["state"] == "ranked" else ""
            m["distinct"] = (m["rank"] is not None and middle is not None and not (m["low"] <= middle <= m["high"]))
            m["group"] = key
        group_rows.append({"key": key, "median": middle, "ranked": len(ranked), "size": len(members)})
    own = [line for line in lines if line["parent"] == place.code]
    red, black = scoring.red_and_black({m["unit"]: m["rank"] for m in own if m["rank"] is not None},
                                       settings.BULLETIN_LIST_SIZE)
    total = figures.totals(bulletin)
    flags = _quality_flags(place, child, period)
    for line in own:
        line["flags"] = flags.get(line["unit"], {})
    return {
        "kind": bulletin.kind, "version": bulletin.version,
        "period": {"key": period.key, "label": period.label, "start": period.start.isoformat(),
                   "end": period.end.isoformat()},
        "place": {"code": place.code, "name": place.name, "level": place.level},
        "built_at": now.isoformat(), "rows": bulletin.rows_counted,
        "measures": [{"code": m.code, "label": str(m.label), "section": m.section, "higher": m.higher_is_better,
                      "definition": str(m.definition), "above_grid_only": m.above_grid_only} for m in counted],
        "rules": {"scheme": scheme.name, "scheme_version": scheme.version, "weights": scheme.weights,
                  "bands": scheme.bands, "min_volume": min_volume, "volume_measure": volume_measure,
                  "list_size": settings.BULLETIN_LIST_SIZE,
                  "min_patrol_minutes": settings.MIN_DAILY_PATROL_MINUTES,
                  "spot_check_pass": settings.SPOT_CHECK_PASS_SCORE,
                  "time_limits": [[c["code"], c["name"], c["time_limit"], c["limit_unit"]] for c in
                                  CaseCategory.objects.filter(district__code=district).order_by("sort_order", "id")
                                  .values("code", "name", "time_limit", "limit_unit")],
                  "exclusions": list(bulletin.exclusions)},
        "total": total, "lines": lines, "departments": departments, "groups": group_rows,
        "red": red, "black": black, "levels": levels,
        "narrative": _narrative(place, period, total, own, red, black),
    }


def _previous(bulletin: Bulletin, period: Period) -> dict | None:
    row = (Bulletin.objects.filter(kind=bulletin.kind, place=bulletin.place, period=period.previous().key,
                                   stage=Stage.PUBLISHED).order_by("-version").values_list("snapshot", flat=True)
           .first())
    return row


def _quality_flags(place: Place, child: str, period: Period) -> dict[str, dict[str, int]]:
    """Per unit: ledger records entered more than 48 hours after the visit, and department feedback without a
    photo. (Edits after closing and merged duplicates are not counted: the platform keeps neither yet.)"""
    length = CODE_LENGTH[child]
    out: dict[str, dict[str, int]] = defaultdict(dict)
    late = (Visit.objects.filter(grid__code__startswith=place.code, visited_at__gte=period.start_at,
                                 visited_at__lt=period.end_at)
            .annotate(delay=ExpressionWrapper(F("created_at") - F("visited_at"), output_field=DurationField()))
            .filter(delay__gt=LATE_ENTRY).annotate(line=Substr("grid__code", 1, length))
            .values("line").annotate(n=Count("pk")).order_by())
    for row in late:
        out[row["line"]]["late_entries"] = row["n"]
    bare = (CaseEvent.objects.filter(action="feed_back", at__gte=period.start_at, at__lt=period.end_at,
                                     case__grid__code__startswith=place.code)
            .exclude(pk__in=CasePhoto.objects.filter(event__isnull=False).values("event_id"))
            .annotate(line=Substr("case__grid__code", 1, length)).values("line").annotate(n=Count("pk")).order_by())
    for row in bare:
        out[row["line"]]["feedback_without_photo"] = row["n"]
    return dict(out)


def _narrative(place: Place, period: Period, total: dict, own: list, red: list, black: list) -> str:
    n, d = total.get("case.closing", [0, 0])
    on_time = total.get("case.closing_on_time", [0, 0])
    parts = [_("%(period)s，%(place)s应结案事件 %(d)d 件，已结案 %(n)d 件，结案率 %(rate)s；按期结案 %(ot)d 件，按期结案率 %(otr)s。")
             % {"period": period.label, "place": place.name, "d": d, "n": n, "rate": scoring.percent(scoring.rate(n, d)),
                "ot": on_time[0], "otr": scoring.percent(scoring.rate(*on_time))}]
    labels = {line["unit"]: line["label"] for line in own}
    if red:
        parts.append(_("综合得分靠前的是%(names)s。") % {"names": "、".join(labels[u] for u in red)})
    if black:
        parts.append(_("靠后的是%(names)s。") % {"names": "、".join(labels[u] for u in black)})
    small = [line["label"] for line in own if line["state"] == "small"]
    none = [line["label"] for line in own if line["state"] == "no_data"]
    if small:
        parts.append(_("%(names)s样本不足，不排名。") % {"names": "、".join(small)})
    if none:
        parts.append(_("%(names)s本期无数据。") % {"names": "、".join(none)})
    return "".join(parts)


def bulletins_build_due(*, now: datetime.datetime | None = None) -> list[int]:
    """The beat's job on the 1st: last month's bulletins for every district, street and community, and on the
    first day of a quarter last quarter's ranking for every district and street. Idempotent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    built = []
    month = Period.last_closed(Period.MONTH, today)
    for place in Place.objects.filter(level__in=BULLETIN_LEVELS).order_by("code"):
        built.append(bulletin_build(place=place, period=month, kind=Kind.BULLETIN, now=now).pk)
    if today.month in (1, 4, 7, 10):
        quarter = Period.last_closed(Period.QUARTER, today)
        for place in Place.objects.filter(level__in=RANKING_LEVELS).order_by("code"):
            built.append(bulletin_build(place=place, period=quarter, kind=Kind.RANKING, now=now).pk)
    return built


# ---------------------------------------------------------------------------------------------- objections


def _line_grant(actor, bulletin: Bulletin, place: Place | None, department: Department | None):
    """The grant under which the actor speaks for this line: held at the line's own place (or, for a
    department's line, as that department's staff)."""
    for grant in scope.grants_for(actor):
        if department is not None and grant.role == Role.DEPARTMENT_STAFF and grant.department_id == department.pk:
            return grant
        if place is not None and grant.code == place.code and grant.role != Role.DEPARTMENT_STAFF:
            return grant
    return None


def objection_file(*, actor, bulletin: Bulletin, reason: str, key, place: Place | None = None,
                   department: Department | None = None, measure: str = "", case_reference: str = "",
                   evidence: str = "", now: datetime.datetime | None = None) -> Objection:
    """申诉: a unit named in a draft objects to its own line within the window."""
    now = now or timezone.now()
    reason, evidence, case_reference = (reason or "").strip(), (evidence or "").strip(), (case_reference or "").strip()
    if (place is None) == (department is None):
        raise ValidationError({"place": _("请选择申诉的单位。")}, code="required")
    units = {line["unit"] for line in bulletin.snapshot.get("lines", []) + bulletin.snapshot.get("departments", [])}
    unit = f"d{department.pk}" if department is not None else place.code
    if unit not in units:
        raise ValidationError({"place": _("该单位不在本通报中。")}, code="not_named")
    grant = _line_grant(actor, bulletin, place, department)
    if grant is None:
        raise PermissionDenied(_("只能对本单位的数据提出申诉。"))
    if bulletin.stage != Stage.DRAFT:
        raise ValidationError(_("通报已发布，申诉期已结束。如数据有误，请联系指挥中心发布更正。"), code="closed")
    if bulletin.objection_until and now > bulletin.objection_until:
        raise ValidationError(_("申诉期已于 %(until)s 结束。") % {
            "until": timezone.localtime(bulletin.objection_until).strftime("%Y-%m-%d %H:%M")}, code="closed")
    if not reason:
        raise ValidationError({"reason": _("请填写申诉理由。")}, code="required")
    if len(reason) > 1000 or len(evidence) > 1000:
        raise ValidationError({"reason": _("申诉理由和证据说明各不超过 1000 字。")}, code="too_long")
    if measure and measure not in {m.code for m in measures.all_measures()}:
        raise ValidationError({"measure": _("没有这个指标。")}, code="invalid")
    if case_reference and not Case.objects.filter(reference=case_reference).exists():
        raise ValidationError({"case_reference": _("没有这个事件编号。")}, code="invalid")

    def create() -> Objection:
        objection = Objection(client_id=uuid.UUID(str(key)), bulletin=bulletin, place=place, department=department,
                              measure=measure, case_reference=case_reference, reason=reason, evidence=evidence,
                              filed_by=actor, filed_role=grant.role, filed_at=now)
        objection.full_clean(exclude=["client_id"])
        objection.save()
        return objection

    return create_once(key=key, actor=actor, model=Objection, create=create, key_field="client_id",
                       owner_field="filed_by")


def objection_decide(*, actor, objection: Objection, accept: bool, decision: str, exclude_case: bool = False,
                     now: datetime.datetime | None = None) -> Objection:
    """The command center settles an objection with a reason. Accepting one that names a case counted on that
    line takes the case out of the draft (which is rebuilt at once)."""
    now = now or timezone.now()
    decision = (decision or "").strip()
    bulletin = objection.bulletin
    if not (actor.is_superuser or scope.grant_to_act(actor, bulletin, "bulletin", BUILDERS)):
        raise PermissionDenied(_("只有指挥中心可以处理申诉。"))
    if not decision:
        raise ValidationError({"decision": _("请填写处理意见。")}, code="required")
    if len(decision) > REASON_MAX:
        raise ValidationError({"decision": _("处理意见不超过 %(n)d 字。") % {"n": REASON_MAX}}, code="too_long")
    with transaction.atomic():
        claimed = Objection.objects.filter(pk=objection.pk, status=ObjectionStatus.PENDING).update(
            status=ObjectionStatus.ACCEPTED if accept else ObjectionStatus.REJECTED, decision=decision,
            decided_by=actor, decided_at=now)
        if claimed != 1:
            raise Conflict(_("该申诉已被处理，请刷新页面。"))
        bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        if bulletin.stage != Stage.DRAFT:
            raise ValidationError(_("通报已发布，不能再处理申诉。"), code="closed")
        if accept and exclude_case and objection.case_reference:
            case = Case.objects.filter(reference=objection.case_reference).values_list("pk", flat=True).first()
            line = objection.department_id and {"department_id": objection.department_id} or {
                "unit__startswith": objection.place.code}
            if case is None or not BulletinRow.objects.filter(bulletin=bulletin, object_id=case, **line).exists():
                raise ValidationError({"case_reference": _("该事件未计入本单位的数据，无需核减。")}, code="not_counted")
            Objection.objects.filter(pk=objection.pk).update(excluded_case_id=case)
            bulletin.exclusions = sorted({*bulletin.exclusions, case})
            Bulletin.objects.filter(pk=bulletin.pk).update(exclusions=bulletin.exclusions)
            _fill(bulletin, Period.parse(bulletin.period), now)
    objection.refresh_from_db()
    return objection


# ---------------------------------------------------------------------------------------------- publishing


def bulletin_publish(*, actor, bulletin: Bulletin, lock: int | None = None,
                     now: datetime.datetime | None = None) -> Bulletin:
    """Publish a draft after its objection window, when every objection has an answer: its figures are frozen."""
    now = now or timezone.now()
    if not (actor.is_superuser or scope.grant_to_act(actor, bulletin, "bulletin", BUILDERS)):
        raise PermissionDenied(_("只有指挥中心可以发布通报。"))
    with transaction.atomic():
        current = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        if current.stage != Stage.DRAFT:
            raise ValidationError(_("该通报已发布。"), code="published")
        if lock is not None and current.lock != int(lock):
            raise Conflict(_("通报刚刚已重新生成，请刷新页面核对后再发布。"))
        if current.objection_until and now < current.objection_until:
            raise ValidationError(_("申诉期至 %(until)s，期满后才能发布。") % {
                "until": timezone.localtime(current.objection_until).strftime("%Y-%m-%d %H:%M")}, code="window_open")
        if current.objections.filter(status=ObjectionStatus.PENDING).exists():
            raise ValidationError(_("还有申诉未处理，处理完毕后才能发布。"), code="pending_objections")
        Bulletin.objects.filter(kind=current.kind, place=current.place, period=current.period,
                                stage=Stage.PUBLISHED).update(stage=Stage.SUPERSEDED)
        seal_date, seal_head = seals.latest_seal() or (None, "")
        Bulletin.objects.filter(pk=current.pk).update(stage=Stage.PUBLISHED, published_at=now, published_by=actor,
                                                      audit_seal_date=seal_date, audit_seal_head=seal_head)
    bulletin.refresh_from_db()
    return bulletin


def bulletin_correct(*, actor, bulletin: Bulletin, reason: str, now: datetime.datetime | None = None) -> Bulletin:
    """更正: a new draft version of a published bulletin, rebuilt from today's data with the reason given; it
    goes through its own objection window, and the published version stays readable."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not (actor.is_superuser or scope.grant_to_act(actor, bulletin, "bulletin", BUILDERS)):
        raise PermissionDenied(_("只有指挥中心可以发布更正。"))
    if not reason:
        raise ValidationError({"reason": _("请填写更正原因。")}, code="required")
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("更正原因不超过 %(n)d 字。") % {"n": REASON_MAX}}, code="too_long")
    with transaction.atomic():
        Place.objects.select_for_update().filter(pk=bulletin.place_id).first()
        versions = Bulletin.objects.filter(kind=bulletin.kind, place=bulletin.place, period=bulletin.period)
        if versions.filter(stage=Stage.DRAFT).exists():
            raise ValidationError(_("已有一个待发布的更正版本。"), code="draft_exists")
        if bulletin.stage != Stage.PUBLISHED:
            raise ValidationError(_("只能更正已发布的版本。"), code="not_published")
        latest = versions.order_by("-version").first()
        draft = Bulletin.objects.create(
            kind=bulletin.kind, place=bulletin.place, period=bulletin.period, period_start=bulletin.period_start,
            period_end=bulletin.period_end, version=latest.version + 1, scheme=bulletin.scheme, reason=reason,
            exclusions=list(bulletin.exclusions), built_at=now, objection_until=_window_end(now))
        _fill(draft, Period.parse(bulletin.period), now)
    draft.refresh_from_db()
    return draft


def restatements_check(*, now: datetime.datetime | None = None, months: int = 3) -> int:
    """Nightly: count the published bulletins of the last months again; where late data changed a figure,
    write a restatement note with the difference (the published figures stay as they were)."""
    now = now or timezone.now()
    since = timezone.localdate(now) - datetime.timedelta(days=31 * months)
    written = 0
    for bulletin in Bulletin.objects.filter(stage=Stage.PUBLISHED, period_start__gte=since).select_related("place"):
        period = Period.parse(bulletin.period)
        child = bulletin.snapshot.get("levels", [LEVELS_BELOW.get(bulletin.place.level, Level.GRID)])[0]
        was = {line["unit"]: line for line in bulletin.snapshot.get("lines", []) if line.get("level") == child}
        differences = []
        for measure in measures.all_measures():
            live = figures.live_figures(measure, bulletin.place.code, period, child)
            for unit, line in was.items():
                before = line["figures"].get(measure.code, [0, 0])
                after = live.get(unit, [0, 0])
                if list(before) != list(after):
                    differences.append({"unit": unit, "label": line["label"], "measure": measure.code,
                                        "measure_label": str(measure.label), "was": list(before), "now": list(after)})
        last = bulletin.restatements.order_by("-found_at").values_list("differences", flat=True).first()
        if differences and differences != last:
            Restatement.objects.create(bulletin=bulletin, found_at=now, differences=differences)
            written += 1
    return written
