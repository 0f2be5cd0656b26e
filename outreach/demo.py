"""The demo district's party organisations: one per grid with its registered members (grids.demo runs this hook
for each grid as it is built, after its outpost partners, drawing names from the loader's seeded generator)."""

from __future__ import annotations

import datetime
import random

from django.db.models import Q
from django.utils import timezone

from grids import demo as grids_demo
from grids.demo import GIVEN, SURNAMES, Loader, on_grid
from grids.models import Level, Place, User

from . import services
from .models import (
    Event,
    EventStatus,
    HoursKind,
    HoursStatus,
    Lecturer,
    LessonRequest,
    OrganizationKind,
    PartyOrganization,
    RequestStatus,
    ServiceRecord,
    VolunteerOrganization,
)


@on_grid
def party(loader: Loader, grid: Place) -> None:
    if PartyOrganization.objects.filter(grid=grid).exists():
        return
    kind = OrganizationKind.BRANCH if int(grid.code[-1]) % 3 == 0 else OrganizationKind.GROUP
    label = "党支部" if kind == OrganizationKind.BRANCH else "党小组"
    org = services.party_org_create(
        actor=loader.admin, grid=grid, kind=kind, name=f"{grid.parent.name}{grid.name}{label}", secretary=loader.name()
    )
    loader.created += 1
    for _ in range(loader.rng.randint(3, 9)):
        loader.created += 1
        services.party_member_register(
            actor=loader.admin, organization=org, name=loader.name(), mobile=loader.mobile(),
            registered_on=datetime.date(2019, 1, 1) + datetime.timedelta(days=loader.rng.randint(0, 2400)),
        )


# ---------------------------------------------------------------------------------------------- volunteers (hours)

ENVIRONMENT_ORG = "魏都区环保志愿者协会"


def load_volunteer_history(*, stdout=None, seed: int = 16, now=None) -> dict:
    """The environmental organisation's 42 regular volunteers, their memberships, and their verified hours at the
    organisation's past lectures — through the services, as on the day: each volunteer checks in with the
    event's code at its venue and checks out, a few forget (closed at the end by the beat task's service, flagged),
    and the organisation's office countersigns.

    Runs after the events' history (which creates the organisation at the district and its lectures); without the
    organisation or its lectures it does nothing. Idempotent: a volunteer is found by mobile, a check-in by
    volunteer and event, a countersigned record stays countersigned.
    """
    org = (VolunteerOrganization.objects.filter(name=ENVIRONMENT_ORG).select_related("place")
           .order_by("place__code").first())
    if org is None:
        return {"volunteers": 0, "volunteer_check_ins": 0}
    admin = User.objects.get(username="admin")
    rng = random.Random(seed)
    communities = list(Place.objects.filter(code__startswith=org.place.code, level="community").order_by("code"))
    volunteers = []
    for index in range(42):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        home = communities[index % len(communities)] if communities else org.place
        volunteer = services.volunteer_register(
            actor=admin, home=home, name=name, mobile=f"1357716{index:04d}",
            registered_on=datetime.date(2017, 3, 1) + datetime.timedelta(days=rng.randint(0, 900)))
        services.volunteer_join(actor=admin, volunteer=volunteer, organization=org,
                                role="队长" if index == 0 else ("骨干" if index < 6 else ""),
                                joined_on=volunteer.registered_on)
        volunteers.append(volunteer)
    now = now or timezone.now()
    lectures = (Event.objects.filter(volunteer_organization=org, ends_at__lt=now,
                                     status__in=[EventStatus.PUBLISHED, EventStatus.HELD])
                .filter(Q(kind="lecture") | Q(counts_as_service=True)).order_by("starts_at"))
    created = 0
    for event in lectures:
        team = rng.sample(volunteers, k=min(len(volunteers), rng.randint(4, 10)))
        for volunteer in team:
            # Every draw is made whether or not the record exists: a second run draws the same teams.
            arrive = event.starts_at - datetime.timedelta(minutes=rng.randint(0, 25))
            leave = event.ends_at - datetime.timedelta(minutes=rng.randint(0, 20))
            forgets = rng.random() >= 0.92  # a few forget to check out
            point = {}
            if event.lng is not None and event.lat is not None:
                point = {"lng": event.lng + rng.uniform(-0.001, 0.001), "lat": event.lat + rng.uniform(-0.001, 0.001)}
            if ServiceRecord.objects.filter(volunteer=volunteer, event=event, kind=HoursKind.SERVICE).exists():
                continue
            services.volunteer_check_in(code=services.checkin_code(event, now=arrive), mobile=volunteer.mobile,
                                        device=services.device_hash(f"demo-phone-{volunteer.mobile}"), now=arrive,
                                        **point)
            created += 1
            if not forgets:
                services.volunteer_check_out(code=services.checkin_code(event, now=leave), mobile=volunteer.mobile,
                                             now=leave, **point)
    services.hours_close_forgotten(now=now)
    for record in ServiceRecord.objects.filter(organization=org, kind=HoursKind.SERVICE, status=HoursStatus.PENDING,
                                               checked_out_at__isnull=False, event__ends_at__lt=now
                                               - datetime.timedelta(days=2)).select_related("volunteer"):
        services.hours_countersign(actor=admin, record=record, now=record.checked_out_at
                                   + datetime.timedelta(hours=rng.randint(2, 30)))
    if stdout is not None:
        stdout.write(f"{ENVIRONMENT_ORG}: {len(volunteers)} volunteers, {created} check-ins added")
    return {"volunteers": len(volunteers), "volunteer_check_ins": created}


