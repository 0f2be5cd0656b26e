"""The demo district: 魏都区 with 8 streets, 45 communities, their grids, people and departments.

Everything is created through the services, as a person would, and the loader is idempotent: each
item is looked up by its natural key first, so a second run changes nothing. It writes in steps, each in its own
transaction, so that a serving site (`make run` loads it behind the server, `manage.py load_demo_in_background`)
sees whole communities appear and its sign-ins get SQLite's lock between two steps: first the district, its
departments and the communities where the demo accounts serve, then each other community, then the hooks below.
A load stopped half-way leaves whole steps; the next one goes on from there. Other apps add their part
without grids knowing them: each app's `demo` module (found by autodiscover_modules) registers a hook run
for each grid as it is built (`on_grid`: outreach's party organisation) or once the district stands
(`on_district`: the case categories).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.functional import cached_property
from django.utils.module_loading import autodiscover_modules

from wudu import demo_progress

from . import geo, services
from .models import Department, Level, Membership, OutpostPartner, PartnerKind, Place, Role, User

DEMO_PASSWORD = "Weidu-2026-demo"

CITY = ("许昌市", "4110")
DISTRICT = ("魏都区", 2)
# Bounding box of the demo district (lng/lat, WGS84), cut west→east into streets.
DISTRICT_BOX = (113.78, 34.00, 113.90, 34.08)

STREETS: list[tuple[str, list[str]]] = [
    ("新兴街道", ["董庄社区", "新兴社区", "健康社区", "北大社区", "宏腾社区", "文峰社区"]),
    ("丁庄街道", ["丁庄社区", "毓秀社区", "鑫苑社区", "明礼社区", "前进社区", "八一社区"]),
    ("七里店街道", ["七里店社区", "曹庄社区", "庞庄社区", "建设社区", "天宝社区", "汉风社区"]),
    ("西大街道", ["西大社区", "东大社区", "延安社区", "兴华社区", "民主社区", "清泉社区"]),
    ("西关街道", ["西关社区", "关帝社区", "新华社区", "光明社区", "春秋社区"]),
    ("灞陵街道", ["灞陵社区", "南海社区", "五一社区", "文化社区", "繁荣社区", "学院社区"]),
    ("魏北街道", ["魏北社区", "许继社区", "和平社区", "北海社区", "丰收社区"]),
    ("南关街道", ["南关社区", "古槐社区", "八龙社区", "劳动社区", "文明社区"]),
]

DEPARTMENTS = [
    ("城市管理", "chengguan", "市容环境、违章搭建、占道经营"),
    ("住房和城乡建设", "zhujian", "房屋安全、物业管理、老旧小区改造"),
    ("生态环境", "huanbao", "大气、噪声、污染源与国控站点周边管控"),
    ("民政", "minzheng", "低保、养老、社会救助"),
    ("公安", "gongan", "治安、矛盾纠纷调处"),
    ("市场监督管理", "shijian", "食品安全、价格、经营秩序"),
    ("应急管理", "yingji", "安全隐患、消防、防汛"),
    ("卫生健康", "weijian", "公共卫生、医疗服务"),
    ("教育", "jiaoyu", "学校周边、入学"),
    ("信访", "xinfang", "群众来信来访"),
    ("人力资源和社会保障", "renshe", "就业、社保"),
    ("交通运输", "jiaotong", "道路、公交、停车"),
]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英",
         "霞", "平", "刚", "桂英", "建华", "红梅", "文静", "志强", "海燕", "晓东", "春梅", "国庆", "玉兰", "建国"]

DUTIES = {
    Role.GRID_HEAD: "统筹网格工作，协调解决网格内难事",
    Role.INSTRUCTOR: "指导网格党组织建设，组织党员就近参与活动",
    Role.GRID_WORKER: "每日巡查走访，收集社情民意，上报网格内无法处置的问题",
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    real_name: str
    role: str
    description: str


DEMO_ACCOUNTS = [
    DemoAccount("admin", "系统管理员", Role.SYSTEM_ADMIN, "系统管理员（全部权限）"),
    DemoAccount("anquan", "安全管理员", Role.SECURITY_ADMIN, "安全管理员（角色、锁定、认证因子）"),
    DemoAccount("shenji", "审计管理员", Role.AUDIT_ADMIN, "审计管理员（只读审计）"),
    DemoAccount("qu", "魏都区干部", Role.DISTRICT_OFFICIAL, "区级干部（魏都区）"),
    DemoAccount("xinxing", "新兴街道干部", Role.STREET_OFFICIAL, "街道干部（新兴街道）"),
    DemoAccount("dongzhuang", "董庄社区干部", Role.COMMUNITY_OFFICIAL, "社区干部（董庄社区）"),
    DemoAccount("wgz1", "网格长一", Role.GRID_HEAD, "网格长（董庄社区第一网格）"),
    DemoAccount("wgy1", "网格员一", Role.GRID_WORKER, "网格员（董庄社区第一网格）"),
    DemoAccount("wgy2", "网格员二", Role.GRID_WORKER, "网格员（丁庄街道丁庄社区第一网格）"),
    DemoAccount("zhzx", "指挥中心值班员", Role.COMMAND_CENTER, "指挥中心（魏都区）"),
    DemoAccount("chengguan", "城管局工作人员", Role.DEPARTMENT_STAFF, "部门工作人员（城市管理）"),
    # The inspections' demo (inspections.demo): the district's inspection office, and two members of the first team
    # of the round running now (巡察组成员 hold no membership: their grants come from their team's coverage).
    DemoAccount("xuncha", "巡察办干部", Role.INSPECTION_OFFICE, "巡察办（魏都区）"),
    DemoAccount("xcz1", "巡察组长一", Role.INSPECTOR, "巡察组组长（第一巡察组）"),
    DemoAccount("xcz2", "巡察组员二", Role.INSPECTOR, "巡察组成员（第一巡察组）"),
]


# Where the fixed demo accounts serve, by (place names from the street down, role); the others are placed
# at the district in `_accounts`.
FIXED_POSTS = {
    (("新兴街道",), Role.STREET_OFFICIAL): "xinxing",
    (("新兴街道", "董庄社区"), Role.COMMUNITY_OFFICIAL): "dongzhuang",
    (("新兴街道", "董庄社区", "第1网格"), Role.GRID_HEAD): "wgz1",
    (("新兴街道", "董庄社区", "第1网格"), Role.GRID_WORKER): "wgy1",
    (("丁庄街道", "丁庄社区", "第1网格"), Role.GRID_WORKER): "wgy2",
}
ACCOUNTS_BY_NAME = {account.username: account for account in DEMO_ACCOUNTS}


# Hooks are called as (loader, grid) and (loader, district). A hook creates through the services as the loader's
# admin, counts what it creates into loader.created, draws from loader.rng and is idempotent, as the loader is.
GridHook = Callable[["Loader", Place], None]
DistrictHook = Callable[["Loader", Place], None]
_GRID_HOOKS: list[GridHook] = []
_DISTRICT_HOOKS: list[DistrictHook] = []


def on_grid(hook: GridHook) -> GridHook:
    if hook not in _GRID_HOOKS:
        _GRID_HOOKS.append(hook)
    return hook


def on_district(hook: DistrictHook) -> DistrictHook:
    if hook not in _DISTRICT_HOOKS:
        _DISTRICT_HOOKS.append(hook)
    return hook


# History hooks add an app's past to the demo district behind the server (`manage.py load_demo_history`, after the
# ledger's and the cases' history): called as hook(stdout=…), through the app's services, idempotent; each returns
# a dict of counts for the command's summary.
HistoryHook = Callable[..., dict]
_HISTORY_HOOKS: list[HistoryHook] = []


def on_history(hook: HistoryHook) -> HistoryHook:
    if hook not in _HISTORY_HOOKS:
        _HISTORY_HOOKS.append(hook)
    return hook


def load_app_histories(*, stdout=None) -> dict:
    """Run every app's history hook (outreach: a year of events), in the order the apps register them."""
    autodiscover_modules("demo")
    result: dict = {}
    for hook in _HISTORY_HOOKS:
        result.update(hook(stdout=stdout) or {})
    return result


