"""What other apps show on a place's terminal, without grids knowing them.

An app that sits above grids (the ledger and its daily report) registers a panel in its AppConfig.ready(); the
terminal calls each one with the user, the place and the page's context, before rendering. A panel adds its
entries to the context (and, on the pages of a district, street or community, to each row of
`context["rows"]`, the places below) and never takes any away. A panel with a section of its own names its
template in `context["panel_templates"]` (the ledger's daily report: ledger/_day_report.html), which the terminal
includes. grids imports no app for this, nor names another app's template: the arrow stays ledger → grids.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Panel = Callable[[Any, Any, dict], None]

_PANELS: list[Panel] = []


def register(panel: Panel) -> Panel:
    if panel not in _PANELS:
        _PANELS.append(panel)
    return panel


def fill(user, place, context: dict) -> None:
    for panel in _PANELS:
        panel(user, place, context)
