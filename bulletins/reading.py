"""What one reader may see of a bulletin's snapshot: the same snapshot without the figures of measures the reader
may not see on a line (`selectors.shows`: the covert spot checks, never shown to the inspected grid's staff nor
below the levels above the grid). The API's detail and the exports (PDF, Excel) hand out only this."""

from __future__ import annotations

import copy

from wudu import measures

from . import selectors
from .models import Bulletin


def snapshot_for(user, bulletin: Bulletin) -> dict:
    """A copy of the snapshot as this reader may see it (the stored snapshot is never changed). Department staff
    read their own department's line: the places' lines, the other departments' and the lists are left out."""
    snapshot = bulletin.snapshot or {}
    guarded = [entry["code"] for entry in snapshot.get("measures", []) if entry.get("above_grid_only")]
    departments = selectors.own_departments(user)
    if not guarded and departments is None:
        return snapshot
    out = copy.deepcopy(snapshot)
    if departments is not None:
        out["departments"] = [d for d in out.get("departments", []) if d.get("department") in departments]
        out["lines"], out["red"], out["black"], out["groups"] = [], [], [], []
    registered = {m.code: m for m in measures.all_measures()}

    def hidden_on(unit: str) -> set[str]:
        # A guarded measure no longer registered is hidden from everyone: who may see it cannot be told.
        return {code for code in guarded if code not in registered or not selectors.shows(user, registered[code], unit)}

    shown: set[str] = set()  # the guarded measures the reader sees on at least one line (or in the total)
    for line in out.get("lines", []) + out.get("departments", []):
        hidden = hidden_on(line["unit"])
        shown |= set(guarded) - hidden
        for code in hidden:
            line.get("figures", {}).pop(code, None)
            if isinstance(line.get("previous"), dict):
                line["previous"].get("why", {}).pop(code, None)
    hidden = hidden_on(out.get("place", {}).get("code") or bulletin.place.code)
    shown |= set(guarded) - hidden
    for code in hidden:
        out.get("total", {}).pop(code, None)
    out["measures"] = [entry for entry in out.get("measures", [])
                       if not entry.get("above_grid_only") or entry["code"] in shown]
    return out


def hidden_measures(user, bulletin: Bulletin) -> set[str]:
    """The measures of the snapshot that this reader sees nowhere in it."""
    listed = {entry["code"] for entry in snapshot_for(user, bulletin).get("measures", [])}
    return {entry["code"] for entry in (bulletin.snapshot or {}).get("measures", [])} - listed
