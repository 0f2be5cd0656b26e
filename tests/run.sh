#!/usr/bin/env bash
# The whole suite on SQLite; then on PostgreSQL and with a real Celery worker where they answer.
#
#   sqlite       every test except celery_live, on SQLite with eager Celery (always); the browser journeys only when
#                PostgreSQL does not answer (see "Where the browser journeys run" below)
#   postgres     every test except celery_live again, on PostgreSQL      (when 127.0.0.1:5432 answers)
#   celery_live  a real worker and beat on Redis, on PostgreSQL          (when both answer)
#
# Extra arguments go to every pytest run (e.g. `bash tests/run.sh -k health`). Environment:
#   TEST_WORKERS          pytest-xdist workers (default 2; 0 runs in one process)
#   TEST_DATABASE_URL     PostgreSQL for the second phase (default postgres://postgres@127.0.0.1:5432/wudu;
#                         pytest-django creates and drops test_<name>, test_<name>_gw0, … beside it)
#   TEST_BROKER_URL       Redis for the live Celery phase (default redis://127.0.0.1:6379/5, purged there)
#   TEST_DB_TEMPLATE=0    migrate each process's test database instead of copying a template (tests/db_template.py:
#                         the templates are wudu-test-db-<key>.sqlite3 in $TMPDIR and test_<name>_tpl_<key> beside
#                         the test databases, kept for the next run of the same schema)
#   REQUIRE_SERVICES=1    a phase skipped because PostgreSQL or Redis does not answer is a failure (CI sets it)
set -uo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
PG_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/wudu}
BROKER_URL=${TEST_BROKER_URL:-redis://127.0.0.1:6379/5}
WORKERS=${TEST_WORKERS:-2}
LOCK=${TMPDIR:-/tmp}/wudu-tests-services.lock

XDIST=()
# loadgroup: spread tests over the workers, but keep an xdist_group (e.g. the demo district) on one.
[ "$WORKERS" -gt 0 ] && XDIST=(-n "$WORKERS" --dist loadgroup)

# Settings come from the environment: start each phase from a known one, whatever the caller exported.
# (.env, if present, still fills in what is not set here.)
# Bytecode is written (PYTHONDONTWRITEBYTECODE unset): the project's modules and pytest's assertion-rewritten test
# modules are compiled once, by the SQLite phase's workers, and reused by every later process (the other phases'
# workers, the servers and workers the tests start). Without it each process compiled them again: a worker's start
# (collecting the suite) took 37 s of CPU instead of 19.
CLEAN_ENV=(env -u PYTHONDONTWRITEBYTECODE
           -u DATABASE_URL -u CELERY_BROKER_URL -u CELERY_RESULT_BACKEND -u CACHE_URL -u DEMO_MODE -u DEBUG
           -u ALLOWED_HOSTS -u SECRET_KEY -u HEARTBEAT_SECONDS -u EMBEDDED_BROKER -u CASE_TIMERS_SECONDS WUDU_ENV=test)
[ -f .env ] && echo "note: .env is present; its values apply wherever tests/run.sh sets none"

declare -a SUMMARY=()
FAILED=0

pretty_time() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# phase NAME EMPTY_OK -- ENV... -- PYTEST_ARGS...: run pytest and record one summary line.
phase() {
    local name=$1 empty_ok=$2; shift 3
    local envs=()
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    echo
    echo "=== $name: pytest $* ==="
    local start=$SECONDS rc=0
    "${CLEAN_ENV[@]}" "${envs[@]}" .venv/bin/pytest "$@" || rc=$?
    local took
    took=$(pretty_time $((SECONDS - start)))
    local line
    if [ "$rc" -eq 0 ]; then
        line="passed ($took)"
    elif [ "$rc" -eq 5 ] && [ "$empty_ok" = yes ]; then
        line="no tests selected ($took)"
    else
        line="FAILED: pytest exit code $rc ($took)"
        FAILED=1
    fi
    SUMMARY+=("$(printf '%-12s %s' "$name" "$line")")
    echo "=== $name: $line ==="
}

skipped() {
    local line="skipped: $2"
    if [ "${REQUIRE_SERVICES:-0}" = 1 ]; then
        line="FAILED: $line (REQUIRE_SERVICES=1)"
        FAILED=1
    fi
    SUMMARY+=("$(printf '%-12s %s' "$1" "$line")")
    echo
    echo "=== $1: $line ==="
}

redact() { sed -E 's#//[^@/]*@#//#' <<<"$1"; }  # no credentials in the output

pg_answers() {
    "$PY" - "$PG_URL" >/dev/null 2>&1 <<'EOF'
import sys
from urllib.parse import unquote, urlsplit

import psycopg2

url = urlsplit(sys.argv[1])
psycopg2.connect(
    host=url.hostname, port=url.port or 5432, user=unquote(url.username or "") or None,
    password=unquote(url.password or "") or None, dbname="postgres", connect_timeout=3,
).close()
EOF
}

redis_answers() {
    "$PY" - "$BROKER_URL" >/dev/null 2>&1 <<'EOF'
import sys

import redis

redis.Redis.from_url(sys.argv[1], socket_connect_timeout=3, socket_timeout=3).ping()
EOF
}

# With extra arguments (-k, a path), a phase may legitimately select nothing.
EMPTY_OK=no
[ $# -gt 0 ] && EMPTY_OK=yes
TOTAL_START=$SECONDS

# Where the browser journeys run (tests/browser, marker `browser`): once, in the PostgreSQL phase when PostgreSQL
# answers, else in the SQLite phase. They drive Chromium through the pages against a live server (phone capture,
# offline sync, the case loop, drill-down): what they prove is the pages, scripts and service worker, the same code
# on either database; what is database-specific under them (the services, the gate, the queries) is tested by the
# rest of the suite in both phases. Run in both phases they cost the SQLite phase some 100 s of CPU (16 live-server
# journeys, each building its cast in a transactional test, and Chromium) plus their waits on the pages, and prove
# nothing more there; the PostgreSQL phase is the one closer to production. Without PostgreSQL (a newcomer's first
# `make test`) they still run, on SQLite.
# (The schema fuzz is run once likewise, in the SQLite phase: tests/api/test_schema_fuzz.py says why.)
#
# Two more families run in one phase only, to keep `make test` within CI's budget (25 minutes on two cores):
#   once       tests of minutes that prove no more run twice: the ledger split's migration test (the whole schema
#              taken back and forward again, ~2 minutes) runs where the browser journeys do.
#   rendering  the scope matrix's cases read through a page or the admin (some 10,000 of its 24,000): the gate's
#              decision and its SQL are the service's and the API's (`visible_to`), which the PostgreSQL phase runs
#              for every role, place, resource and action; what a page or the admin adds is Python (forms, templates,
#              the admin's changelist), the same on either database, and the rest of the suite runs the pages on
#              PostgreSQL. They run in the SQLite phase.
PG_UP=no
pg_answers && PG_UP=yes
SQLITE_MARKS="not celery_live"
if [ "$PG_UP" = yes ]; then
    SQLITE_MARKS="not celery_live and not browser and not once"
    echo "note: PostgreSQL answers, so the browser journeys and the 'once' tests run in the postgres phase only"
fi

# The test databases are copies of a template migrated once per schema (tests/db_template.py). PostgreSQL's is made
# beside the SQLite phase, which needs one core for its own template while its second worker waits: the PostgreSQL
# and live Celery phases then start on a copy instead of migrating.
PREBUILD=""
if [ "$PG_UP" = yes ] && [ "${TEST_DB_TEMPLATE:-1}" != 0 ]; then
    PREBUILD_LOG=$(mktemp)
    "${CLEAN_ENV[@]}" DATABASE_URL="$PG_URL" CELERY_BROKER_URL= DJANGO_SETTINGS_MODULE=wudu.settings \
        "$PY" -m tests.db_template >"$PREBUILD_LOG" 2>&1 &
    PREBUILD=$!
fi

phase sqlite "$EMPTY_OK" -- DATABASE_URL="sqlite:///$PWD/db.sqlite3" CELERY_BROKER_URL= -- \
    tests -q -p no:randomly -m "$SQLITE_MARKS" "${XDIST[@]}" "$@"

if [ "$PG_UP" = yes ] || pg_answers; then
    # One run at a time per machine may use the shared test database names and the broker database.
    exec 9>"$LOCK"
    if ! flock -n 9; then
        echo "Another test run is using PostgreSQL/Redis; waiting for it (lock $LOCK)…"
        flock -w 1800 9 || { echo "gave up waiting for $LOCK"; exit 1; }
    fi
    if [ -n "$PREBUILD" ] && ! wait "$PREBUILD"; then  # not fatal: the first test process migrates it instead
        echo "note: making the PostgreSQL template beforehand failed:"; tail -n 20 "$PREBUILD_LOG"
    fi
    [ -n "$PREBUILD" ] && rm -f "$PREBUILD_LOG"
    # The `sqlite_only` tests drive `make run`'s stack on a copy of the SQLite test database: the SQLite phase ran them.
    PG_MARKS="not celery_live and not sqlite_only and not rendering"
    phase postgres "$EMPTY_OK" -- DATABASE_URL="$PG_URL" CELERY_BROKER_URL= -- \
        tests -q -p no:randomly -m "$PG_MARKS" --create-db "${XDIST[@]}" "$@"
    if redis_answers; then
        phase celery_live "$EMPTY_OK" -- DATABASE_URL="$PG_URL" CELERY_BROKER_URL="$BROKER_URL" -- \
            tests/celery_live -q -p no:randomly -m celery_live --create-db "$@"
    else
        skipped celery_live "Redis does not answer at $(redact "$BROKER_URL")"
    fi
    flock -u 9
else
    skipped postgres "PostgreSQL does not answer at $(redact "$PG_URL")"
    skipped celery_live "needs PostgreSQL"
fi

echo
echo "=== summary ($(pretty_time $((SECONDS - TOTAL_START)))) ==="
printf '%s\n' "${SUMMARY[@]}"
exit $FAILED
