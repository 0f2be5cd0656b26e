"""Synthetic district-year for the benchmark (`make bench`): places, people, households, patrols, visits, reports.

Scale 1 is one district-year: 8 streets, 45 communities, 600 grids, 3 workers per grid (1,800) with a grid
head and a party instructor each, 20 households per grid, a patrol on about 9 of 10 worker-days and 1–5
visits per patrol (about 1.75 million visits), and every place's daily report for every day. And the case
loop: 12 departments with a staff account each, 12 case categories, 200,000 cases over the year (most closed,
a few per cent open in each queue) with their events (about 1.2 million), deadlines, alerts and the
reference counters.

Rows are generated in Python with fixed ids and written with COPY on PostgreSQL (plain batched INSERTs
elsewhere, for the tiny scale the tests run). This bypasses the services on purpose: it is bench data, built
in bulk. The daily reports are rolled up from the generated rows in the same pass, with the same rules as
ledger.reports.daily_report_build (tests/test_seed_bench.py checks that both agree).

    python manage.py seed_bench --scale 0.1 [--days 365] [--fresh] [--seed 1]
"""

from __future__ import annotations

import datetime
import io
import json
import random
import time
from collections import defaultdict

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from cases import counters as case_counters
from cases.models import (
    AT_DEPARTMENT,
    FINISHED,
    Alert,
    Case,
    CaseCategory,
    CaseEvent,
    LimitUnit,
    Notification,
    ReferenceCounter,
)
from cases.models import Status as CaseStatus
from grids.models import Department, Level, Membership, Place, Role, User
from ledger.models import DailyReport, FindingCategory, Household, Patrol, Visit

MARKER_TABLE = "bench_seed_info"
PASSWORD = "Weidu-2026-bench"
CITY_CODE, DISTRICT_CODE = "4110", "411002"
STREETS, COMMUNITIES, GRIDS = 8, 45, 600
WORKERS_PER_GRID, HOUSEHOLDS_PER_GRID = 3, 20
PATROL_PROBABILITY = 0.9
VISITS_PER_PATROL = (1, 5)
UTC = datetime.UTC
LOCAL = datetime.timezone(datetime.timedelta(hours=8))  # Asia/Shanghai has no DST
CASES_PER_YEAR = 200_000
# Bumped when the generator adds data: a database seeded by an older one is replaced, not reused.
SEED_VERSION = 2


