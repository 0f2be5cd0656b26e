"""The in-process half of `make bench`: sessions, query counts, aggregates, plans and export memory.

Run by bench/run.py against one bench database (DATABASE_URL set by it), one sub-command at a time, each
printing one JSON object on its last line:

    prepare      sessions for the bench users, an open patrol for the worker, the URLs of every page
    queries      query count and status of every page, through django.test.Client (same DB, same settings)
    aggregates   daily_report_build(day) and its SELECT alone against the same figures in one raw SQL statement
                 (median of 5)
    explain      EXPLAIN ANALYZE of the ledger page 1 / deep page and the daily report's grouped queries
    export       peak RSS of exporting ~100,000 ledger rows to Excel (run alone in its own process)
    bulletins    the monthly bulletin and the quarterly ranking of the district built, against the same case
                 aggregates written by hand in raw SQL; snapshot size; drill-down page 1 against a deep page
    dispatch     case_dispatch() per second over N fresh filed cases, committed one by one, with the
                 notices (eager Celery); also the hotline registrations that filed them, and queries per step
    profile      (by hand, not part of a run) cProfile of one page, requested 50 times in-process:
                 `python bench/inproc.py profile bench/results/spec-<db>.json "<page name>" [sort]`
"""

from __future__ import annotations

import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wudu.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.db.models.functions import Substr  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.management.commands.seed_bench import DISTRICT_CODE, bench_usernames  # noqa: E402
from bulletins import selectors as bulletin_selectors  # noqa: E402
from bulletins import services as bulletin_services  # noqa: E402
from bulletins.models import BulletinRow, Kind  # noqa: E402
from cases import services as case_services  # noqa: E402
from cases.measures import due  # noqa: E402
from cases.models import Case, CaseCategory  # noqa: E402
from grids.models import Level, Place, User  # noqa: E402
from ledger import reports  # noqa: E402
from ledger import services as ledger_services  # noqa: E402
from ledger.models import Patrol, Visit  # noqa: E402
from ledger.selectors import PAGE_SIZE, ROW_DEFERRED, ROW_RELATED, LedgerFilter, ledger_queryset  # noqa: E402
from wudu import measures  # noqa: E402
from wudu.measures import Period  # noqa: E402

DEEP_PAGE = 1000
CSRF_TOKEN = "benchbenchbenchbenchbenchbench12"  # 32 characters: Django accepts the unmasked secret


def users() -> dict[str, User]:
    return {role: User.objects.get(username=name) for role, name in bench_usernames().items()}


def first_day() -> datetime.date:
    first = Visit.objects.order_by("visited_at").values_list("visited_at", flat=True).first()
    return timezone.localdate(first)


def ledger_filter(date_from: datetime.date) -> LedgerFilter:
    return LedgerFilter(place_code=DISTRICT_CODE, date_from=date_from, date_to=timezone.localdate())


def deep_cursor(date_from: datetime.date) -> str:
    """The cursor the page shows under page 999: the last row of it (row 49,950), found by one SQL query."""
    start = timezone.make_aware(datetime.datetime.combine(date_from, datetime.time.min))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT v.visited_at, v.id FROM grids_visit v JOIN grids_place g ON g.id = v.grid_id "
            "WHERE g.code LIKE %s AND v.visited_at >= %s ORDER BY v.visited_at DESC, v.id DESC "
            "LIMIT 1 OFFSET %s",
            [DISTRICT_CODE + "%", start, (DEEP_PAGE - 1) * PAGE_SIZE - 1],
        )
        row = cursor.fetchone()
    if row is None:
        return ""
    at, pk = row
    return f"{at.timestamp():.6f}_{pk}"


def open_patrol(worker: User) -> Patrol:
    """A fresh open patrol for each run, so that the visits the last run POSTed do not weigh on this one."""
    previous = Patrol.objects.filter(worker=worker, ended_at__isnull=True).first()
    if previous is not None:
        ledger_services.patrol_end(actor=worker, patrol=previous)
    grid = Place.objects.get(pk=worker.memberships.values_list("place_id", flat=True).first())
    return ledger_services.patrol_start(actor=worker, grid=grid, client_id=uuid.uuid4())


