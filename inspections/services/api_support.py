"""Thin wrappers the API needs around the owned services (ladder, rechecks, rounds), each calling the service
that does the work: a retried signature or result answers what the first one did, a team is changed only as it
was read.

- `acknowledge_once`: `ladder.acknowledge`, but a retry by the person who signed returns the signed document.
- `recheck_record_once`: `rechecks.recheck_record`, but a retry of the same result by the same person returns it.
- `recheck_draw_once`: `rechecks.recheck_draw` under a client's Idempotency-Key.
- `team_version` / `team_update_as_read`: a team has no version column; its version is a fingerprint of what
  a client sees of it (name, leader, members, places). An update naming a version that no longer matches is a
  Conflict, checked with the round locked, so two edits of one team cannot overwrite each other.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction

from wudu.errors import Conflict
from wudu.writes import create_once

from ..models import Notice, Recheck, RecheckDraw, RecheckResult, Round, Team
from . import ladder, rechecks, rounds

__all__ = ["acknowledge_once", "recheck_draw_once", "recheck_record_once", "team_update_as_read", "team_version"]


def acknowledge_once(actor, notice: Notice) -> Notice:
    """The unit head signs `notice`; signing again (a retry) returns the document as signed the first time."""
    if notice.acknowledged_at is not None and notice.acknowledged_by_id == actor.pk:
        return notice
    try:
        return ladder.acknowledge(actor, notice)
    except Conflict:
        raise
    except ValidationError as error:
        if getattr(error, "code", None) != "acknowledged":
            raise
        signed = Notice.objects.get(pk=notice.pk)  # signed meanwhile: by this person (a doubled click) or another
        if signed.acknowledged_by_id == actor.pk:
            return signed
        raise


def recheck_record_once(actor, recheck: Recheck, *, result: str, note: str = "") -> Recheck:
    """Record the re-check's result; the same result sent again by the person who recorded it returns it."""
    if recheck.result != RecheckResult.PENDING and recheck.checked_by_id == actor.pk and recheck.result == result:
        return recheck
    try:
        return rechecks.recheck_record(actor, recheck, result=result, note=note)
    except Conflict:
        raise
    except ValidationError as error:
        if getattr(error, "code", None) != "already_recorded":
            raise
        recorded = Recheck.objects.get(pk=recheck.pk)
        if recorded.checked_by_id == actor.pk and recorded.result == result:
            return recorded
        raise


def recheck_draw_once(actor, round_: Round, *, seed: str | None = None, number: int | None = None,
                      idempotency_key=None) -> RecheckDraw:
    """Draw the round's next sample once per client key (and per draw number, as the service does)."""
    return create_once(key=idempotency_key, actor=actor, model=RecheckDraw,
                       create=lambda: rechecks.recheck_draw(actor, round_, seed=seed, number=number))


def team_version(team: Team) -> int:
    """The team's version as a client reads it: a fingerprint of its name, leader, members and places (from the
    prefetched members and coverage when there are). A whole number, so it travels as `version` and If-Match."""
    members = sorted((m.user_id, m.is_leader) for m in team.members.all())
    places = sorted(c.place_id for c in team.coverage.all())
    digest = hashlib.sha256(repr((team.name, members, places)).encode()).hexdigest()
    return int(digest[:12], 16) + 1


def team_update_as_read(*, actor, team: Team, expected_version: int | None = None, **changes) -> Team:
    """`rounds.team_update`, refused with a Conflict when the team changed since `expected_version` was read (none:
    the last write wins, as elsewhere)."""
    with transaction.atomic():
        Round.objects.select_for_update().filter(pk=team.round_id).values_list("pk", flat=True).first()
        current = Team.objects.get(pk=team.pk)
        if expected_version is not None and team_version(current) != expected_version:
            raise Conflict()
        return rounds.team_update(actor=actor, team=current, **changes)
