"""Demo history of the ledger: households of every grid and days of patrols, visits and daily reports, through the
services (the cases of the same days follow in cases.demo_history.load_history).

Idempotent: a day already walked in a grid is skipped, so a second run adds nothing. The streets of the
demo accounts (新兴, 丁庄) get the full history; the others a shorter one, to keep `make run` quick.
"""

from __future__ import annotations

import datetime
import random
import uuid
import zlib

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from grids.models import Level, Membership, Place, Role, User
from wudu import demo_progress

from . import services as ledger
from .models import FindingCategory, Household, HouseholdTag, Patrol, Site, Visit
from .reports import daily_report_build

FULL_HISTORY_STREETS = ("新兴街道", "丁庄街道")
ROADS = ["建设路", "文峰路", "六一路", "七一路", "许继大道", "八一路", "魏文路", "东大街", "西大街", "南关大街"]
FINDINGS = {
    "safety": ("楼道电动车充电", "已劝导移至充电棚"),
    "sanitation": ("垃圾未分类投放", "已指导住户分类投放"),
    "dispute": ("邻里噪音纠纷", "已上门调解"),
    "livelihood": ("独居老人需助餐", "已联系社区食堂送餐"),
    "pollution": ("露天焚烧树叶", "已制止并清理"),
    "illegal_building": ("楼顶私搭彩钢房", "已告知拆除时限"),
}


class HistoryLoader:
    def __init__(self, *, days: int = 90, short_days: int = 14, stdout=None, seed: int = 2026):
        self.days, self.short_days, self.stdout = days, short_days, stdout
        self.rng = random.Random(seed)
        self.categories = {c.code: c for c in FindingCategory.objects.filter(active=True)}
        self.tags = list(HouseholdTag.objects.all())

    def log(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)

    def load(self) -> dict:
        admin = User.objects.get(username="admin")
        today = timezone.localdate()
        full = set(Place.objects.filter(level=Level.STREET, name__in=FULL_HISTORY_STREETS).values_list("code", flat=True))
        grids = list(Place.objects.filter(level=Level.GRID).order_by("code"))
        workers = {}
        for m in Membership.objects.filter(role=Role.GRID_WORKER, place__level=Level.GRID).select_related("user"):
            workers.setdefault(m.place_id, []).append(m.user)
        walked = 0
        for n, grid in enumerate(grids, start=1):
            households = self._register(admin, grid)
            days = self.days if grid.code[:9] in full else self.short_days
            walked += self._walk(grid, workers.get(grid.pk, []), households, today, days)
            if n % 50 == 0:
                self.log(f"  走访记录：{n}/{len(grids)} 个网格")
            demo_progress.report("ledger", n, len(grids))
        # Past days only: today's report is built at 21:00, when the day's walking is done.
        for offset in range(1, self.days + 1):
            daily_report_build(today - datetime.timedelta(days=offset))
            demo_progress.report("reports", offset, self.days)
        return {"patrols": walked}

    def _register(self, admin: User, grid: Place) -> list[Household]:
        households = list(Household.objects.filter(grid=grid))
        if households:
            return households
        road = self.rng.choice(ROADS)
        buildings = list(Place.objects.filter(parent=grid).order_by("code"))
        with transaction.atomic():
            for i in range(12):
                building = buildings[i % len(buildings)] if buildings else None
                tags = self.rng.sample(self.tags, k=self.rng.choice([0, 0, 0, 1, 1, 2]))
                households.append(ledger.household_create(
                    actor=admin, grid=grid, building=building, address=f"{road}{self.rng.randint(1, 300)}号",
                    unit=f"{i % 3 + 1}单元", room=f"{(i // 3 + 1) * 100 + i % 3 + 1}", residents=self.rng.randint(1, 5),
                    head_name=f"{self.rng.choice('王李张刘陈杨赵黄')}某某", tags=tags,
                ))
            if int(grid.code[-3:]) == 1 and not Site.objects.filter(grid=grid).exists():
                ledger.site_create(actor=admin, grid=grid, kind="monitoring_station", name=f"{grid.parent.name}国控站点",
                                   duty_radius_m=500)
        return households

    def _walk(self, grid: Place, workers: list[User], households: list[Household], today, days: int) -> int:
        if not workers:
            return 0
        done = set(
            timezone.localdate(t) for t in Patrol.objects.filter(grid=grid).values_list("started_at", flat=True)
        )
        count = 0
        for offset in range(days, 0, -1):
            day = today - datetime.timedelta(days=offset)
            # Some days nobody walks (the report shows it): the same days on every run, or a second run would
            # walk the days the first one skipped.
            if day in done or zlib.crc32(f"{grid.code}:{day}".encode()) % 100 < 8:
                continue
            worker = workers[offset % len(workers)]
            with transaction.atomic():
                self._patrol(grid, worker, households, day)
            count += 1
        return count

    def _patrol(self, grid: Place, worker: User, households: list[Household], day: datetime.date) -> None:
        minutes = self.rng.choice([35, 50, 65, 75, 90, 110])
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(8 + self.rng.randint(0, 8),
                                                                                  self.rng.randint(0, 59))))
        end = start + datetime.timedelta(minutes=minutes)
        # The history is written as it would have been on that day, so the service's "not older than
        # 7 days" rule for late offline records is checked against that day.
        patrol = ledger.patrol_start(actor=worker, grid=grid, client_id=uuid.uuid4(), started_at=start, now=start)
        for i in range(self.rng.randint(2, 5)):
            at = start + datetime.timedelta(minutes=(i + 1) * minutes // 6)
            code = self.rng.choice(list(FINDINGS)) if self.rng.random() < 0.2 else None
            finding, action = FINDINGS.get(code, ("", ""))
            ledger.visit_record(
                actor=worker, patrol=patrol, client_id=uuid.uuid4(), visited_at=at, now=at,
                visit_type=self.rng.choice(["household", "household", "patrol", "follow_up"]),
                household=self.rng.choice(households), category=self.categories.get(code) if code else None,
                finding=finding, action=action, settled=self.rng.random() < 0.7,
            )
        ledger.patrol_end(actor=worker, patrol=patrol, ended_at=end, now=end)
        # Entered as walked (the phone was online): the bulletins' "entered late" flag counts records whose
        # entry came more than 48 hours after the visit, which this history is not.
        Visit.objects.filter(patrol=patrol).update(created_at=F("visited_at"))
        Patrol.objects.filter(pk=patrol.pk).update(created_at=start)


def load_ledger_history(*, days: int = 90, short_days: int = 14, stdout=None) -> dict:
    return HistoryLoader(days=days, short_days=short_days, stdout=stdout).load()