def session_of(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def prepare() -> dict:
    cast = users()
    day0 = first_day()
    patrol = open_patrol(cast["grid_worker"])
    home = Client()
    home.force_login(cast["grid_worker"])
    terminal = home.get("/home/")["Location"]
    query = f"place={DISTRICT_CODE}&date_from={day0.isoformat()}"
    cursor = deep_cursor(day0)
    worker, official, center = "grid_worker", "district_official", "command_center"
    # Each page's kind picks its throughput budget in bench/run.py (KIND_FLOOR_RATIO): "html_list" (a rendered
    # list of rows), "api_list" (a JSON list), "detail" (one object's page, terminals included), "post".
    pages = [
        {"name": "floor", "path": "/bench/floor", "user": worker, "kind": "floor"},
        {"name": "worker home (grid terminal)", "path": terminal, "user": worker, "kind": "detail"},
        {"name": "patrol page", "path": "/patrol/", "user": worker, "kind": "detail"},
        {"name": "visit POST", "path": f"/patrol/{patrol.pk}/visits/", "user": worker, "method": "POST",
         "kind": "post"},
        {"name": "ledger page 1", "path": f"/ledger/?{query}", "user": official, "kind": "html_list"},
        {"name": f"ledger page {DEEP_PAGE}", "path": f"/ledger/?{query}&after={cursor}", "user": official,
         "kind": "html_list", "deep": True},
        {"name": "district terminal", "path": f"/places/{DISTRICT_CODE}/", "user": official, "kind": "detail"},
        {"name": "API places ?level=grid", "path": "/api/v1/places/?level=grid", "user": center, "kind": "api_list"},
        {"name": "API visits", "path": "/api/v1/visits/", "user": center, "kind": "api_list"},
        {"name": "case center queue new", "path": "/cases/center/?queue=new", "user": center, "kind": "html_list"},
        {"name": "case center queue overdue", "path": "/cases/center/?queue=overdue", "user": center,
         "kind": "html_list"},
        {"name": "case department list", "path": "/cases/department/", "user": "department_staff",
         "kind": "html_list"},
        {"name": "API cases", "path": "/api/v1/cases/", "user": center, "kind": "api_list"},
    ]
    # A case with one of the longest timelines, dispatched to the bench department (both roles may open it).
    long_case = (Case.objects.filter(department__short_code="chengguan", status="closed")
                 .order_by("-version", "-id").values_list("reference", flat=True).first())
    if long_case:
        pages.append({"name": "case detail", "path": f"/cases/{long_case}/", "user": center, "kind": "detail"})
    return {
        "sessions": {role: session_of(user) for role, user in cast.items()},
        "csrf": CSRF_TOKEN,
        "pages": pages,
        "first_day": day0.isoformat(),
        "rows": {"visits": Visit.objects.count(), "patrols": Patrol.objects.count(),
                 "grids": Place.objects.filter(level=Level.GRID).count(), "cases": Case.objects.count()},
        "postgres": _pg_version(),
    }


def _pg_version() -> str:
    if connection.vendor != "postgresql":
        return connection.vendor
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def visit_body() -> dict:
    return {"client_id": str(uuid.uuid4()), "visit_type": "patrol"}


def queries(spec: dict) -> dict:
    cast = users()
    out = {}
    for page in spec["pages"]:
        client = Client()
        client.force_login(cast[page["user"]])
        client.get("/bench/floor")  # warm: the first request of a process loads translations and templates
        with CaptureQueriesContext(connection) as captured:
            if page.get("method") == "POST":
                response = client.post(page["path"], visit_body(), HTTP_ACCEPT="application/json")
            else:
                response = client.get(page["path"])
        out[page["name"]] = {"queries": len(captured), "status": response.status_code,
                             "sql": [q["sql"][:300] for q in captured.captured_queries]}
    return out


# The daily report's figures for the four levels, by hand: one statement, grouped by code prefix.
RAW_DAILY_SQL = """
WITH lv(n) AS (VALUES (6), (9), (12), (15)),
p AS (
    SELECT lv.n, substr(g.code, 1, lv.n) AS prefix, count(*) AS patrols,
           coalesce(sum(pa.duration_seconds), 0) AS patrol_seconds,
           count(DISTINCT pa.grid_id) AS grids_patrolled, count(DISTINCT pa.worker_id) AS workers_on_duty
    FROM grids_patrol pa JOIN grids_place g ON g.id = pa.grid_id CROSS JOIN lv
    WHERE pa.started_at >= %(start)s AND pa.started_at < %(end)s
    GROUP BY lv.n, substr(g.code, 1, lv.n)
),
v AS (
    SELECT lv.n, substr(g.code, 1, lv.n) AS prefix, count(*) AS visits,
           count(DISTINCT vi.household_id) AS households_reached,
           count(*) FILTER (WHERE vi.category_id IS NOT NULL) AS findings,
           count(*) FILTER (WHERE vi.category_id IS NOT NULL AND NOT vi.settled AND vi.escalated_at IS NULL)
               AS open_findings
    FROM grids_visit vi JOIN grids_place g ON g.id = vi.grid_id CROSS JOIN lv
    WHERE vi.visited_at >= %(start)s AND vi.visited_at < %(end)s
    GROUP BY lv.n, substr(g.code, 1, lv.n)
),
t AS (
    SELECT lv.n, substr(g.code, 1, lv.n) AS prefix, count(*) AS grids_total
    FROM grids_place g CROSS JOIN lv WHERE g.level = 'grid'
    GROUP BY lv.n, substr(g.code, 1, lv.n)
)
SELECT pl.id, pl.code, p.patrols, p.patrol_seconds, p.grids_patrolled, p.workers_on_duty, v.visits,
       v.households_reached, v.findings, v.open_findings, t.grids_total
FROM grids_place pl
LEFT JOIN p ON p.prefix = pl.code LEFT JOIN v ON v.prefix = pl.code LEFT JOIN t ON t.prefix = pl.code
WHERE pl.level IN ('district', 'street', 'community', 'grid')
"""


def _median_ms(fn, runs: int = 5) -> tuple[float, list[float]]:
    times = []
    for _i in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), times