class Loader:
    def __init__(self, *, stdout=None, rng_seed: int = 411002):
        self.rng = random.Random(rng_seed)
        self.stdout = stdout
        self.created = 0

    # -- helpers ---------------------------------------------------------------------------------

    def log(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def mobile(self) -> str:
        return f"13{self.rng.randint(0, 9)}{self.rng.randint(0, 99_999_999):08d}"

    def place(self, *, parent: Place | None, name: str, **kwargs) -> Place:
        existing = Place.objects.filter(parent=parent, name=name).first()
        if existing is not None:
            return existing
        self.created += 1
        return services.place_create(actor=self.admin, parent=parent, name=name, **kwargs)

    def appoint(self, *, place: Place, role: str, username: str, real_name: str | None = None,
                password: str | None = None, department: Department | None = None, duties: str = "",
                path: tuple[str, ...] = ()) -> Membership:
        fixed = ACCOUNTS_BY_NAME.get(FIXED_POSTS.get((path, role), ""))
        if fixed is not None:
            username, real_name, password = fixed.username, fixed.real_name, DEMO_PASSWORD
        password_hash = self.password_hash if password == DEMO_PASSWORD else None
        user = User.objects.filter(username=username).first()
        if user is not None:
            membership = Membership.objects.filter(user=user, role=role, place=place).first()
            if membership is not None:
                return membership
            self.created += 1
            # The demo's superuser takes its own post as the system administrator: nobody may grant themselves a
            # role, so it goes the break-glass way, as `appoint_administrator` would from the shell.
            own = user.pk == self.admin.pk
            return services.membership_create(
                actor=None if own else self.admin, user=user, role=role, place=place, department=department,
                duties=duties, break_glass=own,
            )
        self.created += 1
        return services.person_appoint(
            actor=self.admin, place=place, role=role, username=username, real_name=real_name or self.name(),
            mobile=self.mobile(), password=None if password_hash else password, password_hash=password_hash,
            department=department,
            work_phone=f"0374-{self.rng.randint(2_000_000, 8_999_999)}", duties=duties,
        )

    @cached_property
    def password_hash(self) -> str:
        """The demo password, hashed once for every demo account (a hash costs half a second on purpose)."""
        return make_password(DEMO_PASSWORD)

    # -- the district ----------------------------------------------------------------------------

    def load(self) -> dict:
        autodiscover_modules("demo")  # the apps' demo parts register their hooks
        steps = sorted(((i, j) for i, (_, names) in enumerate(STREETS) for j in range(len(names))),
                       key=lambda step: not _has_demo_post(*step))
        first = sum(1 for step in steps if _has_demo_post(*step))
        # The sign-in page says "demo accounts being prepared" while the first steps run (only when they are new).
        accounts = User.objects.filter(username__in=list(ACCOUNTS_BY_NAME)).count() < len(ACCOUNTS_BY_NAME)
        if accounts:
            demo_progress.report("accounts", 0, first + 1)
        with transaction.atomic():
            self.admin = self._admin()
            city = self.place(parent=None, name=CITY[0], level=Level.CITY, code=CITY[1])
            district = self.place(
                parent=city, name=DISTRICT[0], county_seq=DISTRICT[1], boundary=geo.rectangle(*DISTRICT_BOX)
            )
            departments = self._departments(district)
            self._accounts(district, departments)
        for done, (i, j) in enumerate(steps, start=1):
            with transaction.atomic():
                self._community(district, i, j)
            if done <= first and accounts:
                demo_progress.report("accounts", done + 1, first + 1)
            else:
                demo_progress.report("district", done - first, len(steps) - first)
        with transaction.atomic():
            for hook in _DISTRICT_HOOKS:
                hook(self, district)
        return {"district": district, "created": self.created}

    def _admin(self) -> User:
        admin = User.objects.filter(username="admin").first()
        if admin is None:
            self.created += 1
            admin = User.objects.create_superuser(
                username="admin", password=DEMO_PASSWORD, real_name="系统管理员", mobile="13800000000"
            )
        return admin

    def _departments(self, district: Place) -> dict[str, Department]:
        out = {}
        for name, short_code, duties in DEPARTMENTS:
            department = Department.objects.filter(district=district, short_code=short_code).first()
            if department is None:
                self.created += 1
                department = services.department_create(
                    actor=self.admin, district=district, name=name, short_code=short_code,
                    phone=f"0374-{self.rng.randint(2_000_000, 8_999_999)}", duties=duties,
                )
            out[short_code] = department
        return out

    def _community(self, district: Place, i: int, j: int) -> None:
        """The j-th community of the i-th street (and the street, with its official, on its first community)."""
        street_name, communities = STREETS[i]
        min_lng, min_lat, max_lng, max_lat = DISTRICT_BOX
        width = (max_lng - min_lng) / len(STREETS)
        box = (min_lng + i * width, min_lat, min_lng + (i + 1) * width, max_lat)
        street = self.place(parent=district, name=street_name, boundary=geo.rectangle(*box))
        self.appoint(place=street, role=Role.STREET_OFFICIAL, username=f"street{street.code[-3:]}",
                     path=(street_name,))
        height = (max_lat - min_lat) / len(communities)
        community_name = communities[j]
        # North → south within the street.
        cbox = (box[0], max_lat - (j + 1) * height, box[2], max_lat - j * height)
        community = self.place(parent=street, name=community_name, boundary=geo.rectangle(*cbox))
        self.appoint(place=community, role=Role.COMMUNITY_OFFICIAL, username=f"sq{community.code[-6:]}",
                     path=(street_name, community_name))
        self._grids(community, cbox, (street_name, community_name))
        if j == len(communities) - 1:
            self.log(f"  {street_name}: {len(communities)} 个社区")

    def _grids(self, community: Place, box: tuple[float, float, float, float], path: tuple[str, ...]) -> None:
        count = 3 + (int(community.code[-3:]) * 7 + int(community.code[-6:-3]) * 3) % 6  # 3–8, stable
        cols = 2 if count <= 4 else 3 if count <= 6 else 4
        rows = -(-count // cols)
        h = (box[3] - box[1]) / rows
        for k in range(count):
            r, c = divmod(k, cols)  # west → east, then north → south
            in_row = cols if r < rows - 1 else count - cols * (rows - 1)  # the last row's cells widen: no gaps
            w = (box[2] - box[0]) / in_row
            gbox = (box[0] + c * w, box[3] - (r + 1) * h, box[0] + (c + 1) * w, box[3] - r * h)
            grid = self.place(parent=community, name=f"第{k + 1}网格", boundary=geo.rectangle(*gbox))
            self._grid_people(grid, path + (grid.name,))

    def _grid_people(self, grid: Place, path: tuple[str, ...]) -> None:
        suffix = grid.code[-9:]
        for role, prefix in ((Role.GRID_HEAD, "wgz"), (Role.INSTRUCTOR, "zdy")):
            self.appoint(place=grid, role=role, username=f"{prefix}{suffix}", duties=DUTIES[role], path=path)
        for n in range(1 + int(grid.code[-1]) % 2):
            self.appoint(place=grid, role=Role.GRID_WORKER, username=f"wgy{suffix}{n}", duties=DUTIES[Role.GRID_WORKER],
                         path=path if n == 0 else ())
        for b in range(1, 4):
            self.place(parent=grid, name=f"{b}号楼院")
        self._outpost(grid)
        for hook in _GRID_HOOKS:
            hook(self, grid)

    def _outpost(self, grid: Place) -> None:
        if OutpostPartner.objects.filter(grid=grid).exists():
            return
        partners = [
            (PartnerKind.PROPERTY_COMPANY, f"{grid.parent.name[:-2]}物业服务有限公司"),
            (PartnerKind.OWNERS_COMMITTEE, f"{grid.parent.name[:-2]}小区业主委员会"),
            (PartnerKind.RESIDENT_UNIT, self.rng.choice(["区实验小学", "区人民医院", "供电公司营业所", "邮政支局"])),
            (PartnerKind.BUILDING_HEAD, f"1号楼院楼栋长 {self.name()}"),
            (PartnerKind.BUILDING_HEAD, f"2号楼院楼栋长 {self.name()}"),
        ]
        for kind, name in partners:
            self.created += 1
            services.partner_create(
                actor=self.admin, grid=grid, kind=kind, name=name, contact_name=self.name(), phone=self.mobile()
            )

    def _accounts(self, district: Place, departments: dict[str, Department]) -> None:
        placed = set(FIXED_POSTS.values())
        for account in DEMO_ACCOUNTS:
            if account.username in placed:
                continue
            if account.role == Role.INSPECTOR:  # no membership: the inspections' demo puts them on a team
                self._person(account)
                continue
            self.appoint(
                place=district, role=account.role, username=account.username,
                real_name=account.real_name, password=DEMO_PASSWORD,
                department=departments["chengguan"] if account.role == Role.DEPARTMENT_STAFF else None,
                duties=DUTIES.get(account.role, ""),
            )

    def _person(self, account: DemoAccount) -> User:
        """A demo account serving nowhere (a team member of an inspection round): the person, with no post."""
        user = User.objects.filter(username=account.username).first()
        if user is None:
            self.created += 1
            user = User.objects.create_user(username=account.username, real_name=account.real_name,
                                            mobile=self.mobile())
            user.password = self.password_hash
            user.save(update_fields=["password"])
        return user


def _has_demo_post(i: int, j: int) -> bool:
    """A fixed demo account serves in the j-th community of the i-th street (or, j = 0, at the street)."""
    street, community = STREETS[i][0], STREETS[i][1][j]
    return any(path[:2] in ((street, community), (street,) if j == 0 else ()) for path, _role in FIXED_POSTS)


def load_demo(*, stdout=None) -> dict:
    if not settings.DEMO_MODE:
        raise RuntimeError("Demo data (with known passwords) can only be loaded with DEMO_MODE on, never in production.")
    return Loader(stdout=stdout).load()
