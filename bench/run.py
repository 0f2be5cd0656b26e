"""`make bench`: seed, serve, load, measure, compare with the budgets, write bench/results/.

    .venv/bin/python bench/run.py [--scales 0.1,1] [--duration 8] [--connections 4] [--threads 1]

Each scale lives in its own PostgreSQL database (wudu_bench_s0_1, wudu_bench_s1), seeded once and reused.
For each scale: gunicorn (2 workers, DEBUG off) on 127.0.0.1:PORT, wrk on every page with the sessions of the
bench users, the query count of every page in-process (bench/inproc.py), the daily report against raw SQL,
the Excel export's peak memory and the command center's dispatch throughput. Then the budgets, PASS/FAIL per line, JSON and markdown in bench/results/.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")

BUDGET_QUERIES = 12
# Throughput against the floor (a bare @login_required view) by the page's kind, set in bench/inproc.py prepare():
# a list renders tens of rows and may cost twice what one object's page or a JSON list does (issue 18 item 6).
KIND_FLOOR_RATIO = {"html_list": 0.15, "api_list": 0.3, "detail": 0.3, "post": 0.3}
BUDGET_REGRESSION = 0.15  # a page's floor ratio may not drop more than this against the previous run
BUDGET_AGGREGATE_RATIO = 1.5
BUDGET_BULLETIN_RATIO = 1.5
BUDGET_DEEP_RATIO = 1.2
BUDGET_EXPORT_MB = 150
BUDGET_PDF_SECONDS = 20  # the ledger's PDF of the district's week (issue 15: was 210 s)
BUDGET_GROWTH = 0.2  # a page's p50 over two scales: log(p50 ratio) / log(visit ratio); 1 is linear growth
BUDGET_GROWTH_AGGREGATE = 1.0  # a whole district's report or bulletin grows with the district: linear at most
# The weighted mix (bench/wrk/mix.lua): one wrk run drawing every request by weight, per page name. A district's
# morning: 1,800 grid workers patrol and record visits (a POST each) and open their terminal and patrol page;
# the command center and the departments work their queues and open cases; officials read the ledger and the
# district terminal now and then; the API (the city's dashboards, exports) least. Weights sum to 100.
MIX_WEIGHTS = {
    "visit POST": 30, "worker home (grid terminal)": 15, "patrol page": 15,
    "case center queue new": 8, "case center queue overdue": 4, "case department list": 6, "case detail": 8,
    "ledger page 1": 5, "ledger page 1000": 1, "district terminal": 2,
    "API places ?level=grid": 1, "API visits": 2, "API cases": 3,
}
MIX_CONNECTIONS = 4
# The mix is run twice: flat out (the node's capacity, reported) and paced, each connection waiting a random think
# time of MIX_THINK_MS on average before each request, which offers about a district's morning burst (~30 req/s:
# 4 connections / (110 ms + ~25 ms of service)). The budget is the paced run's p95: what users feel at the rate a
# district sends. See bench/README.md "Budgets" for how the bound was chosen. Caveat (measured): wrk reconnects
# before its think time and a sync worker blocks on that silent connection, which inflates the paced p95 against
# bare gunicorn (174 ms sync vs 62 ms gthread); production has nginx buffering requests in front.
MIX_THINK_MS = 110
BUDGET_MIX_P95_MS = 100


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def answers(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=3).close()
        return True
    except OSError:
        return False


def require_services(pg_url: str, redis_url: str) -> None:
    pg, redis = urlsplit(pg_url), urlsplit(redis_url)
    missing = []
    if not answers(pg.hostname, pg.port or 5432):
        missing.append(f"PostgreSQL at {pg.hostname}:{pg.port or 5432} — start it with "
                       "`sudo pg_ctlcluster 15 main start` (or `sudo service postgresql start`)")
    if not answers(redis.hostname, redis.port or 6379):
        missing.append(f"Redis at {redis.hostname}:{redis.port or 6379} — start it with "
                       "`sudo service redis-server start` (or `redis-server --daemonize yes`)")
    if not shutil.which("wrk"):
        missing.append("wrk — install it with `sudo apt-get install wrk` (make bench does)")
    if missing:
        print("make bench needs:\n  " + "\n  ".join(missing), file=sys.stderr)
        sys.exit(2)


def db_name(scale: float) -> str:
    return "wudu_bench_s" + f"{scale:g}".replace(".", "_")


def env_for(db_url: str, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"}}
    env.update(DATABASE_URL=db_url, DEBUG="False", WUDU_ENV="development", DJANGO_SETTINGS_MODULE="wudu.settings",
               LOG_LEVEL="WARNING", PYTHONWARNINGS="ignore", CELERY_BROKER_URL="", **extra)
    return env


def run(args: list[str], env: dict, *, capture: bool = False) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, text=True, check=True,
                            stdout=subprocess.PIPE if capture else None)
    return result.stdout if capture else ""


def inproc(command: str, env: dict, spec: Path | None = None) -> dict:
    out = run([PY, str(BENCH / "inproc.py"), command] + ([str(spec)] if spec else []), env, capture=True)
    return json.loads(out.strip().splitlines()[-1])


def create_db(pg_url: str, name: str) -> None:
    import psycopg2

    url = urlsplit(pg_url)
    conn = psycopg2.connect(host=url.hostname, port=url.port or 5432, user=url.username or None,
                            password=url.password or None, dbname="postgres", connect_timeout=5)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
            log(f"created database {name}")
    conn.close()


def pinned(cpus: str | None) -> list[str]:
    """The command prefix that pins a process (and the children it forks) to the given CPUs, e.g. "0"."""
    return ["taskset", "-c", cpus] if cpus else []


class Server:
    """gunicorn with 2 sync workers on 127.0.0.1:port, DEBUG off, pinned to `cpus` if given; stopped by its own pid."""

    def __init__(self, env: dict, port: int, workers: int, cpus: str | None = None):
        self.port = port
        self.logfile = open(RESULTS / f"gunicorn-{port}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [*pinned(cpus), GUNICORN, "wudu.wsgi:application", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
             "--log-level", "warning", "--timeout", "60"],
            cwd=ROOT, env=env, stdout=self.logfile, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.logfile.name}")
            if answers("127.0.0.1", port):
                return
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not start in 30 s")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.logfile.close()


def cookie(spec: dict, page: dict) -> str:
    return f"sessionid={spec['sessions'][page['user']]}; csrftoken={spec['csrf']}"


def check(port: int, spec: dict, page: dict) -> tuple[int, float]:
    """One request as wrk will send it: (status, milliseconds); the status must be 200/201, not a login redirect."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Cookie": cookie(spec, page), "X-CSRFToken": spec["csrf"]}
    if page.get("method") == "POST":
        headers.update({"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
        body = f"visit_type=patrol&client_id=00000000-0000-4000-a000-{int(time.time() * 1000) % 10**12:012d}"
        conn.request("POST", page["path"], body=body, headers=headers)
    else:
        conn.request("GET", page["path"], headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, (time.perf_counter() - started) * 1000


def drain(port: int, spec: dict, floor: dict, workers: int = 2) -> None:
    """Wait until requests left running by wrk (slow pages) are done: one floor request per worker at once,
    all quick, twice in a row (one quick answer only proves that one worker is free)."""
    from concurrent.futures import ThreadPoolExecutor

    deadline, quick = time.monotonic() + 120, 0
    with ThreadPoolExecutor(workers) as pool:
        while quick < 2 and time.monotonic() < deadline:
            times = list(pool.map(lambda _i: check(port, spec, floor)[1], range(workers)))
            quick = quick + 1 if max(times) < 50 else 0


def latencies(a: dict, b: dict) -> tuple[float, float, str] | None:
    """Two pages' latencies measured alike: p50 under load when wrk finished ≥10 requests of both, else the
    median of the sequential requests ("alone") of both."""
    if a.get("requests", 0) >= 10 and b.get("requests", 0) >= 10:
        return a["p50_ms"], b["p50_ms"], "p50"
    if a.get("single_ms") and b.get("single_ms"):
        return a["single_ms"], b["single_ms"], "alone"
    return None


def wrk(port: int, spec: dict, page: dict, *, duration: int, threads: int, connections: int,
        cpus: str | None = None) -> dict:
    url = f"http://127.0.0.1:{port}{page['path']}"
    env = dict(os.environ, BENCH_POST="1" if page.get("method") == "POST" else "0")
    args = [*pinned(cpus), "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
            "-s", str(BENCH / "wrk" / "report.lua"), "-H", f"Cookie: {cookie(spec, page)}",
            "-H", f"X-CSRFToken: {spec['csrf']}", url]
    out = subprocess.run(args, text=True, capture_output=True, env=env, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH_JSON "))
    return json.loads(line[len("BENCH_JSON "):])


def mix(port: int, spec: dict, *, duration: int, think_ms: int = 0) -> dict:
    """One wrk run of the weighted mix (MIX_WEIGHTS, bench/wrk/mix.lua): req/s and p50/p95/p99 of the whole, and
    p50/p95 and answers outside 2xx per page ("class")."""
    pages = [p for p in spec["pages"] if MIX_WEIGHTS.get(p["name"])]
    mix_file = RESULTS / f"mix-{port}.tsv"
    mix_file.write_text("".join(
        f"{MIX_WEIGHTS[p['name']]}\t{p.get('method', 'GET')}\t{p['path']}\t{cookie(spec, p)}\t{spec['csrf']}\n"
        for p in pages))
    args = ["wrk", f"-t{MIX_CONNECTIONS}", f"-c{MIX_CONNECTIONS}", f"-d{duration}s", "--timeout", "10s",
            "-s", str(BENCH / "wrk" / "mix.lua"), f"http://127.0.0.1:{port}/"]
    env = dict(os.environ, BENCH_MIX=str(mix_file), BENCH_MIX_THINK_MS=str(think_ms))
    out = subprocess.run(args, text=True, capture_output=True, env=env, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH_MIX_JSON "))
    result = json.loads(line[len("BENCH_MIX_JSON "):])
    result["classes"] = {pages[int(i) - 1]["name"]: dict(c, weight=MIX_WEIGHTS[pages[int(i) - 1]["name"]])
                         for i, c in result["classes"].items()}
    result.update(connections=MIX_CONNECTIONS, think_ms=think_ms, load=load_average())
    return result


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def bench_scale(scale: float, opts) -> dict:
    name = db_name(scale)
    db_url = opts.pg_url.rstrip("/") + "/" + name
    env = env_for(db_url, API_USER_RATE="1000000/minute", CONN_MAX_AGE=str(opts.conn_max_age))
    create_db(opts.pg_url, name)
    run([PY, "manage.py", "migrate", "--noinput", "-v0"], env)
    started = time.monotonic()
    seed_out = run([PY, "manage.py", "seed_bench", "--scale", f"{scale:g}"], env, capture=True).strip()
    log(seed_out)
    seed_seconds = None if seed_out.startswith("Already") else time.monotonic() - started
    spec = inproc("prepare", env)
    spec_path = RESULTS / f"spec-{name}.json"
    spec_path.write_text(json.dumps(spec, ensure_ascii=False, indent=1))
    log(f"scale {scale:g}: {spec['rows']['visits']:,} visits; counting queries")
    counts = inproc("queries", env, spec_path)
    pages = {}
    server = Server(env, opts.port, opts.workers)
    try:
        floor = spec["pages"][0]
        for page in spec["pages"]:
            drain(opts.port, spec, floor, opts.workers)
            status, _ms = check(opts.port, spec, page)
            if status not in (200, 201):
                log(f"  {page['name']}: HTTP {status} — skipped")
                pages[page["name"]] = {"status": status, "queries": counts[page["name"]]["queries"],
                                       "kind": page.get("kind")}
                continue
            single = statistics.median(check(opts.port, spec, page)[1] for _i in range(3))
            drain(opts.port, spec, floor, opts.workers)
            wrk(opts.port, spec, page, duration=1, threads=opts.threads, connections=opts.connections)  # warm
            drain(opts.port, spec, floor, opts.workers)
            result = wrk(opts.port, spec, page, duration=opts.duration, threads=opts.threads,
                         connections=opts.connections)
            result.update(status=status, single_ms=single, queries=counts[page["name"]]["queries"],
                          query_status=counts[page["name"]]["status"], path=page["path"], kind=page.get("kind"),
                          load=load_average())
            pages[page["name"]] = result
            log(f"  {page['name']}: {result['rps']:.1f} req/s, p50 {result['p50_ms']:.1f} ms, "
                f"p95 {result['p95_ms']:.1f} ms, alone {single:.1f} ms, {result['queries']} queries, "
                f"errors {result['errors']}")
        drain(opts.port, spec, floor, opts.workers)
        mixed = {}
        for label, think in (("flat_out", 0), ("paced", MIX_THINK_MS)):
            drain(opts.port, spec, floor, opts.workers)
            mixed[label] = m = mix(opts.port, spec, duration=opts.duration, think_ms=think)
            log(f"  weighted mix, {label}: {m['rps']:.1f} req/s, p50 {m['p50_ms']:.1f} ms, p95 {m['p95_ms']:.1f} ms "
                f"(load {m['load']})")
    finally:
        server.stop()
    scaleout = None
    if opts.scale_out and scale == max(float(x) for x in opts.scales.split(",")):
        log("scale-out: one vs two gunicorn instances, one vs two Celery workers")
        try:
            scaleout = scale_out(env, spec, opts, name)
        except Exception as error:  # noqa: BLE001 - reported in the results, the rest of the bench goes on
            log(f"  scale-out failed: {error!r}")
            scaleout = {"error": repr(error)}
    log("dispatch throughput: hotline cases registered, then dispatched one by one (in-process)")
    dispatch = inproc("dispatch", env)
    log(f"  {dispatch['cases']} cases: {dispatch['create_per_s']:.1f} created/s, {dispatch['dispatch_per_s']:.1f} "
        f"dispatched/s ({dispatch['dispatch_ms']:.1f} ms each, {dispatch['queries_per_dispatch']} queries)")
    log("aggregates: daily_report_build vs raw SQL (median of 5)")
    aggregates = inproc("aggregates", env)
    log("export: 100,000 ledger rows to Excel")
    export = inproc("export", env)
    log("export: the ledger's PDF for a grid's, a street's and the district's week")
    ledger_pdf = inproc("ledger_pdf", env)
    for name, p in ledger_pdf.items():
        log(f"  {name}: {p['rows']:,} rows, {p['pages']} pages, {p['seconds']:.1f} s")
    log("bulletins: the district's monthly bulletin and quarterly ranking; raw SQL; drill-down depth")
    bulletins = inproc("bulletins", env)
    log(f"  bulletin {bulletins['build_ms']:.0f} ms ({bulletins['rows']:,} rows, {bulletins['snapshot_bytes']:,} B), "
        f"ranking {bulletins['ranking_ms']:.0f} ms; due-case aggregates ORM {bulletins['orm_ms']:.1f} ms vs raw SQL "
        f"{bulletins['raw_sql_ms']:.1f} ms (agree: {bulletins['agree']}); drill-down page 1 "
        f"{bulletins['drill_first_ms']:.1f} ms, page {bulletins['drill_page']} {bulletins['drill_deep_ms']:.1f} ms")
    log("query plans")
    plans = inproc("explain", env, spec_path)
    (RESULTS / f"plans-{name}.txt").write_text(
        "\n\n".join(f"== {k} ({v['execution_ms']:.2f} ms)\n{v.get('sql', '')}\n{v['plan']}" for k, v in plans.items()))
    log("candidate indexes (created and rolled back)")
    candidates = inproc("indexes", env, spec_path)
    (RESULTS / f"indexes-{name}.txt").write_text("\n\n".join(
        f"== {label} — {query} ({v['execution_ms']:.2f} ms)\n{v['plan']}"
        for label, row in candidates.items() for query, v in row.items()))
    return {"scale": scale, "database": name, "rows": spec["rows"], "seed_seconds": seed_seconds,
            "postgres": spec["postgres"], "pages": pages, "mix": mixed, "aggregates": aggregates, "export": export,
            "ledger_pdf": ledger_pdf,
            "dispatch": dispatch, "bulletins": bulletins,
            "scale_out": scaleout,
            "plans_ms": {k: v["execution_ms"] for k, v in plans.items()},
            "candidate_indexes_ms": {label: {q: v["execution_ms"] for q, v in row.items()}
                                     for label, row in candidates.items()}}


CELERY = str(ROOT / ".venv" / "bin" / "celery")
SCALEOUT_PAGE = "worker home (grid terminal)"
SCALEOUT_TASKS = 40

ENQUEUE = """
import datetime, time
import django
django.setup()
from django.utils import timezone
from ledger.tasks import daily_report_build_task
days = [timezone.localdate() - datetime.timedelta(days=d) for d in range(2, 2 + {n})]
started = time.perf_counter()
results = [daily_report_build_task.delay(day.isoformat()) for day in days]
for r in results:
    r.get(timeout=600)
print(time.perf_counter() - started)
"""


WEB_CPUS, WRK_CPUS = "0", "1"  # scale-out, pinned: web instances and their PostgreSQL backends / the load generator


def pin_backends(pg_url: str, database: str, cpus: str) -> int:
    """Pin the PostgreSQL backends connected to `database` now (the web instances' persistent connections,
    CONN_MAX_AGE) to `cpus`. The postmaster and every other database's backends are left alone: the machine and
    its PostgreSQL are shared."""
    import psycopg2

    url = urlsplit(pg_url)
    conn = psycopg2.connect(host=url.hostname, port=url.port or 5432, user=url.username or None,
                            password=url.password or None, dbname="postgres", connect_timeout=5)
    with conn.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [database])
        pids = [row[0] for row in cursor.fetchall()]
    conn.close()
    done = sum(subprocess.run(["taskset", "-p", "-c", cpus, str(pid)], capture_output=True).returncode == 0
               for pid in pids)
    return done


def web_rps(env: dict, spec: dict, page: dict, opts, database: str, instances: int, *, pin: bool) -> dict:
    """req/s of `instances` gunicorn instances (opts.workers each) sharing 2 × opts.connections connections, one
    wrk per instance. Pinned: the instances and their PostgreSQL backends on WEB_CPUS, wrk on WRK_CPUS."""
    from concurrent.futures import ThreadPoolExecutor

    ports = [opts.port + i for i in range(instances)]
    connections = 2 * opts.connections // instances
    web, load = (WEB_CPUS, WRK_CPUS) if pin else (None, None)
    servers = [Server(env, port, opts.workers, cpus=web) for port in ports]
    try:
        floor = spec["pages"][0]
        for port in ports:  # warm: every worker loads the app and opens its database connection (then pinned)
            drain(port, spec, floor, opts.workers)
            wrk(port, spec, page, duration=1, threads=1, connections=connections, cpus=load)
        backends = pin_backends(opts.pg_url, database, WEB_CPUS) if pin else 0
        with ThreadPoolExecutor(instances) as pool:
            runs = list(pool.map(lambda port: wrk(port, spec, page, duration=opts.duration, threads=1,
                                                  connections=connections, cpus=load), ports))
    finally:
        for server in servers:
            server.stop()
    return {"rps": sum(r["rps"] for r in runs), "p95_ms": max(r["p95_ms"] for r in runs),
            "backends_pinned": backends, "load": load_average()}


def scale_out(env: dict, spec: dict, opts, database: str) -> dict:
    """One gunicorn vs two (same connections in total), and one Celery worker vs two, against one PostgreSQL and
    Redis. The web tier twice: pinned (instances and their PostgreSQL backends on CPU 0, wrk alone on CPU 1, so the
    load generator does not take the cores it measures) and unpinned (everything shares both cores, as before).
    On 2 cores there is no third core for a second instance: pinned, two instances on CPU 0 against one on CPU 0
    measures what running two shared-nothing instances costs, not what a second machine would add."""
    page = next(p for p in spec["pages"] if p["name"] == SCALEOUT_PAGE)
    out: dict = {"page": SCALEOUT_PAGE, "web_cpus": WEB_CPUS, "wrk_cpus": WRK_CPUS}
    for pin in (True, False):
        for instances in (1, 2):
            key = f"web_{'pinned' if pin else 'shared'}_{instances}"
            out[key] = web_rps(env, spec, page, opts, database, instances, pin=pin)
            log(f"  web, {'pinned' if pin else 'unpinned'}, {instances} instance(s): {out[key]['rps']:.1f} req/s, "
                f"p95 {out[key]['p95_ms']:.1f} ms, {out[key]['backends_pinned']} backends pinned (load {out[key]['load']})")
    broker = opts.redis_url.rsplit("/", 1)[0] + "/6"
    celery_env = dict(env, CELERY_BROKER_URL=broker, CELERY_RESULT_BACKEND=broker)
    run([CELERY, "-A", "wudu", "purge", "-f"], celery_env, capture=True)
    for count in (1, 2):
        workers = [subprocess.Popen([CELERY, "-A", "wudu", "worker", "--concurrency", "1", "--loglevel", "WARNING",
                                     "-n", f"bench{i}@%h"], cwd=ROOT, env=celery_env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for i in range(count)]
        try:
            time.sleep(6)  # workers connect and register
            seconds = float(run([PY, "-c", ENQUEUE.format(n=SCALEOUT_TASKS)], celery_env, capture=True).strip())
            out[f"celery_{count}_tasks_per_s"] = SCALEOUT_TASKS / seconds
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    worker.kill()
    log(f"  scale-out: daily reports {out['celery_1_tasks_per_s']:.2f} → {out['celery_2_tasks_per_s']:.2f} tasks/s "
        "with two Celery workers")
    return out


def machine() -> dict:
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal:"))
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"nproc": os.cpu_count(), "memory_gb": round(mem_kb / 1024 / 1024, 1), "cpu": cpu,
            "python": platform.python_version(), "kernel": platform.release()}


def floor_ratios(result: dict) -> dict[str, float]:
    """Each page's throughput over the floor's at one scale (pages wrk measured only)."""
    floor = result["pages"].get("floor", {}).get("rps")
    return {name: p["rps"] / floor for name, p in result["pages"].items()
            if floor and name != "floor" and p.get("rps")}


def previous_runs(directory: Path, scales: list[float]) -> dict[float, dict]:
    """For each scale, the floor ratios of the newest earlier run that measured it: the newest
    bench/results/<timestamp>.json (kept locally, ignored by git), else the committed bench/results/baseline.json
    (written by `--save-baseline`), so that a fresh clone compares with something."""
    candidates = sorted(directory.glob("[0-9]*T*.json"), reverse=True) + [directory / "baseline.json"]
    out: dict[float, dict] = {}
    for path in candidates:
        if len(out) == len(scales):
            break
        if not path.exists():
            continue
        data = json.loads(path.read_text())
        for r in data.get("results", []):
            if r["scale"] in scales and r["scale"] not in out:
                out[r["scale"]] = {"source": f"{path.name} ({data.get('when', '?')})", "ratios": floor_ratios(r)}
    return out


def budgets(results: list[dict], previous: dict[float, dict] | None = None) -> list[tuple[str, bool | None, str]]:
    """PASS (True), FAIL (False) or nothing to compare with (None) per budget line, with its figure."""
    lines: list[tuple[str, bool | None, str]] = []
    previous = previous or {}
    by_scale = {r["scale"]: r for r in results}
    for r in results:
        s = f"scale {r['scale']:g}"
        floor = r["pages"].get("floor", {}).get("rps")
        for name, p in r["pages"].items():
            q = p.get("queries")
            lines.append((f"{s} {name}: ≤{BUDGET_QUERIES} queries", q is not None and q <= BUDGET_QUERIES, f"{q}"))
            least = KIND_FLOOR_RATIO.get(p.get("kind"))
            if least is not None and floor and "rps" in p:
                ratio = p["rps"] / floor
                lines.append((f"{s} {name} ({p['kind']}): throughput ≥{least}× floor", ratio >= least,
                              f"{ratio:.2f}× ({p['rps']:.1f} / {floor:.1f} req/s)"))
        ratios, before = floor_ratios(r), previous.get(r["scale"])
        if before is None:
            lines.append((f"{s} floor ratios: no drop >{BUDGET_REGRESSION:.0%} against the previous run", None,
                          "no previous run"))
        else:
            for name, ratio in ratios.items():
                was = before["ratios"].get(name)
                label = f"{s} {name}: floor ratio drop ≤{BUDGET_REGRESSION:.0%} against the previous run"
                if was is None:
                    lines.append((label, None, f"{ratio:.2f}×; not in the previous run ({before['source']})"))
                    continue
                change = ratio / was - 1
                lines.append((label, change >= -BUDGET_REGRESSION,
                              f"{was:.2f}× → {ratio:.2f}× ({change:+.0%}; previous: {before['source']})"))
        mixed = r.get("mix") or {}
        if mixed.get("paced"):
            m = mixed["paced"]
            lines.append((f"{s} weighted mix at a district's morning rate: p95 ≤{BUDGET_MIX_P95_MS} ms (one node)",
                          m["p95_ms"] <= BUDGET_MIX_P95_MS,
                          f"{m['p95_ms']:.1f} ms at {m['rps']:.1f} req/s (p50 {m['p50_ms']:.1f} ms)"))
        if mixed.get("flat_out"):
            m = mixed["flat_out"]
            lines.append((f"{s} weighted mix flat out: the node's capacity (reported, no bound)", None,
                          f"{m['rps']:.1f} req/s, p50 {m['p50_ms']:.1f} ms, p95 {m['p95_ms']:.1f} ms"))
        first, deep = (r["pages"].get(k, {}) for k in ("ledger page 1", "ledger page 1000"))
        pair = latencies(first, deep)
        if pair:
            ratio = pair[1] / pair[0]
            lines.append((f"{s} ledger page 1000 p50 ≤{BUDGET_DEEP_RATIO}× page 1", ratio <= BUDGET_DEEP_RATIO,
                          f"{ratio:.2f}× ({pair[2]} {pair[1]:.1f} / {pair[0]:.1f} ms)"))
        a = r.get("aggregates")
        # The raw SQL computes the figures and writes nothing: it is compared with the report's own aggregate
        # queries. The whole build (which also replaces the day's ~700 stored reports) is shown beside it.
        if a:
            lines.append((f"{s} daily report aggregate ≤{BUDGET_AGGREGATE_RATIO}× raw SQL",
                          a["figures_ratio"] <= BUDGET_AGGREGATE_RATIO,
                          f"{a['figures_ratio']:.2f}× ({a['orm_figures_ms']:.1f} / {a['raw_sql_ms']:.1f} ms; the whole "
                          f"build with its writes {a['daily_report_build_ms']:.1f} ms)"))
        b = r.get("bulletins")
        if b:
            lines.append((f"{s} bulletin due-case aggregates ≤{BUDGET_BULLETIN_RATIO}× raw SQL (and agree)",
                          b["ratio"] <= BUDGET_BULLETIN_RATIO and b["agree"],
                          f"{b['ratio']:.2f}× ({b['orm_ms']:.1f} / {b['raw_sql_ms']:.1f} ms; the whole build with its "
                          f"{b['rows']:,} snapshot rows {b['build_ms']:.0f} ms, ranking {b['ranking_ms']:.0f} ms)"))
            lines.append((f"{s} bulletin drill-down page {b['drill_page']} ≤{BUDGET_DEEP_RATIO}× page 1",
                          b["drill_deep_ms"] <= BUDGET_DEEP_RATIO * b["drill_first_ms"]
                          and b["drill_queries"][0] == b["drill_queries"][1],
                          f"{b['drill_deep_ms'] / b['drill_first_ms']:.2f}× ({b['drill_deep_ms']:.1f} / "
                          f"{b['drill_first_ms']:.1f} ms, {b['drill_queries'][0]} queries each)"))
        e = r.get("export")
        if e:
            lines.append((f"{s} export {e['rows']:,} rows peak RSS <{BUDGET_EXPORT_MB} MB",
                          e["peak_rss_mb"] < BUDGET_EXPORT_MB, f"{e['peak_rss_mb']:.0f} MB"))
        p = (r.get("ledger_pdf") or {}).get("district-week")
        if p:
            lines.append((f"{s} ledger PDF of the district's week ≤{BUDGET_PDF_SECONDS} s", p["seconds"] <= BUDGET_PDF_SECONDS,
                          f"{p['seconds']:.1f} s ({p['rows']:,} rows, {p['pages']} pages)"))
    for small, large in pairwise(sorted(by_scale)):  # every pair of consecutive scales: 0.1 → 1, 1 → 10
        a, b = by_scale[small], by_scale[large]
        step = f"{small:g} → {large:g}"
        growth = math.log(b["rows"]["visits"] / a["rows"]["visits"])
        for name, pb in b["pages"].items():
            pa = a["pages"].get(name, {})
            if "queries" in pa and "queries" in pb:
                lines.append((f"{name}: same query count at scales {step}", pa["queries"] == pb["queries"],
                              f"{pa['queries']} / {pb['queries']}"))
            pair = latencies(pa, pb)
            if pair:
                exponent = math.log(pair[1] / pair[0]) / growth
                lines.append((f"{name}: growth exponent {step} ≤{BUDGET_GROWTH:g}", exponent <= BUDGET_GROWTH,
                              f"{exponent:.2f} ({pair[2]} {pair[0]:.1f} → {pair[1]:.1f} ms)"))
        if a.get("bulletins") and b.get("bulletins"):
            for key, label in (("build_ms", "monthly bulletin"), ("ranking_ms", "quarterly ranking")):
                e2 = math.log(b["bulletins"][key] / a["bulletins"][key]) / growth
                lines.append((f"{label} build (whole district): growth exponent {step} ≤{BUDGET_GROWTH_AGGREGATE:g}",
                              e2 <= BUDGET_GROWTH_AGGREGATE, f"{e2:.2f}"))
        if a.get("aggregates") and b.get("aggregates"):
            t = (b["aggregates"]["daily_report_build_ms"], a["aggregates"]["daily_report_build_ms"])
            exponent = math.log(t[0] / t[1]) / growth
            lines.append((f"daily report (whole district): growth exponent {step} ≤{BUDGET_GROWTH_AGGREGATE:g}",
                          exponent <= BUDGET_GROWTH_AGGREGATE, f"{exponent:.2f}"))
    return lines


def verdict(ok: bool | None) -> str:
    return {True: "PASS", False: "FAIL", None: "NOTE"}[ok]


def dispatch_line(d: dict | None) -> str:
    if not d:
        return ""
    return (f"Dispatch throughput (`case_dispatch()` in a loop over {d['cases']} filed cases, each step "
            f"committed with its notices): {d['dispatch_per_s']:.1f} transitions/s ({d['dispatch_ms']:.1f} ms each, "
            f"{d['queries_per_dispatch']} queries); registering them (hotline): {d['create_per_s']:.1f} cases/s.")


def think_note(m: dict) -> str:
    return f" (think time {m['think_ms']} ms)" if m.get("think_ms") else ""


def mix_table(mixed: dict | None) -> list[str]:
    if not mixed or "flat_out" not in mixed:
        return []
    runs = [(label, mixed[key]) for key, label in (("flat_out", "flat out"), ("paced", "paced")) if key in mixed]
    out = [f"Weighted mix on this node (one gunicorn, 2 workers; wrk -t{MIX_CONNECTIONS} -c{MIX_CONNECTIONS}, "
           "bench/wrk/mix.lua): " + "; ".join(
               f"{label}{think_note(m)} "
               f"**{m['rps']:.1f} req/s, p50 {m['p50_ms']:.1f} ms, p95 {m['p95_ms']:.1f} ms**, p99 {m['p99_ms']:.1f} ms, "
               f"socket errors {sum(m['errors'].values())} (load average {m['load']})" for label, m in runs) + ".", "",
           "| class | weight | " + " | ".join(f"{label}: requests | p50 ms | p95 ms | not 2xx" for label, _m in runs)
           + " |", "|---|---:|" + "---:|---:|---:|---:|" * len(runs)]
    for name, c in sorted(runs[0][1]["classes"].items(), key=lambda kv: -kv[1]["weight"]):
        cells = []
        for _label, m in runs:
            k = m["classes"].get(name, {"requests": 0, "p50_ms": 0, "p95_ms": 0, "non_2xx": 0})
            cells.append(f"{k['requests']} | {k['p50_ms']:.1f} | {k['p95_ms']:.1f} | {k['non_2xx']}")
        out.append(f"| {name} | {c['weight']} | " + " | ".join(cells) + " |")
    return [*out, ""]


def scale_out_table(scale: float, so: dict) -> list[str]:
    rows = []
    for mode, label in (("pinned", f"pinned: web + its PostgreSQL backends on CPU {so['web_cpus']}, wrk on CPU "
                                    f"{so['wrk_cpus']}"),
                        ("shared", "unpinned: web, PostgreSQL and wrk share both cores")):
        one, two = so[f"web_{mode}_1"], so[f"web_{mode}_2"]
        rows.append(f"| web, {label} (req/s, p95 ms) | {one['rps']:.1f}, {one['p95_ms']:.1f} | "
                    f"{two['rps']:.1f}, {two['p95_ms']:.1f} | {two['rps'] / one['rps']:.2f}× | "
                    f"{one['load']} / {two['load']} |")
    return [f"## Scale-out at scale {scale:g} (one PostgreSQL, one Redis, this one 2-core machine)", "",
            f"Web: {so['page']}, gunicorn instances of 2 workers each, the same connections in total.", "",
            "| tier | one | two | ratio | load average |", "|---|---:|---:|---:|---|", *rows,
            f"| workers: daily reports built ({SCALEOUT_TASKS} days, tasks/s) | {so['celery_1_tasks_per_s']:.2f} | "
            f"{so['celery_2_tasks_per_s']:.2f} | {so['celery_2_tasks_per_s'] / so['celery_1_tasks_per_s']:.2f}× | |",
            "", "Pinned, both instances run on the one core the single instance had: the ratio is what two "
            "shared-nothing instances cost against one (about 1.0× means no shared state in the way), not what a "
            "second machine would add — this box has no third core to give it. See docs/scale.md.", ""]


def markdown(results: list[dict], lines, info: dict) -> str:
    m = info["machine"]
    out = [f"# make bench — {info['when']}", "",
           f"Machine: {m['nproc']} cores ({m['cpu']}), {m['memory_gb']} GB RAM, PostgreSQL {results[0]['postgres']}, "
           f"Python {m['python']}; gunicorn {info['workers']} sync workers, wrk -t{info['threads']} "
           f"-c{info['connections']} -d{info['duration']}s per page, CONN_MAX_AGE={info['conn_max_age']}.", "",
           "p50/p95 under load; \"—\" when no request finished within the run. \"alone\": median of 3 sequential "
           "requests, used for the page-1,000 and growth budgets (for both sides) where wrk finished fewer than 10.", ""]
    for r in results:
        out += [f"## Scale {r['scale']:g} — {r['rows']['visits']:,} visits, {r['rows']['patrols']:,} patrols, "
                f"{r['rows'].get('cases', 0):,} cases, {r['rows']['grids']} grids"
                + (f" (seeded in {r['seed_seconds']:.0f} s)" if r["seed_seconds"] else ""),
                "", "| page | kind | req/s | × floor | p50 ms | p95 ms | alone ms | queries | errors | load |",
                "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
        floor = r["pages"].get("floor", {}).get("rps")
        for name, p in r["pages"].items():
            if "rps" not in p:
                out.append(f"| {name} | {p.get('kind', '')} | HTTP {p['status']} | | | | | {p['queries']} | | |")
                continue
            errors = sum(p["errors"].values())
            ratio = f"{p['rps'] / floor:.2f}" if floor else ""
            p50 = f"{p['p50_ms']:.1f}" if p["requests"] else "—"
            p95 = f"{p['p95_ms']:.1f}" if p["requests"] else "—"
            out.append(f"| {name} | {p.get('kind', '')} | {p['rps']:.1f} | {ratio} | {p50} | {p95} | "
                       f"{p['single_ms']:.1f} | {p['queries']} | {errors} | {p.get('load', '')} |")
        a, e = r["aggregates"], r["export"]
        out += ["", f"Daily report for {a['day']} (whole district): daily_report_build {a['daily_report_build_ms']:.1f} ms "
                f"(its INSERT's SELECT alone, the ORM's figure queries composed, {a['orm_figures_ms']:.1f} ms; the rest upserting "
                f"the stored reports) vs one "
                f"raw SQL statement computing the same figures {a['raw_sql_ms']:.1f} ms → aggregate "
                f"{a['figures_ratio']:.2f}× (whole build {a['ratio']:.2f}×); figures agree: "
                f"{a['agree']}.",
                f"Excel export of {e['rows']:,} ledger rows: {e['seconds']:.1f} s, {e['bytes'] / 1e6:.1f} MB file, "
                f"peak RSS {e['peak_rss_mb']:.0f} MB (process baseline {e['baseline_rss_mb']:.0f} MB).",
                "Ledger PDF (last week with visits): " + "; ".join(
                    f"{name} {p['seconds']:.1f} s ({p['rows']:,} rows, {p['pages']} pages)"
                    for name, p in (r.get("ledger_pdf") or {}).items()) + ".",
                dispatch_line(r.get("dispatch")), ""]
        out += mix_table(r.get("mix"))
    for r in results:
        so = r.get("scale_out")
        if so and "error" not in so:
            out += scale_out_table(r["scale"], so)
        elif so:
            out += [f"Scale-out at scale {r['scale']:g} failed: {so['error']}", ""]
    for r in results:
        if r.get("candidate_indexes_ms"):
            queries_ = list(next(iter(r["candidate_indexes_ms"].values())))
            out += [f"## Candidate indexes at scale {r['scale']:g} (EXPLAIN ANALYZE ms; created and rolled back)", "",
                    "| index | " + " | ".join(queries_) + " |", "|---|" + "---:|" * len(queries_)]
            out += [f"| {label} | " + " | ".join(f"{row[q]:.1f}" for q in queries_) + " |"
                    for label, row in r["candidate_indexes_ms"].items()]
            out.append("")
    out += ["## Budgets", "", "| budget | result | figure |", "|---|---|---|"]
    out += [f"| {name} | {'**FAIL**' if ok is False else verdict(ok)} | {figure} |" for name, ok, figure in lines]
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default=os.environ.get("BENCH_SCALES", "0.1,1"))
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 8)))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8765)))
    parser.add_argument("--conn-max-age", type=int, default=60)
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--save-baseline", action="store_true",
                        help="also write bench/results/baseline.json (committed): the floor ratios a fresh clone's "
                             "first run is compared with")
    parser.add_argument("--no-scale-out", dest="scale_out", action="store_false",
                        help="skip the one-vs-two gunicorn and Celery worker run")
    opts = parser.parse_args()
    opts.duration = min(opts.duration, 10)  # bounded: no load longer than 10 s
    require_services(opts.pg_url, opts.redis_url)
    RESULTS.mkdir(exist_ok=True)
    scales = [float(s) for s in opts.scales.split(",")]
    results = [bench_scale(scale, opts) for scale in scales]
    lines = budgets(results, previous_runs(RESULTS, scales))
    when = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    info = {"when": when, "machine": machine(), "workers": opts.workers, "threads": opts.threads,
            "connections": opts.connections, "duration": opts.duration, "conn_max_age": opts.conn_max_age}
    stamp = datetime.datetime.now().strftime("%Y%m%dT%H%M%S")
    (RESULTS / f"{stamp}.json").write_text(json.dumps(
        {**info, "results": results, "budgets": [{"budget": n, "pass": ok, "figure": f} for n, ok, f in lines]},
        ensure_ascii=False, indent=1))
    if opts.save_baseline:
        keep = ("kind", "rps", "p50_ms", "p95_ms", "single_ms", "queries")
        (RESULTS / "baseline.json").write_text(json.dumps(
            {"when": when, "machine": info["machine"], "results": [
                {"scale": r["scale"], "rows": r["rows"],
                 "pages": {n: {k: p[k] for k in keep if k in p} for n, p in r["pages"].items()},
                 "mix": {label: {k: v for k, v in m.items() if k != "classes"} for label, m in (r.get("mix") or {}).items()}}
                for r in results]}, ensure_ascii=False, indent=1) + "\n")
    table = markdown(results, lines, info)
    (RESULTS / "latest.md").write_text(table)
    print()
    print(table)
    for name, ok, figure in lines:
        print(f"{verdict(ok)}  {name}: {figure}")
    print(f"\nResults: bench/results/{stamp}.json, bench/results/latest.md; plans: bench/results/plans-*.txt")


if __name__ == "__main__":
    main()