# Run by `manage.py load_demo_history` after the events' history (the events area's hook, grids.demo.on_history,
# registered above this line once merged: hooks run in the order they are registered).
_on_history = getattr(grids_demo, "on_history", None)
if _on_history is not None:
    _on_history(load_volunteer_history)
# ---------------------------------------------------------------------------------------------- the lecturers' pool

# The pool of the seed (Xiangshan's 宣讲团: 40+ speakers, 36 lessons a year, ~140 listeners a lesson), built behind
# the server by `manage.py load_demo_lecturers` (not by load_demo, which stays fast), through the services, with the
# clock of each step set to its past moment.
LECTURER_KINDS = [("cadre", 18), ("teacher", 12), ("model_worker", 8), ("other", 2)]
LECTURER_UNITS = {"cadre": ["社区居委会", "街道党工委"], "teacher": ["许昌市第一中学", "魏都区实验小学", "许昌学院"],
                  "model_worker": ["许继集团", "瑞贝卡集团", "许昌烟草"], "other": ["退休老党员", "法律服务所"]}
LESSON_TOPICS = [
    "党的二十大精神进社区", "红色家风代代传", "身边的劳模故事", "垃圾分类从我做起", "反诈防骗小课堂", "民法典与百姓生活",
    "许昌红色革命史", "新时代文明实践", "基层治理与网格化服务", "老年人防跌倒与健康", "青少年心理健康", "安全生产人人有责",
]
RESIDENT_WISHES = ["想听红色故事", "给孩子们讲讲劳模精神", "讲讲垃圾分类怎么分", "老人容易被骗，讲讲防诈骗",
                   "讲讲民法典里的继承", "想了解社区网格化服务"]
LESSONS_A_YEAR = 36


