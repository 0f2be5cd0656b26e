"""The demo district's party organisations: one per grid with its registered members (grids.demo runs this hook
for each grid as it is built, after its outpost partners, drawing names from the loader's seeded generator), and
each community's own (社区党委, in every fourth community a 党总支) with a few community cadres registered directly,
drawn from a generator of its own so that the rest of the demo stays the same. Some
members work elsewhere (在职党员, 双报到): their workplace's party organisation is set, without drawing from the
generator, so the rest of the demo stays the same. Behind the server (`manage.py load_demo_history`, through
grids.demo.on_history): a year of outreach events, the environmental organisation's volunteers and their hours, the
lecturers' pool and its lessons, and a year of branch meetings (`outreach.demo_history`)."""

from __future__ import annotations

import datetime
import random

from django.db.models import Q, Sum
from django.utils import timezone

from grids.demo import GIVEN, SURNAMES, Loader, on_grid, on_history
from grids.models import CODE_LENGTH, Level, Place, User

from . import services
from .demo_history import load_party_history
from .models import (
    Certificate,
    Event,
    EventStatus,
    HoursKind,
    HoursStatus,
    Lecturer,
    LessonRequest,
    OrganizationKind,
    PartyMember,
    PartyOrganization,
    RequestStatus,
    ServiceRecord,
    Volunteer,
    VolunteerOrganization,
)

# The seed's environmental volunteer group: created with the events' history, its volunteers' hours after it.
ENVIRONMENTAL_ORG = "魏都区环保志愿者协会"

# The workplaces of the demo's in-service members (every third member, in turn).
WORKPLACES = ["区教育局机关党支部", "区人民医院党委第一支部", "许昌市供电公司魏都营业所党支部", "区城市管理局机关党支部",
              "魏都区实验小学党支部"]


def _unregistered_mobile(draw) -> str:
    """A mobile no member holds yet (one registration a member): drawn again on the rare collision."""
    mobile = draw()
    while PartyMember.objects.filter(mobile=mobile).exists():
        mobile = draw()
    return mobile


def community_party(loader: Loader, community: Place) -> None:
    """The community's own organisation and the cadres registered with it directly (its grids' members register
    with their grids)."""
    if PartyOrganization.objects.filter(place=community).exists():
        return
    rng = random.Random(community.code)
    general = int(community.code[-2:]) % 4 == 0
    kind, label = (OrganizationKind.GENERAL_BRANCH, "党总支") if general else (OrganizationKind.COMMITTEE, "党委")
    org = services.party_org_create(actor=loader.admin, place=community, kind=kind, name=f"{community.name}{label}",
                                    secretary=rng.choice(SURNAMES) + rng.choice(GIVEN))
    loader.created += 1
    for _ in range(3):
        loader.created += 1
        services.party_member_register(
            actor=loader.admin, organization=org, name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            mobile=_unregistered_mobile(lambda: f"15{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"),
            registered_on=datetime.date(2019, 1, 1) + datetime.timedelta(days=rng.randint(0, 2400)))


@on_grid
def party(loader: Loader, grid: Place) -> None:
    community_party(loader, grid.parent)
    if PartyOrganization.objects.filter(place=grid).exists():
        return
    kind = OrganizationKind.BRANCH if int(grid.code[-1]) % 3 == 0 else OrganizationKind.GROUP
    label = "党支部" if kind == OrganizationKind.BRANCH else "党小组"
    org = services.party_org_create(
        actor=loader.admin, place=grid, kind=kind, name=f"{grid.parent.name}{grid.name}{label}", secretary=loader.name()
    )
    loader.created += 1
    for n in range(loader.rng.randint(3, 9)):
        loader.created += 1
        workplace = WORKPLACES[(int(grid.code[-4:]) + n) % len(WORKPLACES)] if n % 3 == 1 else ""
        services.party_member_register(
            actor=loader.admin, organization=org, name=loader.name(), mobile=_unregistered_mobile(loader.mobile),
            registered_on=datetime.date(2019, 1, 1) + datetime.timedelta(days=loader.rng.randint(0, 2400)),
            workplace=workplace,
        )


# ---------------------------------------------------------------------------------------------- volunteers (hours)



