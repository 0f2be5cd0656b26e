"""Demo history of cases: about 90 days of the closed loop in the demo district, so that after `make run` every
queue, timeline and alert is alive.

Every case is created and moved only through the services (`case_create`, `case_from_visit`,
`case_submit_public`, `case_act`) with `now=` set to the past moment of each step, by the people who would take
it: the grid workers (wgy1, wgy2 and the other grids' workers), residents (their tracking link), the command
center (zhzx), the district official (qu) and one staff member per department (chengguan, and `dept_<code>`
made here when a department has nobody). A case is planned whole first (its target state, its steps and
their times), then the cases are played in the order they were created, so reference numbers follow time.
Old cases are mostly closed, recent ones open; each open state has its share, and the final timer run at the
real now marks the overdue and due-soon ones.

Idempotent: when the district already has cases, nothing is added.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from grids.demo import DEMO_PASSWORD, load_app_histories
from grids.models import Department, Membership, Place, Role, User
from grids.models import Level as PlaceLevel
from ledger.demo_history import load_ledger_history
from ledger.models import Visit
from wudu import demo_progress
from wudu.logs import quieted

from . import calendar, services
from .models import FINISHED, Case, CaseCategory, Kind, Level, LimitUnit, Notification, Source, Status

DISTRICT_NAME = "魏都区"
# (street, community, grid) of the demo accounts: most of the history happens where they work.
HOME_GRIDS = {"wgy1": ("新兴街道", "董庄社区", "第1网格"), "wgy2": ("丁庄街道", "丁庄社区", "第1网格")}
GRID_WEIGHTS = {"wgy1": 0.3, "wgy2": 0.15}  # the rest spread over every grid
CASES_PER_DAY = 8.5
OPEN_SHARE = 0.13

# The open states, in the order open cases are given them (so that a short history still has each).
OPEN_CYCLE = [
    Status.REPORTED, Status.DISPATCHED, Status.HANDLING, Status.FILED, Status.FED_BACK, Status.LOCAL,
    Status.HANDLING, Status.DISPATCHED, Status.RETURNED, Status.EXTENSION, Status.SUSPENDED,
    Status.AWAITING_EVALUATION, Status.REPORTED, Status.HANDLING, Status.FED_BACK, Status.DISPATCHED,
]
FINISHED_WEIGHTS = {Status.CLOSED: 72, Status.SELF_HANDLED: 20, Status.CANCELLED: 8}
SOURCE_WEIGHTS = {Source.PATROL: 50, Source.RESIDENT: 22, Source.HOTLINE: 20, Source.ASSIGNED: 8}
CATEGORY_WEIGHTS = {"shirong": 18, "weijian": 7, "zhandao": 9, "wuran": 6, "zaosheng": 8, "anquan": 7, "fangwu": 9,
                    "jiufen": 8, "minsheng": 6, "shipin": 4, "daolu": 8, "qita": 4}
EVALUATIONS = {"satisfied": 82, "basic": 13, "unsatisfied": 5}

DESCRIPTIONS = {
    "shirong": ["小区门口垃圾桶满溢，周边有异味", "楼道内堆放杂物，影响通行", "路边绿化带内有建筑垃圾",
                "背街小巷墙面有小广告", "公共区域有废弃家具长期未清理"],
    "weijian": ["一楼住户私自扩建院墙", "楼顶私搭彩钢房", "小区内违规搭建车棚", "临街商户违规加装雨棚"],
    "zhandao": ["早市摊贩占用人行道经营", "门店出店经营，货物摆上人行道", "夜市烧烤摊占道，影响通行"],
    "wuran": ["露天焚烧树叶和垃圾", "餐馆油烟直排，居民反映强烈", "工地扬尘未覆盖", "沟渠内有污水排放，气味刺鼻"],
    "zaosheng": ["夜间施工噪声扰民", "广场舞音响声音过大", "商铺外放音乐噪声大", "楼上装修周末清晨施工"],
    "anquan": ["楼道内电动车充电，存在火灾隐患", "小区消防通道被车辆堵塞", "老旧电线裸露，存在漏电风险",
               "井盖缺失，存在安全隐患"],
    "fangwu": ["楼顶渗水，住户屋内墙面发霉", "单元门禁损坏多日无人维修", "小区路灯不亮", "物业服务不到位，居民意见大"],
    "jiufen": ["邻里因漏水产生纠纷", "楼上楼下噪音矛盾", "停车位归属争议", "宠物扰民引发邻里矛盾"],
    "minsheng": ["独居老人生活困难，需要救助", "残疾人家庭申请临时救助", "困难家庭孩子入学需帮扶", "高龄老人需要助餐服务"],
    "shipin": ["路边摊贩售卖食品无证经营", "小饭馆卫生条件差", "超市疑似销售过期食品"],
    "daolu": ["路面塌陷出现坑洞", "小区周边乱停车堵塞道路", "交通标线模糊不清", "公交站牌损坏"],
    "qita": ["居民反映小区快递柜收费问题", "公共健身器材损坏", "小区内流浪犬较多"],
    "xinfang": ["反映拆迁安置补偿问题，多次来访", "反映小区产权证办理长期未解决", "反映劳动报酬被拖欠",
                "反映物业费收取不合理，要求说明"],
}
SETTLED = ["已现场劝导，问题已解决", "已协调物业当场处理", "已联系楼栋长共同处理完毕", "已调解，双方达成一致"]
FEEDBACK = ["已现场处置完毕，附处置前后照片", "已责令整改，复查合格", "已安排人员清理完毕", "已约谈当事人，问题已解决",
            "已维修完成，恢复正常使用"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹"
HOUR = datetime.timedelta(hours=1)


@dataclass
class Plan:
    """One case as it will be lived: how it starts, then its steps (action, hours after the previous, extras)."""

    target: str
    source: str
    grid: Place
    category: CaseCategory
    created_at: datetime.datetime
    kind: str = Kind.ORDINARY
    local: bool = False  # created at grid level (网格处置)
    settled_at_once: bool = False
    visit: Visit | None = None
    mobile: str = ""
    steps: list[tuple[str, float, dict]] = field(default_factory=list)


class CaseHistory:
    def __init__(self, *, days: int = 90, stdout=None, now: datetime.datetime | None = None, seed: int = 2026):
        self.days, self.stdout = days, stdout
        self.now = now or timezone.now()
        self.rng = random.Random(seed)

    def log(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)

    # -------------------------------------------------------------------------------------------- cast
    def _cast(self) -> None:
        self.admin = User.objects.get(username="admin")
        self.center = User.objects.get(username="zhzx")
        self.official = User.objects.get(username="qu")
        self.categories = {c.code: c for c in CaseCategory.objects.filter(district=self.district, active=True)
                           .select_related("department", "finding_category")}
        departments = {d.pk: d for d in Department.objects.filter(district=self.district)}
        self.departments = departments
        staff = {}
        for m in Membership.objects.filter(role=Role.DEPARTMENT_STAFF, department__in=list(departments)
                                           ).select_related("user").order_by("id"):
            staff.setdefault(m.department_id, m.user)
        for category in self.categories.values():
            department = category.department
            if department is not None and department.pk not in staff:
                staff[department.pk] = self._appoint(department)
        self.staff = staff
        # The departments a case of "其他" (no owner) may be sent to: those with staff.
        self.any_department = [departments[pk] for pk in sorted(staff)]
        grids = {g.pk: g for g in Place.objects.filter(level=PlaceLevel.GRID, code__startswith=self.district.code)}
        workers: dict[int, User] = {}
        for m in Membership.objects.filter(role=Role.GRID_WORKER, place_id__in=list(grids)).select_related("user"
                                                                                                        ).order_by("id"):
            if m.place_id not in workers or m.user.username in HOME_GRIDS:
                workers[m.place_id] = m.user
        self.grids = [grids[pk] for pk in sorted(workers)]
        self.workers = workers
        self.home = {}
        for username in HOME_GRIDS:
            grid = next((g for pk, g in grids.items() if workers.get(pk) and workers[pk].username == username), None)
            if grid is not None:
                self.home[username] = grid
        self.users = {u.pk: u for u in [self.center, self.official, *staff.values(), *workers.values()]}

    def _appoint(self, department: Department) -> User:
        from grids import services as grid_services

        username = f"dept_{department.short_code}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = grid_services.person_appoint(
                actor=self.admin, place=self.district, role=Role.DEPARTMENT_STAFF, username=username,
                real_name=f"{department.name}工作人员", mobile=f"139{department.pk:08d}", password=DEMO_PASSWORD,
                department=department, duties=department.duties,
            ).user
        elif not Membership.objects.filter(user=user, role=Role.DEPARTMENT_STAFF, department=department).exists():
            grid_services.membership_create(actor=self.admin, user=user, role=Role.DEPARTMENT_STAFF,
                                            place=self.district, department=department)
        return user

    # -------------------------------------------------------------------------------------------- plans
    def _pick(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _grid(self) -> Place:
        r, acc = self.rng.random(), 0.0
        for username, weight in GRID_WEIGHTS.items():
            acc += weight
            if r < acc and username in self.home:
                return self.home[username]
        return self.rng.choice(self.grids)

    def _category(self, *, petition: bool = False) -> CaseCategory:
        if petition and "xinfang" in self.categories:
            return self.categories["xinfang"]
        weights = {code: w for code, w in CATEGORY_WEIGHTS.items() if code in self.categories}
        return self.categories[self._pick(weights)]

    def _source_for(self, target: str) -> str:
        if target in (Status.LOCAL, Status.SELF_HANDLED):
            return Source.PATROL
        if target == Status.REPORTED:
            return self.rng.choice([Source.PATROL, Source.RESIDENT])
        if target == Status.AWAITING_EVALUATION:
            return Source.HOTLINE
        return self._pick(SOURCE_WEIGHTS)

    def _limit_hours(self, category: CaseCategory) -> float:
        # Calendar hours a limit spans, roughly (weekends included), for spreading the department's work.
        if category.limit_unit == LimitUnit.HOURS:
            return category.time_limit
        return category.time_limit * 24 * 7 / 5

    def plan(self, target: str, created_at: datetime.datetime | None) -> Plan:
        rng = self.rng
        source = self._source_for(target)
        petition = target == Status.AWAITING_EVALUATION or (source == Source.HOTLINE and rng.random() < 0.2)
        grid = self._grid()
        p = Plan(target=target, source=source, grid=grid, category=self._category(petition=petition),
                 created_at=created_at, kind=Kind.PETITION if petition else Kind.ORDINARY)
        if source == Source.RESIDENT or (source == Source.HOTLINE and rng.random() < 0.7):
            p.mobile = f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"
        p.local = target in (Status.LOCAL, Status.SELF_HANDLED) or (source == Source.PATROL and rng.random() < 0.2)
        self._steps(p)
        return p

    def _steps(self, p: Plan) -> None:
        rng, target, source, steps = self.rng, p.target, p.source, p.steps
        if target in (Status.LOCAL, Status.SELF_HANDLED):
            if target == Status.SELF_HANDLED:
                if rng.random() < 0.6:
                    p.settled_at_once = True
                else:
                    steps.append(("settle", rng.uniform(2, 48), {"note": rng.choice(SETTLED)}))
            return
        if p.local:  # tried at grid level first, then handed up
            steps.append(("escalate", rng.uniform(4, 48), {"note": "网格内无法解决，申请上级协调"}))
        if target == Status.REPORTED:
            return
        if source in (Source.PATROL, Source.RESIDENT):
            if target == Status.CANCELLED:
                steps.append(("cancel", rng.uniform(0.3, 4), {"note": rng.choice(
                    ["重复上报，已合并处理", "经核实不属于受理范围", "信息不全，无法核实"])}))
                return
            steps.append(("accept", rng.uniform(0.2, 4), {}))
        elif target == Status.CANCELLED:
            steps.append(("cancel", rng.uniform(0.3, 4), {"note": "经核实已由其他渠道办理"}))
            return
        if target == Status.FILED:
            return
        self._department_steps(p)

    def _dispatch(self, p: Plan, hours: float, department: Department | None = None) -> None:
        department = department or p.category.department or self.rng.choice(self.any_department)
        p.steps.append(("dispatch", hours, {"department": department}))

    def _department_steps(self, p: Plan) -> None:
        rng, target, steps = self.rng, p.target, p.steps
        self._dispatch(p, rng.uniform(0.1, 3))
        if rng.random() < 0.06 and target not in (Status.DISPATCHED,):
            steps.append(("supervise", rng.uniform(1, 6), {"note": "请加快办理"}))
        if target == Status.RETURNED or (target not in (Status.DISPATCHED,) and rng.random() < 0.07):
            steps.append(("send_back", rng.uniform(1, 12), {"note": "该事项不属于本部门职责范围"}))
            if target == Status.RETURNED:
                return
            other = [d for d in self.any_department if d != p.category.department]
            self._dispatch(p, rng.uniform(0.5, 6), rng.choice(other) if other and rng.random() < 0.5 else None)
        if target == Status.DISPATCHED:
            self._maybe_supervise(p)
            return
        steps.append(("sign", rng.uniform(0.3, 6), {}))
        limit = self._limit_hours(p.category)
        if target == Status.EXTENSION or (target not in (Status.HANDLING,) and rng.random() < 0.07):
            steps.append(("request_extension", limit * rng.uniform(0.3, 0.7),
                          {"days": rng.choice([2, 3, 5]), "note": "需协调多个部门，申请延期"}))
            if target == Status.EXTENSION:
                self._maybe_supervise(p)
                return
            if rng.random() < 0.75:
                steps.append(("approve_extension", rng.uniform(1, 8), {"note": "同意延期"}))
            else:
                steps.append(("refuse_extension", rng.uniform(1, 8), {"note": "事项紧急，请按原时限办结"}))
        if target == Status.SUSPENDED or (target not in (Status.HANDLING,) and rng.random() < 0.03):
            steps.append(("suspend", limit * rng.uniform(0.3, 0.8), {"note": "涉及资金和规划调整，暂不具备解决条件"}))
            if target == Status.SUSPENDED:
                return
            self._dispatch(p, rng.uniform(72, 240))
            steps.append(("sign", rng.uniform(0.3, 6), {}))
        if target == Status.HANDLING:
            self._maybe_supervise(p)
            return
        late = rng.random() < 0.1
        steps.append(("feed_back", limit * (rng.uniform(1.1, 1.6) if late else rng.uniform(0.15, 0.85)),
                      {"note": rng.choice(FEEDBACK)}))
        if target == Status.FED_BACK:
            return
        if rng.random() < 0.06:
            steps.append(("rework", rng.uniform(2, 24), {"note": "现场核查问题仍未解决"}))
            steps.append(("feed_back", limit * rng.uniform(0.1, 0.4), {"note": rng.choice(FEEDBACK)}))
        steps.append(("verify", rng.uniform(2, 24), {"note": "现场核查，问题已解决"}))
        if target == Status.AWAITING_EVALUATION:
            return
        if p.kind == Kind.PETITION:
            if rng.random() < 0.2:  # 不满意: the petition goes round once more
                steps.append(("evaluate", rng.uniform(4, 48), {"evaluation": "unsatisfied"}))
                self._dispatch(p, rng.uniform(1, 12))
                steps.append(("sign", rng.uniform(0.3, 6), {}))
                steps.append(("feed_back", limit * rng.uniform(0.2, 0.8), {"note": rng.choice(FEEDBACK)}))
                steps.append(("verify", rng.uniform(2, 24), {"note": "再次核查，已妥善解决"}))
            steps.append(("evaluate", rng.uniform(4, 72),
                          {"evaluation": rng.choice(["satisfied", "satisfied", "satisfied", "basic"])}))
        elif rng.random() < 0.7:
            steps.append(("evaluate", rng.uniform(4, 72), {"evaluation": self._pick(EVALUATIONS)}))

    def _maybe_supervise(self, p: Plan) -> None:
        if self.rng.random() < 0.35 and not any(a == "supervise" for a, _h, _x in p.steps):
            p.steps.append(("supervise", self.rng.uniform(1, 24), {"note": "群众反映强烈，请加快办理"}))

    def plans(self) -> list[Plan]:
        rng, start = self.rng, self.now - datetime.timedelta(days=self.days)
        total = round(self.days * CASES_PER_DAY)
        n_open = max(len(OPEN_CYCLE), round(total * OPEN_SHARE))
        out = []
        for i in range(n_open):
            out.append(self.plan(OPEN_CYCLE[i % len(OPEN_CYCLE)], None))
        for _i in range(total - n_open):
            out.append(self.plan(self._pick(FINISHED_WEIGHTS), start + (self.now - start) * rng.random()))
        self._from_visits(out, start)
        margin = self.now - 10 * datetime.timedelta(minutes=1)
        for p in out:
            span = sum(h for _a, h, _x in p.steps) * HOUR
            if p.created_at is None:
                # Open: its last step was a while ago (mostly recent; some held long enough to run late).
                slack = rng.expovariate(1 / 30)
                if p.target in (Status.DISPATCHED, Status.HANDLING, Status.EXTENSION) and rng.random() < 0.35:
                    slack = self._limit_hours(p.category) * rng.uniform(1.2, 3)  # left lying: overdue
                slack = min(slack, self.days * 24 * 0.8) * HOUR
                p.created_at = margin - slack - span
            p.created_at = min(_daytime(max(p.created_at, start + rng.random() * 24 * HOUR)), margin - HOUR)
            if p.created_at + span > margin:  # squeeze the steps into the time there was
                factor = (margin - p.created_at) / span
                p.steps = [(a, h * factor, x) for a, h, x in p.steps]
        out.sort(key=lambda p: p.created_at)
        return out

    def _from_visits(self, plans: list[Plan], start: datetime.datetime) -> None:
        """Some reports of the grid workers come from open findings of the visit history (one tap)."""
        by_finding = {c.finding_category_id: c for c in self.categories.values() if c.finding_category_id}
        visits = list(Visit.objects.filter(
            grid__in=self.grids, category_id__in=list(by_finding), settled=False, escalated_at__isnull=True,
            case__isnull=True, visited_at__gte=start, visited_at__lt=self.now - datetime.timedelta(days=2),
        ).select_related("grid", "household__building", "category").order_by("visited_at"))
        by_grid: dict[int, list[Visit]] = {}
        workers = {u.pk for u in self.workers.values()}
        for v in visits:
            if v.worker_id in workers:
                by_grid.setdefault(v.grid_id, []).append(v)
        for p in plans:
            if (p.source == Source.PATROL and not p.local and p.created_at is not None and by_grid.get(p.grid.pk)
                    and self.rng.random() < 0.6 and p.target != Status.REPORTED):
                visit = by_grid[p.grid.pk].pop(self.rng.randrange(len(by_grid[p.grid.pk])))
                p.visit, p.category = visit, by_finding[visit.category_id]
                p.created_at = visit.visited_at + self.rng.uniform(0.5, 3) * HOUR
                p.steps = []
                self._steps(p)  # again, for the finding's category

    # -------------------------------------------------------------------------------------------- playing
    def create(self, p: Plan) -> Case:
        rng, at = self.rng, p.created_at
        description = rng.choice(DESCRIPTIONS.get(p.category.code, DESCRIPTIONS["qita"]))
        lng, lat = self._point(p.grid)
        if p.visit is not None:
            return services.case_from_visit(actor=self.users[p.visit.worker_id], visit=p.visit, now=at)
        if p.source == Source.RESIDENT:
            return services.case_submit_public(
                category=p.category, description=description, resident_mobile=p.mobile, key=None, grid=p.grid,
                lng=lng, lat=lat, resident_name=f"{rng.choice(SURNAMES)}{rng.choice(['先生', '女士'])}", now=at)
        if p.source == Source.PATROL:
            level = rng.choice([Level.GRID, Level.BUILDING]) if p.local else Level.CENTER
            return services.case_create(
                actor=self.workers[p.grid.pk], source=Source.PATROL, grid=p.grid, category=p.category,
                description=description, level=level, lng=lng, lat=lat,
                settled_result=rng.choice(SETTLED) if p.settled_at_once else "", now=at)
        actor = self.center if p.source == Source.HOTLINE else self.official
        note = "（12345 热线来电）" if p.source == Source.HOTLINE else "（区委区政府交办）"
        return services.case_create(
            actor=actor, source=p.source, grid=p.grid, category=p.category, description=description + note,
            kind=p.kind, lng=lng, lat=lat, resident_mobile=p.mobile,
            resident_name=f"{rng.choice(SURNAMES)}{rng.choice(['先生', '女士'])}" if p.mobile else "", now=at)

    def _point(self, grid: Place) -> tuple[float | None, float | None]:
        if grid.min_lng is None:
            return None, None
        u, v = self.rng.uniform(0.1, 0.9), self.rng.uniform(0.1, 0.9)
        return (round(grid.min_lng + (grid.max_lng - grid.min_lng) * u, 6),
                round(grid.min_lat + (grid.max_lat - grid.min_lat) * v, 6))

    def _actor(self, case: Case, action: str, extra: dict):
        if action in ("settle", "escalate"):
            return self.workers[case.grid_id]
        if action in ("sign", "send_back", "request_extension", "suspend", "feed_back"):
            return self.staff[case.department_id]
        if action in ("verify", "rework"):
            return self.workers[case.grid_id] if case.source == Source.PATROL else self.center
        if action == "evaluate" and (case.resident_mobile or case.is_petition):
            return None  # the resident, through the tracking link (a petition's verdict is only ever theirs)
        return self.center

    def play(self, p: Plan) -> Case:
        case = self.create(p)
        at = p.created_at
        for action, hours, extra in p.steps:
            at += hours * HOUR
            actor = self._actor(case, action, extra)
            deadline = None
            if action == "dispatch" and p.target in (Status.DISPATCHED, Status.HANDLING, Status.EXTENSION):
                deadline = self._due_soon_deadline(case, at)
            case = services.case_act(
                actor=actor, case=case, action=action, version=case.version, note=extra.get("note", ""),
                department=extra.get("department"), deadline=deadline, days=extra.get("days"),
                evaluation=extra.get("evaluation", ""), token=case.tracking_token if actor is None else "", now=at)
        return case

    def _due_soon_deadline(self, case: Case, at: datetime.datetime) -> datetime.datetime | None:
        """Now and then the center sets the deadline so that the case is due soon today (the timers' other
        mark); otherwise the category's limit decides."""
        if self.rng.random() > 0.3 or self.now - at < 2 * HOUR:
            return None
        natural = calendar.deadline_for(at, case.category.time_limit, case.category.limit_unit)
        if natural <= self.now:
            return None  # already late: it stays overdue
        return self.now + (self.now - at) * self.rng.uniform(0.05, 0.2)

    # -------------------------------------------------------------------------------------------- load
    def load(self) -> dict:
        self.district = Place.objects.filter(level=PlaceLevel.DISTRICT, name=DISTRICT_NAME).first()
        if self.district is None:
            raise RuntimeError("Load the demo district first (manage.py load_demo).")
        if Case.objects.filter(grid__code__startswith=self.district.code).exists():
            return {"cases": 0}
        self._cast()
        plans = self.plans()
        # The history texts nobody (its residents' numbers are made up) and does not log each eager notice task.
        with override_settings(NOTIFY_CHANNELS=[]), quieted("celery.app.trace", "wudu.notify"):
            for start in range(0, len(plans), 50):
                with transaction.atomic():
                    for p in plans[start:start + 50]:
                        self.play(p)
                self.log(f"  事件：{min(start + 50, len(plans))}/{len(plans)}")
                demo_progress.report("cases", min(start + 50, len(plans)), len(plans))
            timers = services.case_timers_run(now=self.now)
        self._read_old_notices()
        return {"cases": len(plans), **timers}

    def _read_old_notices(self) -> None:
        """What happened to finished cases was read long ago; the notices of open ones stay new."""
        rows = (Notification.objects.filter(read_at__isnull=True, case__status__in=FINISHED)
                .values_list("user_id", "id"))
        by_user: dict[int, list[int]] = {}
        for user_id, pk in rows:
            by_user.setdefault(user_id, []).append(pk)
        users = {u.pk: u for u in User.objects.filter(pk__in=list(by_user))}
        for user_id, ids in by_user.items():
            services.notification_read(actor=users[user_id], notification_ids=ids)


def _daytime(at: datetime.datetime) -> datetime.datetime:
    """People report in the day: a moment of the night moves to 7:xx that morning or 20:xx that evening."""
    local = timezone.localtime(at)
    if local.hour < 7:
        return local.replace(hour=7)
    return local.replace(hour=20) if local.hour >= 21 else at


def load_case_history(*, days: int = 90, stdout=None, now: datetime.datetime | None = None) -> dict:
    """Add `days` of cases to the demo district through the services; nothing when it already has cases."""
    return CaseHistory(days=days, stdout=stdout, now=now).load()


def load_history(*, days: int = 90, short_days: int = 14, stdout=None) -> dict:
    """The whole demo history (`manage.py load_demo_history`): the ledger's days, then the cases of the same days."""
    result = load_ledger_history(days=days, short_days=short_days, stdout=stdout)
    # Cases last: some of them come from the open findings of the visits just walked.
    result.update(load_case_history(days=days, stdout=stdout))
    # Then the other apps' history (outreach's year of events), through their hooks (grids.demo.on_history).
    result.update(load_app_histories(stdout=stdout))
    return result