def split(total: int, parts: int) -> list[int]:
    """`total` spread over `parts` as evenly as possible (the first ones get the remainder)."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def bench_usernames() -> dict[str, str]:
    """The accounts `make bench` logs in as (first grid's first worker, the district official, the command center,
    the city-management department's staff)."""
    return {"grid_worker": "bw0001_1", "district_official": "bench_qu", "command_center": "bench_zhzx",
            "department_staff": "bench_dept_chengguan"}


def seeded_scale(cursor) -> str | None:
    """The scale recorded by the last complete seed of this database ("scale@version/days"), or None."""
    tables = connection.introspection.table_names(cursor)
    if MARKER_TABLE not in tables:
        return None
    cursor.execute(f"SELECT scale, days FROM {MARKER_TABLE} ORDER BY seeded_at DESC LIMIT 1")
    row = cursor.fetchone()
    return f"{row[0]}/{row[1]}" if row else None


class Writer:
    """Rows into a table: COPY on PostgreSQL, batched INSERTs elsewhere. Values: int, str, bool, None, datetime."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.pg = connection.vendor == "postgresql"
        self.counts: dict[str, int] = defaultdict(int)

    def write(self, model, columns: list[str], rows) -> None:
        table = model._meta.db_table
        if self.pg:
            self._copy(table, columns, rows)
        else:
            self._insert(table, columns, rows)

    def _copy(self, table: str, columns: list[str], rows, batch: int = 200_000) -> None:
        raw = self.cursor.cursor  # the psycopg2 cursor under Django's wrapper
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        buffer, n = io.StringIO(), 0
        for row in rows:
            buffer.write("\t".join(map(_pg_text, row)))
            buffer.write("\n")
            n += 1
            if n % batch == 0:
                buffer.seek(0)
                raw.copy_expert(sql, buffer)
                buffer = io.StringIO()
        if buffer.tell():
            buffer.seek(0)
            raw.copy_expert(sql, buffer)
        self.counts[table] += n

    def _insert(self, table: str, columns: list[str], rows, batch: int = 5_000) -> None:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
        chunk = []
        for row in rows:
            chunk.append(tuple(_sqlite_value(v) for v in row))
            if len(chunk) == batch:
                self.cursor.executemany(sql, chunk)
                self.counts[table] += len(chunk)
                chunk = []
        if chunk:
            self.cursor.executemany(sql, chunk)
            self.counts[table] += len(chunk)


_TS_CACHE: dict[datetime.datetime, str] = {}


def _pg_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.datetime):
        text = _TS_CACHE.get(value)
        if text is None:
            text = _TS_CACHE[value] = value.isoformat(sep=" ")
        return text
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return str(value)


def _sqlite_value(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


class Command(BaseCommand):
    help = "Seed synthetic district-year data for the benchmark (scale 1 ≈ 1.75 million visits)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=0.1)
        parser.add_argument("--days", type=int, default=365, help="days of patrols, ending yesterday")
        parser.add_argument("--fresh", action="store_true", help="empty the grid tables first")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *, scale: float, days: int, fresh: bool, seed: int, **options):
        if scale <= 0 or days <= 0:
            raise CommandError("--scale and --days must be positive.")
        self.verbosity = options.get("verbosity", 1)
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (scale VARCHAR(20), days INTEGER, "
                           "seeded_at VARCHAR(40))")
            wanted = f"{scale:g}@{SEED_VERSION}/{days}"
            existing = seeded_scale(cursor)
            if existing and existing.split("/")[0].partition("@")[0] == f"{scale:g}" and existing != wanted:
                self.stdout.write(f"Seeded by an older seed_bench ({existing}): replacing it.")
                fresh = True
            if not fresh and Place.objects.filter(code=DISTRICT_CODE).exists():
                if existing == wanted:
                    self.stdout.write(f"Already seeded at scale {scale:g} ({days} days): nothing to do.")
                    return
                raise CommandError(f"District {DISTRICT_CODE} already exists (seeded: {existing or 'not by seed_bench'})."
                                   " Use --fresh to replace it.")
            if fresh:
                self._empty(cursor)
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    _skip_fk_triggers(cursor)
                writer = Writer(cursor)
                _Seed(writer, scale=scale, days=days, rng=random.Random(seed), log=self._log).run()
                self._reset_sequences(cursor)
                cursor.execute(f"DELETE FROM {MARKER_TABLE}")
                cursor.execute(f"INSERT INTO {MARKER_TABLE} VALUES (%s, %s, %s)",
                               [f"{scale:g}@{SEED_VERSION}", days, timezone.now().isoformat()])
            if connection.vendor == "postgresql":
                self._log("analyze")
                cursor.execute("ANALYZE")
        counts = ", ".join(f"{t}={n:,}" for t, n in writer.counts.items())
        self.stdout.write(f"Seeded scale {scale:g} ({days} days) in {time.monotonic() - started:.1f}s: {counts}")

    def _log(self, message: str) -> None:
        if self.verbosity >= 2:
            self.stdout.write(f"  {time.strftime('%H:%M:%S')} {message}")

    def _empty(self, cursor) -> None:
        from cases.models import CasePhoto
        from wudu.models import IdempotencyKey

        models = [Notification, CasePhoto, CaseEvent, Case, ReferenceCounter, CaseCategory, IdempotencyKey, Visit,
                  Patrol, DailyReport, Household, Membership, Department, Place, User]
        if connection.vendor == "postgresql":
            tables = ", ".join(m._meta.db_table for m in models)
            cursor.execute(f"TRUNCATE {tables}, django_session RESTART IDENTITY CASCADE")
        else:
            from django.contrib.sessions.models import Session

            Session.objects.all().delete()
            for model in models[:5]:  # plain SQL: case events refuse to be deleted through the ORM
                cursor.execute(f"DELETE FROM {model._meta.db_table}")
            for model in models[5:-2]:
                model.objects.all().delete()
            for level in reversed(Level.values):
                Place.objects.filter(level=level).delete()
            User.objects.all().delete()
        cursor.execute(f"DELETE FROM {MARKER_TABLE}")

    def _reset_sequences(self, cursor) -> None:
        models = [Place, User, Membership, Household, Patrol, Visit, DailyReport, Department, CaseCategory, Case,
                  CaseEvent, ReferenceCounter]
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def _skip_fk_triggers(cursor) -> None:
    """Skip the per-row foreign-key triggers for this transaction (superuser only; the rows are consistent by
    construction). Without the right, the checks simply run at commit, which is slower but the same."""
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if cursor.fetchone()[0]:
        cursor.execute("SET LOCAL session_replication_role = replica")


class _Seed:
    def __init__(self, writer: Writer, *, scale: float, days: int, rng: random.Random, log):
        self.w, self.scale, self.days, self.rng, self.log = writer, scale, days, rng, log
        self.now = timezone.now()
        self.streets = max(1, round(STREETS * scale))
        self.communities = max(self.streets, round(COMMUNITIES * scale))
        self.grids = max(self.communities, round(GRIDS * scale))
        self.first_day = timezone.localdate() - datetime.timedelta(days=days)

    def _next_id(self, model) -> int:
        return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    def run(self) -> None:
        self.places()
        self.people()
        self.households()
        self.ledger()
        _Cases(self).run()

    # Places ---------------------------------------------------------------------------------------------
    def places(self) -> None:
        self.log(f"places: {self.streets} streets, {self.communities} communities, {self.grids} grids")
        pid = self._next_id(Place)
        rows, now = [], self.now
        # (id, level, name, parent_id, code, seq, next_child_seq)
        city = (pid, Level.CITY, "许昌市", None, CITY_CODE, 1, 2)
        district = (pid + 1, Level.DISTRICT, "魏都区", pid, DISTRICT_CODE, 2, self.streets + 1)
        rows += [city, district]
        next_id = pid + 2
        self.grid_rows: list[tuple[int, str]] = []  # (id, code)
        self.levels: dict[str, list[tuple[int, str]]] = {Level.DISTRICT: [(district[0], DISTRICT_CODE)]}
        communities_per_street = split(self.communities, self.streets)
        grids_per_community = split(self.grids, self.communities)
        c_index = 0
        for s, n_comm in enumerate(communities_per_street, start=1):
            s_code = f"{DISTRICT_CODE}{s:03d}"
            s_id = next_id
            next_id += 1
            rows.append((s_id, Level.STREET, f"第{s}街道", district[0], s_code, s, n_comm + 1))
            self.levels.setdefault(Level.STREET, []).append((s_id, s_code))
            for c in range(1, n_comm + 1):
                n_grids = grids_per_community[c_index]
                c_index += 1
                c_code = f"{s_code}{c:03d}"
                c_id = next_id
                next_id += 1
                rows.append((c_id, Level.COMMUNITY, f"第{s}街道第{c}社区", s_id, c_code, c, n_grids + 1))
                self.levels.setdefault(Level.COMMUNITY, []).append((c_id, c_code))
                for g in range(1, n_grids + 1):
                    g_code = f"{c_code}{g:03d}"
                    rows.append((next_id, Level.GRID, f"第{g}网格", c_id, g_code, g, 1))
                    self.grid_rows.append((next_id, g_code))
                    next_id += 1
        self.levels[Level.GRID] = self.grid_rows
        self.w.write(Place, ["id", "level", "name", "parent_id", "code", "seq", "next_child_seq", "address",
                             "version", "created_at", "updated_at"],
                     (r + ("", 1, now, now) for r in rows))

    # People ---------------------------------------------------------------------------------------------
    def people(self) -> None:
        self.log("people and memberships")
        uid, mid = self._next_id(User), self._next_id(Membership)
        password, now = make_password(PASSWORD), self.now
        users, memberships = [], []
        names = bench_usernames()

        def person(username: str, real_name: str, role: str, place_id: int) -> int:
            nonlocal uid, mid
            users.append((uid, password, False, username, real_name))
            memberships.append((mid, uid, role, place_id))
            uid += 1
            mid += 1
            return uid - 1

        district_id = self.levels[Level.DISTRICT][0][0]
        person(names["district_official"], "区级干部（压测）", Role.DISTRICT_OFFICIAL, district_id)
        person(names["command_center"], "指挥中心（压测）", Role.COMMAND_CENTER, district_id)
        for i, (place_id, _code) in enumerate(self.levels[Level.STREET], start=1):
            person(f"bs{i:02d}", f"街道干部{i}", Role.STREET_OFFICIAL, place_id)
        for i, (place_id, _code) in enumerate(self.levels[Level.COMMUNITY], start=1):
            person(f"bc{i:03d}", f"社区干部{i}", Role.COMMUNITY_OFFICIAL, place_id)
        # Workers per grid: (grid id, code, [worker ids]).
        self.grid_workers: list[list[int]] = []
        for i, (place_id, _code) in enumerate(self.grid_rows, start=1):
            person(f"bh{i:04d}", f"网格长{i}", Role.GRID_HEAD, place_id)
            person(f"bi{i:04d}", f"指导员{i}", Role.INSTRUCTOR, place_id)
            self.grid_workers.append([
                person(f"bw{i:04d}_{k}", f"网格员{i}-{k}", Role.GRID_WORKER, place_id)
                for k in range(1, WORKERS_PER_GRID + 1)
            ])
        self.w.write(User, ["id", "password", "is_superuser", "username", "real_name", "first_name", "last_name",
                            "email", "is_staff", "is_active", "date_joined", "mobile", "photo"],
                     (u + ("", "", "", False, True, now, "", "") for u in users))
        self.w.write(Membership, ["id", "user_id", "role", "place_id", "work_phone", "duties", "version",
                                  "created_at"],
                     (m + ("", "", 1, now) for m in memberships))

    # Households -----------------------------------------------------------------------------------------
    def households(self) -> None:
        self.log("households")
        hid, rows = self._next_id(Household), []
        self.grid_households: list[list[int]] = []
        for g, (grid_id, code) in enumerate(self.grid_rows):
            ids = []
            for h in range(HOUSEHOLDS_PER_GRID):
                rows.append((hid, grid_id, f"网格{code[-6:]}号院{h // 6 + 1}号楼", f"{h % 2 + 1}单元",
                             f"{h % 6 + 1}0{h % 3 + 1}", f"住户{g}-{h}", 1 + h % 5))
                ids.append(hid)
                hid += 1
            self.grid_households.append(ids)
        self.w.write(Household, ["id", "grid_id", "address", "unit", "room", "head_name", "residents", "phone",
                                 "id_number", "version", "created_at", "building_id"],
                     (r + ("", "", 1, self.now, None) for r in rows))

    # Patrols, visits, daily reports ----------------------------------------------------------------------
    def ledger(self) -> None:
        rng = self.rng
        categories = list(FindingCategory.objects.values_list("id", flat=True)) or [None]
        patrol_id, visit_id = self._next_id(Patrol), self._next_id(Visit)
        self.patrol_rows: list[tuple] = []
        visits: list[tuple] = []
        # grid index → day → figures; rolled up into reports afterwards.
        figures: dict[tuple[int, int], list] = {}
        minute = datetime.timedelta(minutes=1)
        types = ["household"] * 6 + ["patrol"] * 3 + ["follow_up"]
        self.log(f"patrols and visits for {self.days} days")
        for d in range(self.days):
            day = self.first_day + datetime.timedelta(days=d)
            midnight = datetime.datetime(day.year, day.month, day.day, tzinfo=LOCAL)
            for g, workers in enumerate(self.grid_workers):
                grid_id = self.grid_rows[g][0]
                households = self.grid_households[g]
                fig = [0, 0, 0, set(), 0, 0, 0]  # patrols, seconds, visits, households, findings, open, workers
                for worker in workers:
                    if rng.random() > PATROL_PROBABILITY:
                        continue
                    start = midnight + rng.randrange(7 * 60, 16 * 60) * minute
                    minutes = rng.randrange(30, 151)
                    end = start + minutes * minute
                    self.patrol_rows.append((patrol_id, f"00000000-0000-4000-8000-{patrol_id:012x}", worker,
                                             grid_id, start, end, minutes * 60, "[]", start))
                    fig[0] += 1
                    fig[1] += minutes * 60
                    fig[6] += 1
                    for _v in range(rng.randint(*VISITS_PER_PATROL)):
                        at = start + rng.randrange(minutes) * minute
                        kind = rng.choice(types)
                        household = rng.choice(households) if kind != "patrol" else None
                        category, settled, finding, action = None, True, "", ""
                        if rng.random() < 0.12:
                            category = rng.choice(categories)
                            settled = rng.random() >= 0.35
                            finding = "发现问题，已记录"
                            action = "已当场处理" if settled else "已上报"
                            fig[4] += 1
                            fig[5] += 0 if settled else 1
                        if household is not None:
                            fig[3].add(household)
                        visits.append((visit_id, f"00000000-0000-4000-9000-{visit_id:012x}", patrol_id, grid_id,
                                       worker, at, kind, household, category, finding, action, settled, at))
                        visit_id += 1
                        fig[2] += 1
                    patrol_id += 1
                figures[(g, d)] = fig
            if len(visits) >= 400_000:
                self._write_visits(visits)
                visits = []
        self._write_visits(visits)
        self.log(f"patrols: {len(self.patrol_rows):,}")
        self.w.write(Patrol, ["id", "client_id", "worker_id", "grid_id", "started_at", "ended_at",
                              "duration_seconds", "route", "created_at"], self.patrol_rows)
        self.log("daily reports")
        self.reports(figures)

    def _write_visits(self, rows: list[tuple]) -> None:
        if rows:
            self.log(f"visits: writing {len(rows):,}")
            self.w.write(Visit, ["id", "client_id", "patrol_id", "grid_id", "worker_id", "visited_at", "visit_type",
                                 "household_id", "category_id", "finding", "action", "settled", "created_at"], rows)

    def reports(self, figures: dict) -> None:
        """Each place's day, rolled up from the grids' figures exactly as daily_report_build computes it."""
        minimum = settings.MIN_DAILY_PATROL_MINUTES * 60
        rid = self._next_id(DailyReport)
        rows, now = [], self.now
        for d in range(self.days):
            day = self.first_day + datetime.timedelta(days=d)
            totals: dict[str, list] = {}
            for g, (_grid_id, code) in enumerate(self.grid_rows):
                p, secs, v, hh, f, o, w = figures[(g, d)]
                short = secs < minimum
                for length in (6, 9, 12, 15):
                    t = totals.setdefault(code[:length], [0, 0, 0, 0, 0, 0, 0, 0, 0, []])
                    t[0] += p
                    t[1] += secs
                    t[2] += v
                    t[3] += len(hh)
                    t[4] += f
                    t[5] += o
                    t[6] += 1
                    t[7] += 1 if p else 0
                    t[8] += w
                    if short:
                        t[9].append(code)
            for level in (Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID):
                for place_id, code in self.levels[level]:
                    t = totals[code]
                    rows.append((rid, place_id, day, *t[:9], json.dumps(sorted(t[9])), now))
                    rid += 1
        self.w.write(DailyReport, ["id", "place_id", "date", "patrols", "patrol_seconds", "visits",
                                   "households_reached", "findings", "open_findings", "grids_total",
                                   "grids_patrolled", "workers_on_duty", "short_grids", "built_at"], rows)


# Cases ------------------------------------------------------------------------------------------------------
# Final states and their shares: most closed, a few per cent in each queue.
CASE_STATES = {
    CaseStatus.CLOSED: 70, CaseStatus.SELF_HANDLED: 12, CaseStatus.CANCELLED: 4, CaseStatus.REPORTED: 1.5,
    CaseStatus.FILED: 1, CaseStatus.DISPATCHED: 2, CaseStatus.RETURNED: 0.5, CaseStatus.HANDLING: 3,
    CaseStatus.EXTENSION: 0.5, CaseStatus.SUSPENDED: 1, CaseStatus.FED_BACK: 1.5,
    CaseStatus.AWAITING_EVALUATION: 0.3, CaseStatus.LOCAL: 0.7,
}
CASE_SOURCES = {"patrol": 50, "resident": 22, "hotline": 20, "assigned": 8}
EVALUATIONS = ["satisfied"] * 16 + ["basic"] * 3 + ["unsatisfied"]
# Hours after the previous step (low, high); a department's own work scales with the category's limit.
GAPS = {"accept": (0.2, 4), "cancel": (0.3, 4), "dispatch": (0.1, 3), "send_back": (1, 12), "sign": (0.3, 6),
        "request_extension": (10, 40), "approve_extension": (1, 8), "suspend": (24, 72), "verify": (2, 24),
        "rework": (2, 24), "evaluate": (4, 72), "settle": (1, 48), "escalate": (4, 48), "supervise": (1, 24)}
CENTER_ACTIONS = {"accept", "cancel", "dispatch", "approve_extension", "supervise", "evaluate"}
DEPARTMENT_ACTIONS = {"sign", "send_back", "request_extension", "suspend", "feed_back"}


class _Cases:
    """Departments, their staff, case categories, then the cases of the year with their events.

    A case's path through the loop is drawn first (its steps and their times, cut at its final state and
    squeezed before now when it would not fit), then the case row is what the path left behind, as the services
    would have left it: department, dispatch time, deadline and due-soon point, alert, counters, version.
    """

    def __init__(self, seed: _Seed):
        self.s, self.w, self.rng, self.log = seed, seed.w, seed.rng, seed.log
        self.now = seed.now

    def run(self) -> None:
        self.departments()
        self.cases()
        # The queue tabs count from the open cases' counter table, which the services keep; COPY went around them.
        case_counters.rebuild()

    def departments(self) -> None:
        from cases.demo import CATEGORIES
        from grids.demo import DEPARTMENTS

        s, now = self.s, self.now
        district_id = s.levels[Level.DISTRICT][0][0]
        did, cid = s._next_id(Department), s._next_id(CaseCategory)
        uid, mid = s._next_id(User), s._next_id(Membership)
        self.department_ids: dict[str, int] = {}
        self.staff: dict[int, int] = {}  # department id → its bench account
        departments, users, memberships = [], [], []
        password = make_password(PASSWORD)
        for i, (name, code, duties) in enumerate(DEPARTMENTS):
            departments.append((did + i, district_id, name, code, f"0374-{5_000_000 + i}", duties, 1))
            self.department_ids[code] = did + i
            users.append((uid + i, password, False, f"bench_dept_{code}", f"{name}（压测）"))
            memberships.append((mid + i, uid + i, Role.DEPARTMENT_STAFF, district_id, did + i))
            self.staff[did + i] = uid + i
        self.w.write(Department, ["id", "district_id", "name", "short_code", "phone", "duties", "version"], departments)
        self.w.write(User, ["id", "password", "is_superuser", "username", "real_name", "first_name", "last_name",
                            "email", "is_staff", "is_active", "date_joined", "mobile", "photo"],
                     (u + ("", "", "", False, True, now, "", "") for u in users))
        self.w.write(Membership, ["id", "user_id", "role", "place_id", "department_id", "work_phone", "duties",
                                  "version", "created_at"], (m + ("", "", 1, now) for m in memberships))
        # (id, department id, limit hours as the calendar spans it, limit, unit, name)
        self.categories: list[tuple] = []
        rows = []
        for order, (code, name, department, limit, unit, _finding, public) in enumerate(
                c for c in CATEGORIES if c[2] is not None):
            hours = limit if unit == LimitUnit.HOURS else limit * 24 * 7 / 5
            self.categories.append((cid + order, self.department_ids[department], hours, limit, unit, name))
            rows.append((cid + order, district_id, code, name, "", self.department_ids[department], limit, unit, None,
                         public, True, order))
        self.w.write(CaseCategory, ["id", "district_id", "code", "name", "description", "department_id", "time_limit",
                                    "limit_unit", "finding_category_id", "public", "active", "sort_order"], rows)
        # Petitions (信访) have their own category; ordinary cases take any other.
        self.petitions = next(c for c, row in zip(self.categories, rows, strict=True) if row[2] == "xinfang")
        self.ordinary = [c for c in self.categories if c is not self.petitions]
        self.center_id = User.objects.filter(username=bench_usernames()["command_center"]).values_list(
            "id", flat=True).first()
        self.official_id = User.objects.filter(username=bench_usernames()["district_official"]).values_list(
            "id", flat=True).first()

    def cases(self) -> None:
        s, rng, now = self.s, self.rng, self.now
        total = max(len(CASE_STATES) * 2, round(CASES_PER_YEAR * s.scale * s.days / 365))
        start = datetime.datetime.combine(s.first_day, datetime.time(7), tzinfo=LOCAL)
        span_h = (now - start).total_seconds() / 3600
        states, weights = list(CASE_STATES), list(CASE_STATES.values())
        cum = [sum(weights[: i + 1]) for i in range(len(weights))]
        sources, source_cum = list(CASE_SOURCES), [50, 72, 92, 100]
        self.log(f"cases: {total:,} and their events")
        drafts = []
        for i in range(total):
            # The first few follow the list of states, so that even the tiny scale has each one.
            status = states[i] if i < len(states) else rng.choices(states, cum_weights=cum)[0]
            if status in (CaseStatus.CLOSED, CaseStatus.SELF_HANDLED, CaseStatus.CANCELLED, CaseStatus.SUSPENDED):
                age_h = rng.uniform(0, span_h)
            else:
                age_h = min(rng.expovariate(1 / 144), span_h)  # open cases are mostly of the last days
            created = now - datetime.timedelta(hours=age_h)
            local = created.astimezone(LOCAL)
            if not 7 <= local.hour < 21:
                created = (local.replace(hour=7 + local.hour % 14)).astimezone(UTC)
                created = min(created, now - datetime.timedelta(minutes=30))
            drafts.append((created, status, rng.choices(sources, cum_weights=source_cum)[0]))
        drafts.sort(key=lambda d: d[0])
        case_id, event_id = s._next_id(Case), s._next_id(CaseEvent)
        counters: dict[datetime.date, int] = {}
        case_rows, event_rows = [], []
        for created, status, source in drafts:
            day = created.astimezone(LOCAL).date()
            counters[day] = counters.get(day, 0) + 1
            reference = f"{day:%Y%m%d}{counters[day]:05d}"
            events, row = self.case(case_id, reference, created, status, source, event_id)
            case_rows.append(row)
            event_rows += events
            event_id += len(events)
            case_id += 1
            if len(event_rows) >= 300_000:
                self._write(case_rows, event_rows)
                case_rows, event_rows = [], []
        self._write(case_rows, event_rows)
        rid = s._next_id(ReferenceCounter)
        self.w.write(ReferenceCounter, ["id", "day", "last"],
                     ((rid + i, day, last) for i, (day, last) in enumerate(sorted(counters.items()))))

    def _write(self, cases: list[tuple], events: list[tuple]) -> None:
        self.log(f"cases: writing {len(cases):,} with {len(events):,} events")
        self.w.write(Case, CASE_COLUMNS, cases)
        self.w.write(CaseEvent, EVENT_COLUMNS, events)

    def path(self, status: str, source: str, petition: bool) -> list[str]:
        """The actions of a case that ends in `status` (3–8 events for a case that reached a department)."""
        rng = self.rng
        if status in (CaseStatus.LOCAL, CaseStatus.SELF_HANDLED):
            return ["create_local"] + (["settle"] if status == CaseStatus.SELF_HANDLED else [])
        actions = ["create"]
        if source == "patrol" and rng.random() < 0.1:
            actions = ["create_local", "escalate"]
        if source in ("patrol", "resident"):
            if status == CaseStatus.REPORTED:
                return actions
            actions.append("cancel" if status == CaseStatus.CANCELLED and rng.random() < 0.7 else "accept")
        if status == CaseStatus.CANCELLED and actions[-1] != "cancel":
            return actions + ["cancel"]
        if status in (CaseStatus.FILED, CaseStatus.CANCELLED):
            return actions
        actions.append("dispatch")
        evaluate = petition or rng.random() < 0.7
        room = 8 - len(actions) - 3 - evaluate  # what is left after sign, feed_back, verify (and evaluate)
        if status == CaseStatus.RETURNED or (room >= 2 and rng.random() < 0.06):
            actions += ["send_back", "dispatch"]
            room -= 2
        if status == CaseStatus.SUSPENDED or (room >= 3 and rng.random() < 0.02):
            actions += ["sign", "suspend", "dispatch"]
            room -= 3
        actions.append("sign")
        if status == CaseStatus.EXTENSION or (room >= 2 and rng.random() < 0.07):
            actions += ["request_extension", "approve_extension"]
            room -= 2
        if room >= 1 and rng.random() < 0.03:
            actions.append("supervise")
            room -= 1
        actions.append("feed_back")
        if room >= 2 and rng.random() < 0.05:
            actions += ["rework", "feed_back"]
        actions.append("verify")
        return actions + ["evaluate"] if evaluate else actions

    def case(self, case_id: int, reference: str, created, status: str, source: str, event_id: int):
        s, rng, now = self.s, self.rng, self.now
        if status in (CaseStatus.LOCAL, CaseStatus.SELF_HANDLED):
            source = "patrol"  # only a grid worker settles in the grid
        elif status == CaseStatus.REPORTED and source in ("hotline", "assigned"):
            source = "resident"  # the center files what it registers itself
        elif status == CaseStatus.AWAITING_EVALUATION:
            source = "hotline"  # petitions come through the center
        petition = source == "hotline" and (status == CaseStatus.AWAITING_EVALUATION or rng.random() < 0.05)
        category_id, department_id, limit_h, _limit, _unit, category_name = (
            self.petitions if petition else rng.choice(self.ordinary))
        g = rng.randrange(len(s.grid_rows))
        grid_id = s.grid_rows[g][0]
        worker = s.grid_workers[g][0]
        actions = self.path(status, source, petition)
        mobile = f"1{3 + case_id % 6}{case_id % 1_000_000_000:09d}" if source == "resident" else ""
        # Times: the steps' gaps, squeezed to fit before now.
        gaps = []
        for action in actions[1:]:
            if action == "feed_back":
                gaps.append(limit_h * (rng.uniform(1.05, 1.5) if rng.random() < 0.08 else rng.uniform(0.1, 0.8)))
            else:
                low, high = GAPS.get(action, (0.1, 3))
                gaps.append(rng.uniform(low, high))
        room = (now - created).total_seconds() / 3600 - 0.1
        total = sum(gaps)
        if total > room:
            gaps = [gap * room / total for gap in gaps]
        reporter = {"patrol": worker, "hotline": self.center_id, "assigned": self.official_id}.get(source)
        state = ""
        at = created
        dept = dispatched = deadline = due_soon = fed_back = closed = evaluated = None
        returns = reworks = 0
        extension_days = None
        supervised, evaluation, alert, level = False, "", "", "center"
        channel, evaluated_by = "", None
        events = []
        left_at = None  # when the case last left a department (for the alert it earned there)
        for n, action in enumerate(actions):
            if n:
                at = at + datetime.timedelta(hours=gaps[n - 1])
            before = state
            e_dept = e_deadline = None
            data = "{}"
            name = action
            if action == "create_local":
                name, state, level = "create", CaseStatus.LOCAL, rng.choice(["grid", "building"])
            elif action == "create":
                state = CaseStatus.FILED if source in ("hotline", "assigned") else CaseStatus.REPORTED
            elif action == "settle":
                state, closed = CaseStatus.SELF_HANDLED, at
            elif action == "escalate":
                state, level = CaseStatus.REPORTED, "center"
            elif action == "accept":
                state = CaseStatus.FILED
            elif action == "cancel":
                state, closed = CaseStatus.CANCELLED, at
            elif action == "dispatch":
                if before != CaseStatus.FILED and rng.random() < 0.5:  # re-dispatched elsewhere
                    dept = rng.choice(list(self.staff))
                else:
                    dept = department_id
                dispatched, deadline = at, at + datetime.timedelta(hours=limit_h)
                due_soon, alert, extension_days = at + (deadline - at) * 0.8, "", None
                state, e_dept, e_deadline = CaseStatus.DISPATCHED, dept, deadline
                data = json.dumps({"department": dept, "deadline": deadline.isoformat()})
            elif action == "sign":
                state = CaseStatus.HANDLING
            elif action == "send_back":
                state, returns, left_at = CaseStatus.RETURNED, returns + 1, at
            elif action == "request_extension":
                state, extension_days = CaseStatus.EXTENSION, rng.choice([2, 3, 5])
                data = json.dumps({"days": extension_days})
            elif action == "approve_extension":
                deadline = deadline + datetime.timedelta(days=extension_days * 7 / 5)
                due_soon, alert, e_deadline = dispatched + (deadline - dispatched) * 0.8, "", deadline
                data = json.dumps({"days": extension_days, "deadline": deadline.isoformat()})
                state, extension_days = CaseStatus.HANDLING, None
            elif action == "suspend":
                state, left_at = CaseStatus.SUSPENDED, at
            elif action == "supervise":
                supervised = True
            elif action == "feed_back":
                state, fed_back, left_at = CaseStatus.FED_BACK, at, at
            elif action == "rework":
                state, reworks, fed_back = CaseStatus.HANDLING, reworks + 1, None
            elif action == "verify":
                state = CaseStatus.AWAITING_EVALUATION if petition else CaseStatus.CLOSED
                closed = None if petition else at
            elif action == "evaluate":
                evaluation = rng.choice(EVALUATIONS if not petition else EVALUATIONS[:-1])
                state, evaluated, closed = CaseStatus.CLOSED, at, closed or at
                data = json.dumps({"evaluation": evaluation})
            if action in ("send_back", "suspend", "feed_back") and deadline is not None:
                alert = _alert(left_at, due_soon, deadline) or alert
            if action in CENTER_ACTIONS and not (action == "evaluate" and mobile):
                actor, role = self.center_id, "command_center"
                if action == "evaluate":  # taken down on a call back, naming who called
                    channel, evaluated_by = "phone", self.center_id
            elif action in DEPARTMENT_ACTIONS:
                actor, role = self.staff[dept], "department_staff"
            elif action == "evaluate":
                actor, role = None, "resident"
                channel, evaluated_by = "resident", None
            elif name == "create":
                actor = reporter
                role = {"patrol": "grid_worker", "hotline": "command_center",
                        "assigned": "district_official"}.get(source, "resident")
            else:  # settle, escalate, verify, rework: the grid's worker (the center for others' reports)
                actor, role = (worker, "grid_worker") if source == "patrol" else (self.center_id, "command_center")
            events.append((event_id + n, case_id, name, before, state, actor, role, at, "", e_dept, e_deadline, data))
            if state == status and status not in FINISHED:
                break  # an open case stops at the first time it reaches its state
        if state in AT_DEPARTMENT:
            alert = _alert(now, due_soon, deadline)
        token = f"{case_id:x}-{rng.getrandbits(128):032x}"  # unique by the id
        row = (case_id, reference, token, "petition" if petition else "ordinary",
               source, level, state, category_id, grid_id, None, None, None, "", f"{category_name}问题（压测数据）",
               reporter, "居民" if mobile else "", mobile, None, None, dept, dispatched, deadline, due_soon, alert,
               extension_days, supervised, returns, reworks, evaluation, "", channel, evaluated_by, evaluated, fed_back, closed,
               created, at, len(events))
        return events, row


def _alert(at, due_soon, deadline) -> str:
    if at >= deadline:
        return Alert.OVERDUE
    return Alert.DUE_SOON if at >= due_soon else ""


CASE_COLUMNS = ["id", "reference", "tracking_token", "kind", "source", "level", "status", "category_id", "grid_id",
                "building_id", "lng", "lat", "address", "description", "reporter_id", "resident_name",
                "resident_mobile", "client_ip", "visit_id", "department_id", "dispatched_at", "deadline", "due_soon_at",
                "alert", "extension_days", "supervised", "returns", "reworks", "evaluation", "evaluation_comment",
                "evaluation_channel", "evaluated_by_id", "evaluated_at", "fed_back_at", "closed_at", "created_at", "updated_at", "version"]
EVENT_COLUMNS = ["id", "case_id", "action", "from_status", "to_status", "actor_id", "actor_role", "at", "note",
                 "department_id", "deadline", "data"]