def load_volunteer_history(*, stdout=None, seed: int = 16, now=None) -> dict:
    """The environmental organisation's 42 regular volunteers, their memberships, and their verified hours at the
    organisation's past lectures — through the services, as on the day: each volunteer checks in with the
    event's code at its venue and checks out, a few forget (closed at the end by the beat task's service, flagged),
    and the organisation's office countersigns.

    Runs after the events' history (which creates the organisation at the district and its lectures); without the
    organisation or its lectures it does nothing. Idempotent: a volunteer is found by mobile, a check-in by
    volunteer and event, a countersigned record stays countersigned.
    """
    org = (VolunteerOrganization.objects.filter(name=ENVIRONMENTAL_ORG).select_related("place")
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
        stdout.write(f"{ENVIRONMENTAL_ORG}: {len(volunteers)} volunteers, {created} check-ins added")
    return {"volunteers": len(volunteers), "volunteer_check_ins": created}


CERTIFIED_VOLUNTEERS = 5  # the environmental organisation's most active volunteers get a certificate


def load_certificates_history(*, stdout=None, now=None, top: int = CERTIFIED_VOLUNTEERS) -> dict:
    """Certificates (志愿服务记录证明) for the environmental organisation's most active volunteers, issued through
    the service by the organisation (谁记录谁证明), after the hours' history: each covers the volunteer's verified
    service records of the organisation (pending ones are not certified). Idempotent: a volunteer who holds a
    certificate of the organisation in force gets no second one."""
    org = (VolunteerOrganization.objects.filter(name=ENVIRONMENTAL_ORG).select_related("place")
           .order_by("place__code").first())
    if org is None:
        return {"certificates": 0}
    admin = User.objects.get(username="admin")
    now = now or timezone.now()
    verified = ServiceRecord.objects.filter(organization=org, kind=HoursKind.SERVICE, status=HoursStatus.VERIFIED)
    busiest = (verified.values("volunteer").annotate(total=Sum("minutes")).filter(total__gt=0)
               .order_by("-total", "volunteer")[:top])
    issued = 0
    for row in busiest:
        volunteer = Volunteer.objects.get(pk=row["volunteer"])
        if Certificate.objects.in_force().filter(organization=org, volunteer=volunteer).exists():
            continue
        records = list(verified.filter(volunteer=volunteer).order_by("checked_in_at"))
        first, last = (timezone.localdate(records[i].checked_in_at) for i in (0, -1))
        services.certificate_issue(actor=admin, organization=org, volunteer=volunteer, period_from=first,
                                   period_to=min(last, timezone.localdate(now)), records=records, now=now)
        issued += 1
    if stdout is not None:
        stdout.write(f"{ENVIRONMENTAL_ORG}: {issued} certificates issued")
    return {"certificates": issued}


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
# ---------------------------------------------------------------------------------------------- a year of events

SCHOOLS = ["区实验小学", "魏都区第一初级中学", "育才小学", "文峰小学", "东大街小学", "许昌市第三中学", "新兴幼儿园"]
LECTURE_TOPICS = ["垃圾分类，从我做起", "厨余垃圾怎么分", "可回收物的去向", "有害垃圾的识别与投放", "减塑生活小窍门",
                  "旧衣物回收与再利用"]
LESSON_TOPICS = ["学习党的二十大精神", "红色家风代代传", "身边的共产党员", "基层治理中的党员作用", "许昌红色故事",
                 "为民服务解难题", "网格里的初心"]
PERFORMANCES = ["红色经典歌曲演唱会", "“文明实践”文艺汇演", "戏曲进社区专场", "广场舞展演", "庆七一文艺晚会",
                "迎新春文艺演出"]
PARTY_DAY_TOPICS = ["重温入党誓词", "学习党章党规", "志愿服务进楼院", "清洁家园行动", "走访慰问困难党员", "红色教育基地参观"]
REPORTS = {
    "lecture": "协会志愿者以图文展板和现场互动讲解垃圾分类知识，居民和学生分组练习投放，发放宣传资料。",
    "party_lesson": "宣讲员围绕主题讲授微型党课约 8 分钟，党员群众交流学习体会。",
    "performance": "演出节目丰富，居民踊跃观看，同步进行网络直播。",
    "party_day": "支部党员按计划开展主题党日活动，重温入党誓词，并为楼院居民办实事。",
}
HOUR = datetime.timedelta(hours=1)


def _official(place: Place):
    """The official who records the place's events: its community (or street, district) official, else the admin."""
    from grids.models import Membership, Role

    role = {Level.COMMUNITY: Role.COMMUNITY_OFFICIAL, Level.STREET: Role.STREET_OFFICIAL}.get(
        place.level, Role.DISTRICT_OFFICIAL)
    membership = Membership.objects.filter(place=place, role=role).select_related("user").order_by("id").first()
    return membership.user if membership else None


class EventHistory:
    """A year of events in the demo district, played in time order through the services: each drafted and
    published before it starts (`now=` the day it was announced), reported the day after it ended; a few left
    unreported, cancelled, or entered afterwards with a reason and a second person's approval."""

    def __init__(self, *, stdout=None, seed: int = 16):
        from grids.models import User

        self.rng = random.Random(seed)
        self.stdout = stdout
        self.now = timezone.now()
        self.admin = User.objects.get(username="admin")
        self.district = Place.objects.get(level=Level.DISTRICT, name="魏都区")
        self.counts = {"events": 0, "held": 0}

    def log(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)

    def organisation(self) -> VolunteerOrganization:
        found = VolunteerOrganization.objects.filter(place=self.district, name=ENVIRONMENTAL_ORG).first()
        return found or services.volunteer_org_create(
            actor=self.admin, place=self.district, name=ENVIRONMENTAL_ORG, contact_name="李红霞", phone="0374-5123688",
            founded_on=datetime.date(2017, 3, 12),
            description="由 40 余名常驻志愿者组成，长期深入社区和学校开展垃圾分类等环保宣讲。")

    def _at(self, day: datetime.date, hour: int) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, self.rng.choice([0, 30]))))

    def play(self, *, kind: str, title: str, venue: Place, day: datetime.date, hour: int, hours: float,
             organizer=None, **extra) -> Event | None:
        starts_at = self._at(day, hour)
        ends_at = starts_at + hours * HOUR
        actor = _official(venue) or _official(venue.parent) or self.admin
        announced = min(starts_at - datetime.timedelta(days=self.rng.randint(3, 14)), self.now)
        # A few past events entered afterwards (补录), in a community or a grid: approved by the street's official.
        back_entry = starts_at < self.now and venue.level in (Level.COMMUNITY, Level.GRID) and self.rng.random() < 0.03
        event = services.event_create(
            actor=actor, kind=kind, title=title, venue=venue, starts_at=starts_at, ends_at=ends_at,
            organizer=organizer, back_entry_reason="活动当天网络中断，未能及时登记，事后补录。" if back_entry else "",
            **extra)
        self.counts["events"] += 1
        if starts_at > self.now and self.rng.random() < 0.15:
            return event  # still a draft
        if back_entry:
            street = Place.objects.get(code=venue.code[:CODE_LENGTH[Level.STREET]])
            approver = next(person for person in (_official(street), _official(self.district), self.admin)
                            if person is not None and person.pk != actor.pk)
            event = services.event_publish(actor=approver, event=event, now=self.now)
        else:
            event = services.event_publish(actor=actor, event=event, now=announced)
        if ends_at > self.now:
            return event
        roll = self.rng.random()
        if roll < 0.03:
            return services.event_cancel(actor=actor, event=event)
        if roll < 0.08:
            return event  # not reported: counts as not held
        planned = event.planned_audience or 40
        audience = max(5, int(planned * self.rng.uniform(0.6, 1.3)))
        counted = self.rng.choices(["headcount", "registration", "estimate"], weights=[5, 3, 2])[0]
        event = services.event_report(actor=actor, event=event, actual_audience=audience, audience_counted_by=counted,
                                      report=REPORTS[kind], now=min(ends_at + datetime.timedelta(days=1), self.now))
        self.counts["held"] += 1
        return event

    def load(self) -> dict:
        if Event.objects.filter(venue__code__startswith=self.district.code).exists():
            return {}
        org = self.organisation()
        communities = list(Place.objects.filter(level=Level.COMMUNITY, code__startswith=self.district.code)
                           .select_related("parent").order_by("code"))
        streets = list(Place.objects.filter(level=Level.STREET, parent=self.district).order_by("code"))
        home_street = next(s for s in streets if s.name == "新兴街道")
        party_day_communities = [c for c in communities if c.parent_id == home_street.pk or c.name == "丁庄社区"]
        grids = list(PartyOrganization.objects.filter(place__code__startswith=self.district.code,
                                                      place__level=Level.GRID)
                     .select_related("place__parent").order_by("place__code"))
        members = {}
        for member in PartyMember.objects.filter(organization__in=grids).order_by("id").values_list(
                "organization_id", "name"):
            members.setdefault(member[0], []).append(member[1])
        speakers = [loader_name(self.rng) for _ in range(12)]
        first = (timezone.localdate() - datetime.timedelta(days=365)).replace(day=1)
        month = first
        end = timezone.localdate() + datetime.timedelta(days=45)
        plan: list[tuple[datetime.date, dict]] = []
        while month <= end:
            days = [month + datetime.timedelta(days=d) for d in range(28)]
            for _ in range(self.rng.choice([6, 6, 7, 7, 7])):  # the seed: ~6–7 lectures a month
                community = self.rng.choice(communities)
                school = self.rng.random() < 0.4
                plan.append((self.rng.choice(days), dict(
                    kind="lecture", title=f"垃圾分类宣讲进{'校园' if school else '社区'}", venue=community, hour=15 if school else 9,
                    hours=1.5, organizer=org, topic=self.rng.choice(LECTURE_TOPICS), counts_as_service=True,
                    address=self.rng.choice(SCHOOLS) if school else f"{community.name}党群服务中心",
                    speakers="、".join(self.rng.sample(speakers, 2)), planned_audience=self.rng.randint(40, 120))))
            for _ in range(4):  # micro party lessons by ordinary members, in the grids
                party = self.rng.choice(grids)
                plan.append((self.rng.choice(days), dict(
                    kind="party_lesson", title=f"微型党课：{self.rng.choice(LESSON_TOPICS)}", venue=party.place,
                    hour=19, hours=1, organizer=party, topic="微型党课（约 8 分钟）加交流",
                    speakers=self.rng.choice(members.get(party.pk) or speakers), planned_audience=self.rng.randint(20, 50),
                    address=f"{party.place.parent.name}{party.place.name}议事点")))
            for _ in range(self.rng.choice([1, 2])):  # performances taken to the neighbourhoods, streamed live
                street = self.rng.choice(streets)
                plan.append((self.rng.choice(days), dict(
                    kind="performance", title=self.rng.choice(PERFORMANCES), venue=street, hour=19, hours=2,
                    speakers="区文化馆艺术团、社区文艺队", planned_audience=self.rng.randint(200, 600),
                    address=f"{street.name}文化广场", stream_url=f"https://live.example.cn/weidu/{month:%Y%m}{len(plan)}")))
            for community in party_day_communities:  # 主题党日, monthly
                plan.append((month + datetime.timedelta(days=self.rng.randint(8, 14)), dict(
                    kind="party_day", title=f"主题党日：{self.rng.choice(PARTY_DAY_TOPICS)}", venue=community, hour=9,
                    hours=2, planned_audience=self.rng.randint(20, 45), address=f"{community.name}党群服务中心")))
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        plan.sort(key=lambda item: (item[0], item[1]["hour"]))
        for day, values in plan:
            if day > end:
                continue
            self.play(day=day, **values)
        self.log(f"  活动：{self.counts['events']} 场（已举办 {self.counts['held']} 场）")
        return {"events": self.counts["events"]}


def loader_name(rng: random.Random) -> str:
    from grids.demo import GIVEN, SURNAMES

    return rng.choice(SURNAMES) + rng.choice(GIVEN)


@on_history
def events_history(*, stdout=None) -> dict:
    """A year of events in the demo district (the environmental volunteers' lectures, micro party lessons,
    performances, themed party days), behind the server (`manage.py load_demo_history`)."""
    return EventHistory(stdout=stdout).load()


# After the events' history (registered above with @on_history: hooks run in the order they are registered): the
# environmental organisation's volunteers check in at its lectures, then the lecturers' pool gives its lessons.
on_history(load_volunteer_history)
on_history(load_certificates_history)
on_history(load_lecturers_history)
on_history(load_party_history)
