"""Demo history of party life: a year of 三会一课 and 主题党日 in the demo accounts' places (新兴街道, where
xinxing, dongzhuang and wgz1 work, and 丁庄社区, wgy2's), through the services, as the grid's instructor would record
them. Most meetings were held on time, some late, some never (overdue: they show on the overview and pull the
on-time rate down). Elsewhere the calendar starts with the current month and quarter, as for a new organisation.

Idempotent: when a meeting of those places has been recorded already, nothing is added.
"""

from __future__ import annotations

import datetime
import random
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from grids.models import Membership, Place, Role, User
from wudu.measures import Period

from . import services
from .models import BranchMeeting, MeetingKind, PartyMember, PartyOrganization

PLACES = (("新兴街道",), ("丁庄街道", "丁庄社区"))
MONTHS = 12
NEVER_HELD = 0.08  # left overdue
LATE = 0.06  # held after the due date
ABSENCE_REASONS = ["出差", "生病", "照顾家人", "值班", ""]
MINUTES = {
    MeetingKind.ASSEMBLY: "传达上级会议精神，通报支部工作，讨论发展党员和党费收缴情况。",
    MeetingKind.COMMITTEE: "研究本月党建工作安排，讨论网格内群众反映的问题和党员志愿服务分工。",
    MeetingKind.GROUP: "组织学习，交流思想，党员汇报就近参与网格服务情况。",
    MeetingKind.LESSON: "微型党课：学习党章和新时代党的建设要求，结合社区实际讨论。",
    MeetingKind.PARTY_DAY: "主题党日：重温入党誓词，开展楼院环境整治和垃圾分类宣传志愿服务。",
    MeetingKind.PARTY_COMMITTEE: "社区党委会：研究本月党建引领网格治理工作，听取各网格党支部（党小组）工作汇报。",
    MeetingKind.GENERAL_COMMITTEE: "总支委员会：研究本月党建工作安排，听取各网格党组织工作汇报。",
}


def _places() -> list[Place]:
    out = []
    for path in PLACES:
        place = Place.objects.filter(name=path[0], parent__level="district").first()
        for name in path[1:]:
            place = place and Place.objects.filter(parent=place, name=name).first()
        if place is not None:
            out.append(place)
    return out


def _recorder(organization: PartyOrganization, admin: User) -> User:
    """Who records its meetings: a grid's instructor (党建指导员), a community's official (its 党委书记 is one); the
    administrator where there is none."""
    membership = (Membership.objects.filter(place_id=organization.place_id,
                                            role__in=(Role.INSTRUCTOR, Role.COMMUNITY_OFFICIAL))
                  .select_related("user").order_by("pk").first())
    return membership.user if membership else admin


def load_party_history(*, today: datetime.date | None = None, stdout=None, seed: int = 411002) -> dict:
    today = today or timezone.localdate()
    rng = random.Random(seed)
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    places = _places()
    if admin is None or not places:
        return {"meetings": 0, "held": 0}
    under = reduce(or_, (Q(place__code__startswith=place.code) for place in places))
    organizations = list(PartyOrganization.objects.filter(under).select_related("place").order_by("place__code"))
    if BranchMeeting.objects.filter(organization__in=organizations, held_on__isnull=False).exists():
        return {"meetings": 0, "held": 0}
    first = Period.month(today.year, today.month)
    for _ in range(MONTHS - 1):
        first = first.previous()
    first = first.start
    created = held = 0
    day = first
    while day <= today:
        created += services.branch_meetings_schedule(day=day, organizations=organizations)
        day = Period.month(day.year, day.month).end
    for organization in organizations:
        recorder = _recorder(organization, admin)
        members = list(PartyMember.objects.filter(organization=organization).order_by("pk"))
        if not members:
            continue
        meetings = BranchMeeting.objects.filter(organization=organization, due_on__lt=today).order_by("due_on", "kind")
        for meeting in meetings:
            roll = rng.random()
            if roll < NEVER_HELD:
                continue
            start = Period.parse(meeting.period).start
            if roll < NEVER_HELD + LATE:
                held_on = min(meeting.due_on + datetime.timedelta(days=rng.randint(2, 20)), today)
            else:
                held_on = start + datetime.timedelta(days=rng.randint(0, (meeting.due_on - start).days))
            present = [m for m in members if rng.random() < 0.85] or members[:1]
            absent = {m.pk: rng.choice(ABSENCE_REASONS) for m in members if m not in present}
            with transaction.atomic():
                services.branch_meeting_record(actor=recorder, meeting=meeting, held_on=held_on,
                                               minutes=MINUTES[meeting.kind], present=present, absent=absent,
                                               today=today)
            held += 1
    if stdout is not None:
        stdout.write(f"  party life: {created} meetings scheduled, {held} recorded as held")
    return {"meetings": created, "held": held}