def report_day() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=30)


def aggregates() -> dict:
    day = report_day()
    start, end = reports.day_window(day)

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(RAW_DAILY_SQL, {"start": start, "end": end})
            return cursor.fetchall()

    # The aggregate the build writes: the ORM's figure queries composed into the upsert's SELECT, run alone.
    def orm_figures():
        select, params = reports.report_select(day, DISTRICT_CODE)
        with connection.cursor() as cursor:
            cursor.execute(select, params)
            return cursor.fetchall()

    raw()  # warm the cache alike for both
    build_ms, build_all = _median_ms(lambda: reports.daily_report_build(day))
    figures_ms, figures_all = _median_ms(orm_figures)
    raw_ms, raw_all = _median_ms(raw)
    # The two must agree, or the comparison means nothing.
    by_code = {row[1]: row for row in raw()}
    district = Place.objects.get(code=DISTRICT_CODE)
    built = district.daily_reports.get(date=day)
    row = by_code[DISTRICT_CODE]
    agree = (built.patrols, built.visits, built.households_reached, built.workers_on_duty) == (
        row[2] or 0, row[6] or 0, row[7] or 0, row[5] or 0)
    return {
        "day": day.isoformat(), "daily_report_build_ms": build_ms, "orm_figures_ms": figures_ms,
        "raw_sql_ms": raw_ms, "ratio": build_ms / raw_ms, "figures_ratio": figures_ms / raw_ms,
        "runs": {"build": build_all, "figures": figures_all, "raw": raw_all}, "agree": agree,
    }


