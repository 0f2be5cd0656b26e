"""Demo history of community services: a few dozen applications of the last six weeks to the demo items (the
demo district's first community, its street and the district; affairs.demo), so that every desk of the demo
has work in every state: submitted, received, materials requested once, resubmitted, accepted, processing (one of
them overdue), approved with a certificate, refused with a reason and its basis, closed, and rated — some bad,
with the unit's rectification answered, and one rectification overdue. One application is made by a grid worker
on a household's behalf (帮办代办).

Every application is made and moved through the services (`application_submit_public`, `application_submit_for`,
`application_act`, `application_resubmit`, `application_rate`, `rectification_answer`) with `now=` set to the
past moment of each step, by the handling unit's official (or the department's staff; the admin where nobody
holds the post). Only the proof of the applicant's mobile is written directly: the one-time code is a secret the
service keeps as a digest only, so nobody can read it back; the demo's applicants (made-up numbers) are texted
nothing. Its own random generator (seeded), so the rest of the demo stays the same. Idempotent: when the demo items
already have applications, nothing is added. A hook of grids.demo.on_history (`manage.py load_demo_history`).
"""

from __future__ import annotations

import datetime
import random
import secrets
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from grids.demo import GIVEN, SURNAMES, on_history
from grids.models import Level, Membership, Place, Role, User
from ledger import services as ledger_services
from ledger.models import Household
from wudu.logs import quieted

from . import services
from .models import Application, MobileCode, Mode, ResultKind, Satisfaction, ServiceItem

DISTRICT_NAME = "魏都区"
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)

# Target state → how many applications end there. Older ones are further along.
PLAN = [
    ("submitted", 3), ("received", 3), ("materials_requested", 3), ("resubmitted", 2), ("accepted", 3),
    ("processing", 3), ("overdue", 1), ("approved", 2), ("refused", 2), ("closed", 5), ("rated_good", 6),
    ("rated_bad_answered", 2), ("rated_bad_overdue", 1), ("on_behalf", 1),
]
# How many days ago each target's application was submitted (a range), so each is plausible against its clock.
AGE = {
    "submitted": (0, 1), "received": (1, 3), "materials_requested": (2, 6), "resubmitted": (3, 8),
    "accepted": (1, 3), "processing": (3, 8), "overdue": (20, 24), "approved": (4, 10), "refused": (4, 12),
    "closed": (10, 30), "rated_good": (12, 40), "rated_bad_answered": (20, 40), "rated_bad_overdue": (18, 22),
    "on_behalf": (5, 9),
}
REFUSALS = ["经核查，申请人户籍不在本辖区，不符合申请条件。", "经入户核实，申请人家庭情况与申报不符。",
            "申请人年龄未达到申请条件。"]
GOOD_COMMENTS = ["办得很快，不用跑腿。", "工作人员很耐心。", "", "网上就办好了，方便。", ""]
BAD_COMMENTS = ["等了很久才办好，也没人告诉进度。", "补材料的要求没有一次说清楚。", "窗口领取时等了一个多小时。"]
RECTIFICATIONS = ["已约谈经办人员，今后办理进度按环节短信告知申请人。", "已整理本事项材料清单并在服务站公示，一次告知到位。",
                  "已调整领取时段并增设一个窗口。"]


@dataclass
class Plan:
    target: str
    item: ServiceItem
    submitted_at: datetime.datetime


