"""Re-checks against false rectification (台账销号反向核查).

`recheck_draw`: the inspection office draws, at random, a share of a round's ticked-off tasks (`Round.recheck_percent`,
at least one when any) that no earlier draw of the round picked. The seed and the candidates are recorded with the
draw (`RecheckDraw`), so the sample can be shown to be random and redone by anyone. Draws are numbered per round: a
retried or doubled click names the same number and gets the same draw back (the number is unique; the loser of a
race is handed the winner's draw).

`recheck_record`: the result of the visit on site, recorded once, by the inspection office or a member of one of the
round's teams whose coverage reaches the place — never by someone of the task's owner unit. A failed re-check
reopens the task (`steps.task_reopen`, action "recheck_failed") and counts against the owner's closure reliability
(passed ÷ (passed + failed), selectors.reports).
"""

from __future__ import annotations

import math
import random
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wudu import scope
from wudu.scope import Role

from .. import units
from ..models import Recheck, RecheckDraw, RecheckResult, Rectification, Round, TaskStatus
from ..selectors.reports import covers, team_codes
from . import steps

__all__ = ["draw_size", "drawn_sample", "may_draw", "recheck_draw", "recheck_grant", "recheck_record"]


def draw_size(percent: int, candidates: int) -> int:
    """ceil(percent % × candidates), at least one when there is any candidate (and the share is not zero)."""
    if candidates <= 0 or percent <= 0:
        return 0
    return min(candidates, max(1, math.ceil(percent * candidates / 100)))


def drawn_sample(seed: str, candidates: list[int], size: int) -> list[int]:
    """The sample a seed gives: what the draw was, and what anyone redoing it gets."""
    return sorted(random.Random(str(seed)).sample(sorted(candidates), size))


def may_draw(user, round_: Round) -> bool:
    return scope.can_change(user, round_, "inspection_round")


def recheck_draw(actor, round_: Round, *, seed: str | None = None, number: int | None = None, now=None) -> RecheckDraw:
    """Draw the round's next sample (or return draw `number` if it was made already: a retry or a double click)."""
    if not may_draw(actor, round_):
        raise PermissionDenied
    if number is not None:
        found = RecheckDraw.objects.filter(round=round_, number=number).first()
        if found is not None:
            return found
    now = now or timezone.now()
    seed = str(seed) if seed not in (None, "") else secrets.token_hex(8)
    try:
        with transaction.atomic():
            # One draw of a round at a time (the row lock on PostgreSQL; SQLite writes one at a time anyway).
            Round.objects.select_for_update().filter(pk=round_.pk).values_list("pk", flat=True).first()
            last = RecheckDraw.objects.filter(round=round_).order_by("-number").values_list("number", flat=True).first()
            next_number = (last or 0) + 1
            if number is not None and number != next_number:
                # The page was stale: another draw was made meanwhile.
                found = RecheckDraw.objects.filter(round=round_, number=number).first()
                if found is not None:
                    return found
                raise ValidationError(_("抽查批次已变化，请刷新页面后重试。"), code="stale_draw")
            candidates = list(
                Rectification.objects.filter(finding__round=round_, status=TaskStatus.TICKED_OFF)
                .exclude(rechecks__round=round_).order_by("id").values_list("id", flat=True))
            size = draw_size(round_.recheck_percent, len(candidates))
            if size == 0:
                raise ValidationError(_("本轮没有尚未抽查的已销号任务。"), code="nothing_to_draw")
            draw = RecheckDraw.objects.create(round=round_, number=next_number, seed=seed,
                                              percent=round_.recheck_percent, candidates=candidates, size=size,
                                              drawn_at=now, drawn_by=actor)
            Recheck.objects.bulk_create([Recheck(round=round_, task_id=task_id, draw=draw, drawn_at=now)
                                         for task_id in drawn_sample(seed, candidates, size)])
    except IntegrityError:
        # A parallel click made this draw (or drew one of these tasks) first: hand back what it made.
        found = RecheckDraw.objects.filter(round=round_, number=number or next_number).first()
        if found is None:
            raise
        return found
    return draw


def recheck_grant(user, recheck: Recheck):
    """The grant under which `user` records `recheck` (None: not allowed). The inspection office, or a member of one
    of the round's teams whose coverage in this round reaches the task's place while their dated grant runs; never
    someone of the task's owner unit."""
    task = recheck.task
    if units.is_owner(user, task):
        return None
    grant = scope.grant_to_act(user, task, "rectification", [Role.INSPECTION_OFFICE])
    if grant is not None:
        return grant
    if covers(team_codes(user, recheck.round_id), task.finding.place.code):
        return scope.grant_to_act(user, task, "rectification", [Role.INSPECTOR])
    return None


def recheck_record(actor, recheck: Recheck, *, result: str, note: str = "", now=None) -> Recheck:
    """Record what the visit found, once. Failed: the task is reopened (false rectification)."""
    if result not in (RecheckResult.PASSED, RecheckResult.FAILED):
        raise ValidationError({"result": _("请选择核查结果。")}, code="invalid_result")
    note = (note or "").strip()
    if result == RecheckResult.FAILED and not note:
        raise ValidationError({"note": _("核查不属实时须写明核查情况。")}, code="required")
    if len(note) > 1000:
        raise ValidationError({"note": _("核查情况不能超过 1000 字。")}, code="too_long")
    task = recheck.task
    if units.is_owner(actor, task):
        raise ValidationError(_("责任单位的人员不能核查本单位的整改任务。"), code="owner")
    grant = recheck_grant(actor, recheck)
    if grant is None:
        raise PermissionDenied
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Recheck.objects.filter(pk=recheck.pk, result=RecheckResult.PENDING).update(
            result=result, note=note, checked_by=actor, checked_at=now)
        if claimed != 1:
            raise ValidationError(_("该任务的核查结果已经记录。"), code="already_recorded")
        recheck.result, recheck.note, recheck.checked_by, recheck.checked_at = result, note, actor, now
        if result == RecheckResult.FAILED:
            task = Rectification.objects.get(pk=task.pk)
            if task.status == TaskStatus.TICKED_OFF:
                steps.task_reopen(task, reason=note, action="recheck_failed", actor=actor, role=grant.role,
                                  data={"recheck": recheck.pk, "round": recheck.round_id}, at=now)
    return recheck