def _explain(sql: str, params=None) -> tuple[str, float]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        lines = [r[0] for r in cursor.fetchall()]
    total = next((float(line.split(":")[1].split()[0]) for line in lines if line.startswith("Execution Time")), 0.0)
    return "\n".join(lines), total


def explain(spec: dict) -> dict:
    if connection.vendor != "postgresql":
        return {}
    cast = users()
    official = cast["district_official"]
    f = ledger_filter(datetime.date.fromisoformat(spec["first_day"]))
    page1 = ledger_queryset(official, f).select_related(*ROW_RELATED).defer(*ROW_DEFERRED)[: PAGE_SIZE + 1]
    deep_path = next(p["path"] for p in spec["pages"] if p.get("deep"))
    from django.db.models import Q

    from ledger.selectors import decode_cursor

    at, pk = decode_cursor(deep_path.rsplit("after=", 1)[1])
    deep = (ledger_queryset(official, f).select_related(*ROW_RELATED).defer(*ROW_DEFERRED)
            .filter(Q(visited_at__lt=at) | Q(visited_at=at, pk__lt=pk))[: PAGE_SIZE + 1])
    out = {}
    for name, qs in (("ledger page 1", page1), (f"ledger page {DEEP_PAGE}", deep)):
        sql, params = qs.query.sql_with_params()
        plan, ms = _explain(sql, params)
        out[name] = {"execution_ms": ms, "plan": plan}
    day = report_day()
    with CaptureQueriesContext(connection) as captured:
        reports.day_figures(day)
    for i, q in enumerate(captured.captured_queries):
        plan, ms = _explain(q["sql"])
        out[f"daily report query {i + 1}"] = {"execution_ms": ms, "plan": plan, "sql": q["sql"]}
    start, end = reports.day_window(day)
    plan, ms = _explain(RAW_DAILY_SQL, {"start": start, "end": end})
    out["daily report raw SQL"] = {"execution_ms": ms, "plan": plan}
    return out


# Indexes the ledger could use, tried one at a time inside a transaction that is rolled back (PostgreSQL DDL is
# transactional): nothing is left behind in the bench database.
CANDIDATE_INDEXES = {
    "none (as migrated)": "",
    "B-tree visit (visited_at DESC, id DESC)":
        "CREATE INDEX bench_visit_time_id ON grids_visit (visited_at DESC, id DESC)",
    "BRIN visit (visited_at)": "CREATE INDEX bench_visit_time_brin ON grids_visit USING brin (visited_at)",
}


def indexes(spec: dict) -> dict:
    """Ledger page 1 / page 1,000 (as the selector writes the cursor, and with a sargable `visited_at <= at`
    added) and the daily report's visit figures, under each candidate index."""
    from django.db import transaction
    from django.db.models import Q

    from ledger.selectors import decode_cursor

    if connection.vendor != "postgresql":
        return {}
    official = users()["district_official"]
    f = ledger_filter(datetime.date.fromisoformat(spec["first_day"]))
    deep_path = next(p["path"] for p in spec["pages"] if p.get("deep"))
    at, pk = decode_cursor(deep_path.rsplit("after=", 1)[1])
    base = ledger_queryset(official, f).select_related(*ROW_RELATED).defer(*ROW_DEFERRED)
    keyset = Q(visited_at__lt=at) | Q(visited_at=at, pk__lt=pk)
    queries_ = {
        "ledger page 1": base[: PAGE_SIZE + 1],
        f"ledger page {DEEP_PAGE}": base.filter(keyset)[: PAGE_SIZE + 1],
        f"ledger page {DEEP_PAGE} + visited_at<=at": base.filter(keyset, visited_at__lte=at)[: PAGE_SIZE + 1],
    }
    day = report_day()
    start, end = reports.day_window(day)
    out = {}
    for label, ddl in CANDIDATE_INDEXES.items():
        with transaction.atomic():
            with connection.cursor() as cursor:
                if ddl:
                    cursor.execute(ddl)
            row = {}
            for name, qs in queries_.items():
                sql, params = qs.query.sql_with_params()
                _explain(sql, params)  # warm
                plan, ms = _explain(sql, params)
                row[name] = {"execution_ms": ms, "plan": plan}
            reports.day_figures(day, [Level.DISTRICT])
            plan, ms = _explain(RAW_DAILY_SQL, {"start": start, "end": end})
            row["daily report raw SQL"] = {"execution_ms": ms, "plan": plan}
            with CaptureQueriesContext(connection) as captured:
                reports.day_figures(day, [Level.DISTRICT])
            plan, ms = _explain(captured.captured_queries[1]["sql"])
            row["daily report visit figures (district)"] = {"execution_ms": ms, "plan": plan}
            transaction.set_rollback(True)
        out[label] = row
    return out


