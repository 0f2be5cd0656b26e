# 网格通 — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PY_SYS ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
APT_PACKAGES := chromium fonts-noto-cjk gettext nodejs npm
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup venv system vendor migrate messages createdb demo lint clean

## setup: everything a fresh machine needs (idempotent; fast when already done)
setup: system venv vendor messages

# System packages: chromium (browser tests), CJK fonts, gettext (compilemessages), node/npm (vendoring), nginx
# (tests/test_media.py checks deploy/nginx.conf with `nginx -t`; the service is not started), postgresql-client
# (pg_dump/pg_restore for `make backup` / `make restore`), redis-server (the outbox's live tests start a Redis of
# their own on a spare port, tests/celery_live/test_outbox_live.py).
system:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	[ -d /usr/share/fonts/opentype/noto ] || missing="$$missing fonts-noto-cjk"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	[ -x /usr/sbin/nginx ] || missing="$$missing nginx-light"; \
	command -v openssl >/dev/null || missing="$$missing openssl"; \
	command -v pg_dump >/dev/null || missing="$$missing postgresql-client"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	for lib in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; do dpkg -s $$lib >/dev/null 2>&1 || missing="$$missing $$lib"; done; \
	$(PY_SYS) -c 'import ensurepip' 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PY_SYS) -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check -r requirements.txt
	touch $@

## vendor: front-end libraries from the npm registry into static/vendor (served locally, no CDN); Bootstrap's CSS
## cut down to the classes the pages use (tools/bootstrap-subset.mjs), made again when a template, a script or a
## Python file changes
BOOTSTRAP_CSS := static/vendor/bootstrap/bootstrap.min.css
SUBSET_CONTENT = $(shell find templates static/js static/bulletins */templates \( -name '*.html' -o -name '*.js' \) 2>/dev/null) \
	$(shell find . \( -path ./.venv -o -path ./node_modules -o -path ./tests -o -path ./static \) -prune -o -name '*.py' -print)
vendor: static/vendor/.installed $(BOOTSTRAP_CSS)
$(BOOTSTRAP_CSS): static/vendor/.installed tools/bootstrap-subset.mjs $(SUBSET_CONTENT)
	node tools/bootstrap-subset.mjs node_modules/bootstrap/dist/css/bootstrap.min.css $@
static/vendor/.installed: package.json package-lock.json Makefile
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf static/vendor && mkdir -p static/vendor/bootstrap static/vendor/leaflet static/vendor/echarts
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map \
	   static/vendor/bootstrap/
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map node_modules/leaflet/dist/leaflet.css \
	   node_modules/leaflet/dist/images static/vendor/leaflet/
	cp node_modules/echarts/dist/echarts.min.js static/vendor/echarts/
	touch $@

# Compile the translation catalogues, if there are any yet (compilemessages fails when it finds none).
messages: venv
	@if find . \( -path ./.venv -o -path ./node_modules \) -prune -o -name '*.po' -print | grep -q .; then \
	  $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0; \
	else \
	  echo "No translation catalogues (.po) yet: nothing to compile."; \
	fi

# On PostgreSQL, create the configured database if it does not exist (SQLite creates its file itself).
define CREATEDB_PY
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wudu.settings")
from django.conf import settings
db = settings.DATABASES["default"]
if db["ENGINE"] == "django.db.backends.postgresql":
    import psycopg2
    from psycopg2 import sql
    conn = psycopg2.connect(dbname="postgres", host=db["HOST"] or None, port=db["PORT"] or None,
                            user=db["USER"] or None, password=db["PASSWORD"] or None, connect_timeout=10)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            print(f"Created PostgreSQL database {db['NAME']}")
    conn.close()
endef
export CREATEDB_PY

createdb: venv
	@$(PY) -c "$$CREATEDB_PY"

migrate: setup createdb
	$(PY) manage.py migrate --noinput -v0

demo: migrate
	$(PY) manage.py load_demo
	$(PY) manage.py load_demo_history
	$(PY) manage.py load_demo_party
	$(PY) manage.py load_demo_bulletins

## run: set up, migrate, load the demo district and serve on http://$(HOST):$(PORT) at once; the demo's history
## (90 days of patrols and cases, the bulletins) fills in behind the serving site, its progress on the signed-in pages
## (log: var/demo-fill.log). A Celery worker, beat (the case timers every 15 minutes, the daily report …) and the
## outbox relay run beside it (logs in var/celery-*.log) and stop with it (Ctrl-C): on CELERY_BROKER_URL when it is
## set (environment or .env), else on the embedded broker, a folder in var/broker (EMBEDDED_BROKER, wudu/broker.py).
## Debug pages only with DEBUG=on.
run: migrate staticfiles/.collected
	$(PY) manage.py load_demo
	@export EMBEDDED_BROKER=$${EMBEDDED_BROKER:-on}; mkdir -p var; \
	broker=$$(DJANGO_SETTINGS_MODULE=wudu.settings $(PY) -c 'from django.conf import settings; print(settings.CELERY_BROKER_URL)'); \
	trap 'kill $$(jobs -p) 2>/dev/null; wait; echo "Stopped the demo loader, the Celery worker, beat and the outbox relay."' EXIT; \
	trap 'exit 130' INT TERM; \
	if [ -n "$$broker" ]; then \
	  echo "Starting a Celery worker, beat and the outbox relay beside the web server (logs in var/celery-*.log)"; \
	  VENV=$(VENV) bash scripts/run_tasks.sh var & \
	fi; \
	echo "Adding the demo history behind the server (progress on the signed-in pages, log in var/demo-fill.log)"; \
	$(PY) manage.py load_demo_in_background > var/demo-fill.log 2>&1 & \
	$(PY) manage.py runserver $(HOST):$(PORT)

