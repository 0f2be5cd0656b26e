#!/usr/bin/env bash
# The whole suite on SQLite; then on PostgreSQL and with a real Celery worker where they answer.
set -euo pipefail
cd "$(dirname "$0")/.."
export WUDU_ENV=test
.venv/bin/pytest tests -q -p no:randomly