def load_lecturers_history(*, stdout=None, seed: int = 16) -> dict[str, int]:
    """~40 lecturers in the district's communities and a year of their lessons: 36 delivered (~140 listeners each,
    rated by part of the audience), and requests waiting in every other state. Idempotent: a district that already
    has lecturers gets nothing more."""
    if Lecturer.objects.exists():
        return {"lecturers": 0, "lessons": 0}
    rng = random.Random(seed)
    organiser = User.objects.get(username="qu")
    communities = list(Place.objects.filter(level=Level.COMMUNITY).defer("boundary").order_by("code"))
    home_community = next((c for c in communities if c.name == "董庄社区"), communities[0])
    now = timezone.now()
    year_ago = now - datetime.timedelta(days=365)

    def person() -> str:
        return rng.choice(SURNAMES) + rng.choice(GIVEN)

    # The pool: the demo's grid head wgz1 is one of its community cadres, with an account to accept lessons.
    pool, serial = [], 0
    for kind, count in LECTURER_KINDS:
        for _ in range(count):
            serial += 1
            account = User.objects.filter(username="wgz1").first() if serial == 1 else None
            community = home_community if serial <= 3 else rng.choice(communities)
            lecturer = services.lecturer_create(
                actor=organiser, home=community, name=account.real_name if account else person(),
                mobile=f"1375550{serial:04d}", kind=kind, unit=rng.choice(LECTURER_UNITS[kind]), user=account)
            titles = rng.sample(LESSON_TOPICS, rng.randint(1, 2))
            for title in titles:
                topic = services.lecturer_topic_add(actor=organiser, lecturer=lecturer, title=title,
                                                    summary=f"{title}：八分钟微党课，讲身边事、说百姓话。",
                                                    duration_minutes=rng.choice([8, 8, 8, 10, 15]))
                if serial % 19 != 0:  # two lecturers' topics still wait for review
                    services.lecturer_topic_review(actor=organiser, topic=topic, now=year_ago)
            if serial in (7, 33):
                services.lecturer_update(actor=organiser, lecturer=lecturer, active=False)
            pool.append(lecturer)
    ready = [lec for lec in pool if lec.active and lec.topics.filter(reviewed_at__isnull=False).exists()]

    def order(at: datetime.datetime, community: Place):
        if rng.random() < 0.4:
            return services.lesson_request_submit_public(
                community=community, name=person(), mobile=f"1395550{rng.randint(0, 9999):04d}",
                topic_wish=rng.choice(RESIDENT_WISHES), expected_audience=rng.choice([80, 120, 150, 200]), now=at)
        return services.lesson_request_create(
            actor=organiser, community=community, requester_name=f"{community.name}居委会",
            requester_mobile=f"1385550{rng.randint(0, 9999):04d}", topic_wish=rng.choice(LESSON_TOPICS),
            expected_audience=rng.choice([100, 140, 160]), now=at)

    def assign(lesson, at, lecturer=None):
        lecturer = lecturer or rng.choice(ready)
        topic = lecturer.topics.filter(reviewed_at__isnull=False).first()
        return services.lesson_request_assign(actor=organiser, request=lesson, lecturer=lecturer, topic=topic, now=at)

    def answer_as(lesson):
        return lesson.lecturer.user or organiser

    # A year of delivered lessons, every ~10 days, each answered within days and given 5–20 days after the order.
    for index in range(LESSONS_A_YEAR):
        asked = timezone.localtime(year_ago + datetime.timedelta(days=index * 9.5 + rng.random() * 3)).replace(
            hour=rng.randint(8, 17), minute=rng.randint(0, 59))
        given = timezone.localtime(asked + datetime.timedelta(days=rng.randint(5, 20))).replace(
            hour=rng.choice([9, 10, 15, 19]), minute=0, second=0, microsecond=0)
        if given >= now - datetime.timedelta(days=1):
            break
        lesson = assign(order(asked, rng.choice(communities)), asked + datetime.timedelta(hours=20))
        if rng.random() < 0.15:  # declined once, then given to another
            lesson = services.lesson_request_decline(actor=answer_as(lesson), request=lesson, reason="时间冲突")
            lesson = assign(lesson, asked + datetime.timedelta(days=2))
        lesson = services.lesson_request_accept(actor=answer_as(lesson), request=lesson, starts_at=given,
                                                now=asked + datetime.timedelta(days=3))
        lesson = services.lesson_request_deliver(
            actor=organiser, request=lesson, audience=max(40, int(rng.gauss(140, 30))),
            counted_by=rng.choice(["headcount", "registration"]), report="宣讲结束后听众踊跃提问，反响良好。",
            now=given + datetime.timedelta(hours=1))
        for listener in range(rng.randint(4, 14)):
            services.lesson_rate_public(
                token=lesson.rating_token, mobile=f"1365550{index:02d}{listener:02d}",
                score=rng.choices([5, 4, 3, 2], weights=[60, 28, 9, 3])[0],
                comment=rng.choice(["", "", "讲得生动", "贴近生活，很实用", "希望多来几次"]),
                now=given + datetime.timedelta(hours=rng.randint(2, 48)))

    # Requests in every open state, and two cancelled.
    recent = now - datetime.timedelta(days=2)
    wgz1 = next((lec for lec in pool if lec.user_id), None)
    for _ in range(3):
        order(recent, rng.choice(communities))  # 待派单
    assign(order(recent, home_community), recent + datetime.timedelta(hours=3), lecturer=wgz1)  # 待接单 on wgz1's page
    assign(order(recent, rng.choice(communities)), recent + datetime.timedelta(hours=3))
    declined = assign(order(recent, rng.choice(communities)), recent + datetime.timedelta(hours=3))
    services.lesson_request_decline(actor=answer_as(declined), request=declined, reason="当天外出培训")  # 待改派
    for days in (4, 9):
        lesson = assign(order(recent, rng.choice(communities)), recent + datetime.timedelta(hours=3))
        services.lesson_request_accept(actor=answer_as(lesson), request=lesson,
                                       starts_at=timezone.localtime(now + datetime.timedelta(days=days)).replace(
                                           hour=15, minute=0, second=0, microsecond=0),
                                       now=recent + datetime.timedelta(hours=5))
    for _ in range(2):
        services.lesson_request_cancel(actor=organiser, request=order(recent, rng.choice(communities)),
                                       reason="社区活动调整，改期再约")
    counts = {status: LessonRequest.objects.filter(status=status).count() for status in RequestStatus.values}
    if stdout is not None:
        stdout.write(f"Lecturers' pool: {len(pool)} lecturers, requests by state {counts}.")
    return {"lecturers": len(pool), "lessons": counts[RequestStatus.DELIVERED]}