# The static files as production serves them (hashed names, gzip and brotli copies, a year's cache; wudu/static.py),
# collected again only when a source file changed.
STATIC_SOURCES = $(shell find static \( -path static/vendor -prune -o -type f -print \)) static/vendor/.installed $(BOOTSTRAP_CSS)
staticfiles/.collected: $(STATIC_SOURCES)
	$(PY) manage.py collectstatic --noinput -v0
	touch $@

## test: set up, then the whole suite on SQLite; again on PostgreSQL and with a real Celery worker where they answer
test: setup
	bash tests/run.sh

## backup: the database (pg_dump, or SQLite's backup API), MEDIA_ROOT and a manifest of checksums into
## BACKUP_DIR/<UTC time>/ (default var/backups); the environment (DATABASE_URL, MEDIA_ROOT) says what to back up.
## restore: the newest backup (or BACKUP=var/backups/<time>) into an empty database and MEDIA_ROOT, checked
## against its manifest before and after (the database is created if missing); FORCE=1 replaces a database that
## is not empty. See deploy/README.md.
.PHONY: backup restore
backup: venv
	$(PY) manage.py backup
restore: venv createdb
	$(PY) manage.py restore $(BACKUP) $(if $(FORCE),--force)

lint: system venv
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles db.sqlite3 var

## bench: seed scales 0.1 and 1 into wudu_bench_* on PostgreSQL, load every page with wrk under gunicorn,
## print the table and the budgets (PASS/FAIL); results in bench/results/ (see bench/README.md)
.PHONY: bench
BENCH_ARGS ?=
bench: venv messages
	@command -v wrk >/dev/null || { \
	  echo "Installing wrk (HTTP load generator)"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
	$(PY) bench/run.py $(BENCH_ARGS)

## serve: the production layout on one machine — gunicorn, a Celery worker and beat (database scheduler), the outbox relay,
## static files by WhiteNoise, JSON logs, /healthz. PostgreSQL and Redis come from DATABASE_URL and
## CELERY_BROKER_URL (defaults: this machine's); SECRET_KEY is generated once into var/secret-key when unset.
## On plain http://127.0.0.1 the session cookie cannot be "secure" and nothing answers HTTPS: SESSION_COOKIE_SECURE
## and SECURE_SSL_REDIRECT are off here; behind TLS, leave them on (see deploy/README.md). Ctrl-C stops all three.
.PHONY: serve
SERVE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/wudu
SERVE_BROKER_URL ?= redis://127.0.0.1:6379/0
WEB_WORKERS ?= 2
serve: setup
	@mkdir -p var; \
	[ -s var/secret-key ] || $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > var/secret-key; \
	export WUDU_ENV=production DEMO_MODE=off DEBUG=off LOG_FORMAT=json SESSION_COOKIE_SECURE=$${SESSION_COOKIE_SECURE:-off} \
	  SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-off} \
	  SECRET_KEY=$${SECRET_KEY:-$$(cat var/secret-key)} ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} \
	  DATABASE_URL=$${DATABASE_URL:-$(SERVE_DATABASE_URL)} CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(SERVE_BROKER_URL)}; \
	$(PY) -c "$$CREATEDB_PY" && $(PY) manage.py migrate --noinput -v0 && $(PY) manage.py collectstatic --noinput -v0 \
	  && $(PY) manage.py check --deploy --fail-level ERROR -v0 || exit 1; \
	$(VENV)/bin/celery -A wudu worker -l INFO --concurrency 2 -n wudu-serve@%h > var/serve-worker.log 2>&1 & \
	$(VENV)/bin/celery -A wudu beat -l INFO --pidfile= > var/serve-beat.log 2>&1 & \
	$(PY) manage.py outbox_relay > var/serve-outbox-relay.log 2>&1 & \
	trap 'kill $$(jobs -p) 2>/dev/null; wait; echo "worker, beat and outbox relay stopped"' EXIT; trap 'exit 130' INT TERM; \
	echo "Serving the production layout on http://$(HOST):$(PORT)/ (logs: var/serve-*.log); create an account with"; \
	echo "  WUDU_ENV=production ... $(PY) manage.py createsuperuser"; \
	$(VENV)/bin/gunicorn wudu.wsgi:application --bind $(HOST):$(PORT) --workers $(WEB_WORKERS) --access-logfile - \
	  --logger-class wudu.gunicorn.RedactingLogger \
	  --error-logfile - --timeout 60
