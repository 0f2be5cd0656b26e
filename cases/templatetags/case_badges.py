"""A case's status badge, coloured by what its state means to the reader (selectors.badge_state): red overdue,
amber due soon, blue waiting for them, green finished, grey in someone else's hands or cancelled."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from .. import selectors

register = template.Library()

BADGES = {
    "overdue": ("text-bg-danger", _("已超期")),
    "due_soon": ("text-bg-warning", _("即将超期")),
    "mine": ("text-bg-primary", _("待我办理")),
    "done": ("text-bg-success", _("已办结")),
    "cancelled": ("text-bg-secondary", _("已注销")),
    "elsewhere": ("text-bg-light border", _("他人办理中")),
}


@register.inclusion_tag("cases/_status_badge.html")
def status_badge(case, mine=frozenset(), size: str = "") -> dict:
    state = selectors.badge_state(case, mine or frozenset())
    css, meaning = BADGES[state]
    return {"case": case, "state": state, "css": css, "meaning": meaning, "size": size}