def _hwm_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def export(rows_wanted: int = 100_000) -> dict:
    from ledger.exports import ledger_xlsx

    official = users()["district_official"]
    # The date from which the district's ledger holds at least `rows_wanted` rows.
    nth = (Visit.objects.order_by("-visited_at", "-id").values_list("visited_at", flat=True)[rows_wanted - 1:rows_wanted])
    at = nth.first() or Visit.objects.order_by("visited_at").values_list("visited_at", flat=True).first()
    f = ledger_filter(timezone.localdate(at))
    rows = ledger_queryset(official, f).count()
    before = _hwm_kb()
    started = time.perf_counter()
    out, _rows = ledger_xlsx(official, f, "bench")
    seconds = time.perf_counter() - started
    size = out.seek(0, 2)
    out.close()
    peak = _hwm_kb()
    return {"rows": rows, "seconds": seconds, "bytes": size, "peak_rss_mb": peak / 1024,
            "baseline_rss_mb": before / 1024}


def _pdf_pages(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(re.search(r"Pages:\s+(\d+)", info)[1])


def ledger_pdf() -> dict:
    """The ledger's PDF (ledger.exports.ledger_pdf, what the export job runs) for the last week with visits: one grid,
    one street, the whole district (2,000 rows at most, 126 pages at scale 0.1 and 1). The first includes loading
    the CJK font's tables, once per worker process."""
    from ledger.exports import ledger_pdf as render

    official = users()["district_official"]
    last = timezone.localdate(Visit.objects.order_by("-visited_at").values_list("visited_at", flat=True).first())
    street = Place.objects.filter(level=Level.STREET, code__startswith=DISTRICT_CODE).order_by("code").first()
    grid = Place.objects.filter(level=Level.GRID, code__startswith=street.code).order_by("code").first()
    out = {}
    for name, code in (("grid-week", grid.code), ("street-week", street.code), ("district-week", DISTRICT_CODE)):
        f = LedgerFilter(place_code=code, date_from=last - datetime.timedelta(days=6), date_to=last)
        started = time.perf_counter()
        pdf, truncated, rows = render(official, f, "bench")
        out[name] = {"seconds": time.perf_counter() - started, "rows": rows, "truncated": truncated,
                     "pages": _pdf_pages(pdf), "bytes": len(pdf)}
    return out


DISPATCH_CASES = 500


def dispatch(n: int = DISPATCH_CASES) -> dict:
    """The command center's busiest step, in a loop: register `n` hotline cases (filed at once), then dispatch each
    to its category's department. Every step is its own transaction, committed, with its notices sent (eager
    Celery, as the bench server runs); the first dispatch is counted query by query, the rest are timed."""
    center = users()["command_center"]
    grid = Place.objects.filter(level=Level.GRID, code__startswith=DISTRICT_CODE).order_by("code").first()
    category = (CaseCategory.objects.filter(district__code=DISTRICT_CODE, department__isnull=False)
                .order_by("sort_order", "id").first())
    started = time.perf_counter()
    cases = [case_services.case_create(actor=center, source="hotline", grid=grid, category=category,
                                       description="压测：热线登记", key=uuid.uuid4()) for _i in range(n)]
    create_s = time.perf_counter() - started
    with CaptureQueriesContext(connection) as captured:
        case_services.case_dispatch(actor=center, case=cases[0], version=cases[0].version, key=uuid.uuid4())
    started = time.perf_counter()
    for case in cases[1:]:
        case = case_services.case_dispatch(actor=center, case=case, version=case.version, key=uuid.uuid4())
        assert case.status == "dispatched"
    dispatch_s = time.perf_counter() - started
    return {"cases": n, "create_per_s": n / create_s, "dispatch_per_s": (n - 1) / dispatch_s,
            "dispatch_ms": dispatch_s / (n - 1) * 1000, "queries_per_dispatch": len(captured),
            "sql": [q["sql"][:200] for q in captured.captured_queries]}


def profile(spec: dict, name: str, sort: str = "tottime") -> None:
    import cProfile
    import pstats

    page = next(p for p in spec["pages"] if p["name"] == name)
    client = Client()
    client.force_login(users()[page["user"]])

    def request():
        if page.get("method") == "POST":
            return client.post(page["path"], visit_body(), HTTP_ACCEPT="application/json")
        return client.get(page["path"])

    for _i in range(5):
        request()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _i in range(50):
        request()
    profiler.disable()
    print(f"{name}: {(time.perf_counter() - started) * 20:.1f} ms per request (profiled)", file=sys.stderr)
    pstats.Stats(profiler, stream=sys.stderr).sort_stats(sort).print_stats(40)


# The due-case measures of the district's monthly bulletin by street, written by hand (cases/measures.py says the
# same in Q objects): what the ORM's conditional aggregate is compared with.
RAW_BULLETIN_SQL = """
SELECT substr(g.code, 1, 9) AS street, count(*) AS due,
  count(*) FILTER (WHERE c.fed_back_at < %(end)s) AS handled,
  count(*) FILTER (WHERE c.fed_back_at < %(end)s AND c.fed_back_at <= c.deadline) AS handled_on_time,
  count(*) FILTER (WHERE c.closed_at < %(end)s) AS closed,
  count(*) FILTER (WHERE c.closed_at < %(end)s AND c.closed_at <= c.deadline) AS closed_on_time,
  count(*) FILTER (WHERE c.reworks > 0) AS reworked,
  count(*) FILTER (WHERE c.fed_back_at IS NULL OR c.fed_back_at >= %(end)s) AS overdue_open,
  count(*) FILTER (WHERE EXISTS (SELECT 1 FROM cases_caseevent e WHERE e.case_id = c.id
                                 AND e.action = 'approve_extension')) AS extended
FROM cases_case c JOIN grids_place g ON g.id = c.grid_id
WHERE g.code LIKE %(prefix)s AND c.dispatched_at IS NOT NULL AND c.dispatched_at < %(end)s
  AND c.status <> 'cancelled'
  AND ((c.deadline >= %(start)s AND c.deadline < %(end)s)
       OR (c.deadline < %(start)s AND (c.closed_at IS NULL OR c.closed_at >= %(start)s)))
GROUP BY 1 ORDER BY 1
"""
DUE_MEASURES = ("case.handling", "case.handling_on_time", "case.closing", "case.closing_on_time", "case.rework",
                "case.overdue_open", "case.extension")


def bulletins() -> dict:
    district = Place.objects.get(code=DISTRICT_CODE)
    month = Period.last_closed(Period.MONTH)
    quarter = Period.last_closed(Period.QUARTER)
    params = {"start": month.start_at, "end": month.end_at, "prefix": DISTRICT_CODE + "%"}

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(RAW_BULLETIN_SQL, params)
            return {row[0]: list(row[1:]) for row in cursor.fetchall()}

    def orm():
        rows = (Case.objects.filter(grid__code__startswith=DISTRICT_CODE).filter(due(month))
                .annotate(line=Substr("grid__code", 1, 9)).values("line")
                .annotate(d=Count("pk"), **{code.replace(".", "_"): Count("pk", filter=measures.get(code).numerator(month))
                                            for code in DUE_MEASURES}).order_by("line"))
        return {r["line"]: [r["d"], *(r[c.replace(".", "_")] for c in DUE_MEASURES)] for r in rows}

    raw()
    raw_ms, raw_runs = _median_ms(raw)
    orm_ms, orm_runs = _median_ms(orm)
    agree = raw() == orm()
    build = lambda: bulletin_services.bulletin_build(place=district, period=month, kind=Kind.BULLETIN)  # noqa: E731
    built = build()
    build_ms, build_runs = _median_ms(build, runs=3)
    ranking = lambda: bulletin_services.bulletin_build(place=district, period=quarter, kind=Kind.RANKING)  # noqa: E731
    ranked = ranking()
    ranking_ms, ranking_runs = _median_ms(ranking, runs=3)
    # Drill-down: the largest figure's denominator, page 1 and the deepest page up to 1,000.
    reader = User.objects.get(username=bench_usernames()["district_official"])  # reads the whole district
    biggest = (BulletinRow.objects.filter(bulletin=built).values("measure").annotate(n=Count("pk"))
               .order_by("-n").first())
    ids = list(BulletinRow.objects.filter(bulletin=built, measure=biggest["measure"]).order_by("-object_id")
               .values_list("object_id", flat=True))
    page = min(1000, max(1, len(ids) // bulletin_selectors.PAGE_SIZE))
    cursor = str(ids[(page - 1) * bulletin_selectors.PAGE_SIZE - 1]) if page > 1 else ""

    def drill(after):
        return lambda: bulletin_selectors.drill(reader, built, measure_code=biggest["measure"], unit=DISTRICT_CODE,
                                                numerator=False, after=after).rows

    first_ms, _r1 = _median_ms(drill(""))
    deep_ms, _r2 = _median_ms(drill(cursor))
    with CaptureQueriesContext(connection) as first_q:
        drill("")()
    with CaptureQueriesContext(connection) as deep_q:
        drill(cursor)()
    return {
        "month": month.key, "quarter": quarter.key, "raw_sql_ms": raw_ms, "orm_ms": orm_ms,
        "ratio": orm_ms / raw_ms, "agree": agree, "build_ms": build_ms, "ranking_ms": ranking_ms,
        "rows": built.rows_counted, "snapshot_bytes": len(json.dumps(built.snapshot, ensure_ascii=False).encode()),
        "ranking_rows": ranked.rows_counted,
        "ranking_snapshot_bytes": len(json.dumps(ranked.snapshot, ensure_ascii=False).encode()),
        "drill_measure": biggest["measure"], "drill_rows": len(ids), "drill_page": page,
        "drill_first_ms": first_ms, "drill_deep_ms": deep_ms,
        "drill_queries": [len(first_q.captured_queries), len(deep_q.captured_queries)],
        "runs": {"raw": raw_runs, "orm": orm_runs, "build": build_runs, "ranking": ranking_runs},
    }


def main() -> None:
    command = sys.argv[1]
    if command == "profile":
        return profile(json.loads(Path(sys.argv[2]).read_text()), *sys.argv[3:])
    spec = json.loads(Path(sys.argv[2]).read_text()) if len(sys.argv) > 2 else {}
    result = {"prepare": prepare, "aggregates": aggregates, "export": export, "dispatch": dispatch,
              "ledger_pdf": ledger_pdf,
              "bulletins": bulletins}.get(command)
    result = result() if result else {"queries": queries, "explain": explain, "indexes": indexes}[command](spec)
    print(json.dumps(result, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