class AffairsHistory:
    def __init__(self, *, stdout=None, now: datetime.datetime | None = None, seed: int = 20):
        self.rng = random.Random(seed)
        self.stdout = stdout
        self.now = now or timezone.now()
        self.admin = (User.objects.filter(username="admin").first()
                      or User.objects.filter(is_superuser=True).order_by("id").first())
        self.counts = {"applications": 0, "certificates": 0, "ratings": 0}
        self.tokens: dict[int, str] = {}
        self.mobiles = 0

    def log(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)

    def load(self) -> dict:
        district = Place.objects.filter(level=Level.DISTRICT, name=DISTRICT_NAME).order_by("code").first()
        items = list(ServiceItem.objects.filter(place__code__startswith=district.code, is_demo=True, active=True)
                     .exclude(mode=Mode.IN_PERSON).select_related("place", "unit_place", "department")
                     .order_by("sort_order", "id")) if district else []
        if not items or Application.objects.filter(item__in=items).exists():
            return {"applications": 0}
        self.community = min((i.place for i in items if i.place.level == Level.COMMUNITY), key=lambda p: p.code,
                             default=None)
        if self.community is None:
            return {"applications": 0}
        plans = []
        for target, count in PLAN:
            for _ in range(count):
                pool = [i for i in items if i.place == self.community] if target == "on_behalf" else items
                if target in ("overdue", "rated_bad_overdue"):
                    pool = sorted(pool, key=lambda i: i.time_limit)[:2]  # a short limit: overdue by now
                low, high = AGE[target]
                submitted = self.now - datetime.timedelta(days=low, hours=self.rng.randint(1, 20)) - self.rng.randint(
                    0, max(0, high - low)) * DAY
                plans.append(Plan(target, self.rng.choice(pool), min(_daytime(submitted), self.now - HOUR)))
        plans.sort(key=lambda p: p.submitted_at)
        with override_settings(NOTIFY_CHANNELS=[]), quieted("wudu.affairs", "wudu.notify"), transaction.atomic():
            for plan in plans:
                self.play(plan)
        self.log(f"  便民服务：{self.counts['applications']} 件申请（证明 {self.counts['certificates']} 份，"
                 f"评价 {self.counts['ratings']} 条）")
        return {"affairs_applications": self.counts["applications"]}

    # -- people ----------------------------------------------------------------------------------------------

    def handler(self, application: Application) -> User:
        if application.department_id:
            rows = Membership.objects.filter(role=Role.DEPARTMENT_STAFF, department_id=application.department_id)
        else:
            rows = Membership.objects.filter(place_id=application.unit_place_id,
                                             role__in=[Role.COMMUNITY_OFFICIAL, Role.STREET_OFFICIAL,
                                                       Role.DISTRICT_OFFICIAL])
        membership = rows.select_related("user").filter(user__is_active=True).order_by("id").first()
        return membership.user if membership else self.admin

    def applicant(self) -> tuple[str, str]:
        self.mobiles += 1
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN), f"1377431{self.mobiles:04d}"

    def proof(self, mobile: str, at: datetime.datetime) -> int:
        """The applicant proved their mobile a minute before submitting (see the module's note)."""
        code = f"{secrets.randbelow(1_000_000):06d}"
        return MobileCode.objects.create(
            mobile_digest=services._digest(mobile), code_digest=services._digest(f"{mobile}:{code}"),
            created_at=at - 2 * datetime.timedelta(minutes=1), expires_at=at + datetime.timedelta(minutes=8),
            verified_at=at - datetime.timedelta(minutes=1), used_at=None).pk

    def files(self, item: ServiceItem, requirements=None) -> dict:
        wanted = requirements if requirements is not None else [m for m in item.materials.all() if m.required]
        return {m.pk: ContentFile(b"%PDF-1.4 demo\n", name=f"{m.name}.pdf") for m in wanted}

    # -- one application -------------------------------------------------------------------------------------

    def play(self, plan: Plan) -> None:
        item, t = plan.item, plan.submitted_at
        name, mobile = self.applicant()
        if plan.target == "on_behalf":
            application = self.on_behalf(item, name, mobile, t)
            if application is None:
                return
        else:
            application, token = services.application_submit_public(
                item=item, place=self.community, applicant_name=name, mobile=mobile,
                proof_id=self.proof(mobile, t), files=self.files(item), now=t)
            self.tokens[application.pk] = token
        self.counts["applications"] += 1
        target = plan.target
        if target == "submitted":
            return
        t = self.act(application, "receive", t + self.rng.randint(1, 5) * HOUR)
        if target == "received":
            return
        if target in ("materials_requested", "resubmitted") or (target in ("closed", "rated_good")
                                                                and self.rng.random() < 0.3):
            required = [m for m in item.materials.all() if m.required]
            asked = self.rng.sample(required, k=min(len(required), self.rng.choice([1, 1, 2])))
            t = self.act(application, "request_materials", t + HOUR, materials=[m.pk for m in asked],
                         note="请一次补齐以下材料：照片需清晰完整。")
            if target == "materials_requested":
                return
            t = min(t + self.rng.randint(5, 30) * HOUR, self.now - HOUR)
            services.application_resubmit(token=self.tokens[application.pk], files=self.files(item, asked), now=t)
            application.refresh_from_db()
            if target == "resubmitted":
                return
        if target == "refused":
            self.act(application, "refuse", t + self.rng.randint(2, 20) * HOUR, reason=self.rng.choice(REFUSALS),
                     basis=item.legal_basis)
            return
        t = self.act(application, "accept", t + self.rng.randint(1, 4) * HOUR)
        if target == "accepted":
            return
        t = self.act(application, "process", t + HOUR)
        if target in ("processing", "overdue", "on_behalf"):
            return
        # Decided within the time limit, mostly well inside it; never after now.
        due = application.due_at
        t = min(t + (due - t) * self.rng.uniform(0.2, 0.9), self.now - 2 * HOUR)
        if target == "closed" and self.rng.random() < 0.3:
            t = self.act(application, "refuse", t, reason=self.rng.choice(REFUSALS), basis=item.legal_basis)
        else:
            t = self.approve(application, t)
        if target == "approved":
            return
        t = self.act(application, "close", min(t + self.rng.randint(1, 6) * HOUR, self.now - HOUR))
        if target == "closed":
            return
        t = min(t + self.rng.randint(2, 48) * HOUR, self.now - HOUR)
        bad = target.startswith("rated_bad")
        level = (self.rng.choice([Satisfaction.UNSATISFIED, Satisfaction.VERY_UNSATISFIED]) if bad else
                 self.rng.choice([Satisfaction.VERY_SATISFIED, Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED,
                                  Satisfaction.FAIRLY_SATISFIED]))
        services.application_rate(token=self.tokens[application.pk], level=level,
                                  comment=self.rng.choice(BAD_COMMENTS if bad else GOOD_COMMENTS), now=t)
        self.counts["ratings"] += 1
        if target == "rated_bad_answered":
            answered = min(t + self.rng.randint(1, 3) * DAY, self.now - HOUR)
            services.rectification_answer(actor=self.handler(application), application=application,
                                          answer=self.rng.choice(RECTIFICATIONS), now=answered)

    def approve(self, application: Application, t: datetime.datetime) -> datetime.datetime:
        item = application.item
        if item.place.level == Level.COMMUNITY:
            self.counts["certificates"] += 1
            return self.act(application, "approve", t, result_kind=ResultKind.CERTIFICATE,
                            result=f"兹证明{application.applicant_name}符合“{item.name}”办理条件，特此证明。")
        where = item.department.name if item.department_id else item.unit_place.name
        return self.act(application, "approve", t, result_kind=ResultKind.COLLECT,
                        result=f"准予办理。请于工作日到{where}便民服务窗口领取，携带本人身份证。")

    def act(self, application: Application, action: str, at: datetime.datetime, **inputs) -> datetime.datetime:
        at = min(at, self.now - datetime.timedelta(minutes=5))  # a recent application's steps stay in the past
        services.application_act(actor=self.handler(application), application=application, action=action,
                                 version=application.version, now=at, **inputs)
        return at

    def on_behalf(self, item: ServiceItem, name: str, mobile: str, at: datetime.datetime) -> Application | None:
        """帮办代办: the community's first grid worker applies for a household of their grid during a visit."""
        membership = (Membership.objects.filter(role=Role.GRID_WORKER, place__code__startswith=self.community.code,
                                                place__level=Level.GRID, user__is_active=True)
                      .select_related("user", "place").order_by("place__code", "id").first())
        if membership is None:
            return None
        household = Household.objects.filter(grid=membership.place).order_by("id").first()
        if household is None:
            household = ledger_services.household_create(actor=membership.user, grid=membership.place,
                                                         address="学院路 18 号", unit="1单元", room="101",
                                                         head_name=name, residents=2)
        application, token = services.application_submit_for(
            actor=membership.user, item=item, household=household, applicant_name=name, mobile=mobile,
            files=self.files(item), now=at)
        self.tokens[application.pk] = token
        return application


def _daytime(at: datetime.datetime) -> datetime.datetime:
    """Residents apply in the day: a moment of the night moves to 8:xx that morning or 20:xx that evening."""
    local = timezone.localtime(at)
    if local.hour < 8:
        return local.replace(hour=8)
    return local.replace(hour=20) if local.hour >= 21 else at


def load_affairs_history(*, stdout=None, now: datetime.datetime | None = None) -> dict:
    """The demo items' applications in every state (see the module's note)."""
    return AffairsHistory(stdout=stdout, now=now).load()


on_history(load_affairs_history)
