"""The menu of base.html: each role is offered the pages it can use, never a list that is empty by design or a
page that answers 403. The answers come from the gate (the grants are read once per request and cached on the
user) and from the duties (三权分立); nothing is asked until the template reads it."""

from __future__ import annotations

from functools import cached_property

from django import template

from wudu import scope
from wudu.duties import Duty, has_duty
from wudu.twofactor import services as two_factor

from ..manage import resources_for

register = template.Library()


class Menu:
    """What the signed-in user is offered."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def signed_in(self) -> bool:
        return bool(getattr(self.user, "is_authenticated", False))

    @cached_property
    def past_second_step(self) -> bool:
        # Signed in, and past the second factor where one is required: the pages (and the service worker's script)
        # answer; before it, only the way to pass it does.
        return self.signed_in and (two_factor.is_verified(self.user) or not two_factor.required_for(self.user))

    @cached_property
    def data(self) -> bool:
        return self.signed_in and scope.reads_data(self.user)

    @cached_property
    def patrol(self) -> bool:
        # The phone patrol is the grid staff's own (一长两员), whatever else they hold.
        return self.data and scope.has_role(self.user, *scope.GRID_STAFF)

    @cached_property
    def ledger(self) -> bool:
        return self.data and scope.reads(self.user, "visit")

    @cached_property
    def volunteers(self) -> bool:
        return self.data and scope.reads(self.user, "volunteer")

    @cached_property
    def cases(self) -> bool:
        return self.data and scope.reads(self.user, "case")

    @cached_property
    def affairs(self) -> bool:
        # The handling desk of community services (便民服务): whoever reads applications (the handling units, the
        # levels above, the grid staff who applied on a resident's behalf).
        return self.data and (scope.reads(self.user, "application") or scope.has_role(self.user, *scope.GRID_STAFF))

    @cached_property
    def party_life(self) -> bool:
        # 三会一课 and 双报到: whoever reads the branch meetings (departments do not).
        return self.data and scope.reads(self.user, "branch_meeting")

    @cached_property
    def bulletins(self) -> bool:
        return self.data and scope.reads(self.user, "bulletin")

    @cached_property
    def certificates(self) -> bool:
        # Volunteer certificates (outreach): whoever reads them; issuing is offered on the list to the issuers.
        return self.data and scope.reads(self.user, "certificate")

    @cached_property
    def lecturers(self) -> bool:
        # The lecturers' pool (outreach): who reads it, and lecturers with an account (their own lessons).
        return self.data and scope.reads(self.user, "lecturer")

    @cached_property
    def events(self) -> bool:
        # Outreach events (党建与志愿活动, outreach/urls_events.py): read by every data role of the subtree.
        return self.data and scope.reads(self.user, "event")

    @cached_property
    def outreach(self) -> bool:
        # The 党建 group of the menu: one entry in the bar for outreach's five pages (events, party life, the
        # lecturers' pool, volunteers, certificates), so that the bar keeps to one line on a desktop.
        return self.events or self.party_life or self.lecturers or self.volunteers or self.certificates

    @cached_property
    def inspections(self) -> bool:
        # The 巡察 group of the menu (inspections/urls_*.py): whoever reads the rounds or the findings (the inspection
        # office, the teams while their coverage runs, the officials whose places are inspected).
        return self.signed_in and (scope.reads(self.user, "inspection_round") or scope.reads(self.user, "finding"))

    @cached_property
    def notifications(self) -> bool:
        return self.data

    @cached_property
    def manage(self) -> bool:
        return self.data and bool(resources_for(self.user))

    @cached_property
    def security(self) -> bool:
        return self.signed_in and has_duty(self.user, Duty.SECURITY)

    @cached_property
    def audit(self) -> bool:
        return self.signed_in and has_duty(self.user, Duty.AUDIT)

    @cached_property
    def api_docs(self) -> bool:
        # The OpenAPI pages (in English) serve who connects other systems: the system administrator.
        return self.signed_in and has_duty(self.user, Duty.SYSTEM)

    @cached_property
    def submit(self) -> bool:
        # Residents (no account) report a problem themselves; staff enter cases from their own pages.
        return not self.signed_in


@register.simple_tag
def menu_for(user) -> Menu:
    return Menu(user)
