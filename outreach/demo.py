"""The demo district's party organisations: one per grid with its registered members (grids.demo runs this hook
for each grid as it is built, after its outpost partners, drawing names from the loader's seeded generator); and,
behind the server (`manage.py load_demo_history`, grids.demo.on_history), a year of its outreach events."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from grids.demo import Loader, on_grid, on_history
from grids.models import CODE_LENGTH, Level, Place

from . import services
from .models import Event, OrganizationKind, PartyMember, PartyOrganization, VolunteerOrganization


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


# ---------------------------------------------------------------------------------------------- a year of events

ENVIRONMENTAL_ORG = "魏都区环保志愿者协会"
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
        grids = list(PartyOrganization.objects.filter(grid__code__startswith=self.district.code)
                     .select_related("grid__parent").order_by("grid__code"))
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
                    kind="party_lesson", title=f"微型党课：{self.rng.choice(LESSON_TOPICS)}", venue=party.grid,
                    hour=19, hours=1, organizer=party, topic="微型党课（约 8 分钟）加交流",
                    speakers=self.rng.choice(members.get(party.pk) or speakers), planned_audience=self.rng.randint(20, 50),
                    address=f"{party.grid.parent.name}{party.grid.name}议事点")))
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
