#!/usr/bin/env bash
# The tasks beside `make run`'s web server: a Celery worker, beat (django-celery-beat's database scheduler: the case
# timers, the daily report …) and the outbox relay, on the configured broker (`make run` chooses the embedded one,
# a folder in var/broker, when no CELERY_BROKER_URL is given). Logs in the folder given (default var/). Ctrl-C or
# SIGTERM ends all three (the worker finishes the task in hand). tests/ops/test_run_tasks.py starts it too.
set -u
cd "$(dirname "$0")/.."
LOGS=${1:-var}
VENV=${VENV:-.venv}
mkdir -p "$LOGS"
"$VENV/bin/celery" -A wudu worker -l info --concurrency 2 -n "wudu-run-$$@%h" > "$LOGS/celery-worker.log" 2>&1 &
"$VENV/bin/celery" -A wudu beat -l info --pidfile= > "$LOGS/celery-beat.log" 2>&1 &
"$VENV/bin/python" manage.py outbox_relay > "$LOGS/celery-outbox-relay.log" 2>&1 &
trap 'kill $(jobs -p) 2>/dev/null; wait' EXIT
trap 'exit 143' TERM INT
wait
