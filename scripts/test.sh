#!/usr/bin/env bash
# make test: installs what the tests need, reuses or starts PostgreSQL and Redis,
# runs the quick checks, then the whole pytest suite on PostgreSQL.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

STARTED_PG_PID=""
STARTED_REDIS_PID=""
cleanup() {
  # Stop only what this script started, by pid.
  if [ -n "$STARTED_REDIS_PID" ]; then log "Stopping the Redis this run started"; kill "$STARTED_REDIS_PID" 2>/dev/null || true; fi
  if [ -n "$STARTED_PG_PID" ]; then log "Stopping the PostgreSQL this run started"; kill "$STARTED_PG_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT

port_open() { python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 1)" 2>/dev/null; }

# System packages: browser, gettext, the libraries and fonts WeasyPrint needs.
apt_install chromium gettext libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 \
  fonts-dejavu-core poppler-utils

ensure_venv "[dev]"

# PostgreSQL: reuse a server that answers, start the Debian cluster otherwise.
if port_open 5432; then
  log "Reusing the PostgreSQL server on 127.0.0.1:5432"
else
  ls /etc/postgresql/*/main >/dev/null 2>&1 || apt_install postgresql
  # Installing the package may have started the cluster already (systemd).
  if port_open 5432; then
    log "Reusing the PostgreSQL server the package started"
  else
    PG_VERSION="$(ls /etc/postgresql | sort -V | tail -n 1)"
    log "Starting PostgreSQL $PG_VERSION"
    # Exit code 2 is "already running": nothing to start, nothing to stop later.
    rc=0
    as_root pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" main start || rc=$?
    for _ in $(seq 1 30); do port_open 5432 && break; sleep 0.5; done
    port_open 5432 || { echo "PostgreSQL did not start" >&2; exit 1; }
    if [ "$rc" -eq 0 ]; then
      STARTED_PG_PID="$(as_root head -n 1 "/var/lib/postgresql/$PG_VERSION/main/postmaster.pid")"
    fi
  fi
fi
# A password role that may create the test databases, made once.
ROLE_SQL="DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'socialorder') THEN CREATE ROLE socialorder LOGIN PASSWORD 'socialorder' CREATEDB; END IF; END \$\$;"
if ! "$PY" -c "import psycopg; psycopg.connect('postgresql://socialorder:socialorder@127.0.0.1:5432/postgres').close()" 2>/dev/null; then
  "$PY" -c "import psycopg, sys; c = psycopg.connect('postgresql://postgres@127.0.0.1:5432/postgres', autocommit=True); c.execute(sys.argv[1])" "$ROLE_SQL" 2>/dev/null \
    || as_root runuser -u postgres -- psql -q -c "$ROLE_SQL"
fi
export DATABASE_URL="${TEST_DATABASE_URL:-postgres://socialorder:socialorder@127.0.0.1:5432/socialorder}"
# The database itself, so that checks which connect (makemigrations) find it.
"$PY" - <<'PY'
import os

import psycopg

url = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
name = url.rsplit("/", 1)[1].split("?")[0]
with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
    if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        connection.execute(f'CREATE DATABASE "{name}"')
PY

# Redis: reuse or start one that keeps nothing on disk. Tests use database 15.
if port_open 6379; then
  log "Reusing the Redis server on 127.0.0.1:6379"
else
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  # Installing the package may have started one already (systemd).
  for _ in $(seq 1 10); do port_open 6379 && break; sleep 0.2; done
fi
if ! port_open 6379; then
  log "Starting Redis"
  rm -f "$RUN_DIR/redis.pid"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --pidfile "$RUN_DIR/redis.pid" --logfile "$RUN_DIR/redis.log"
  for _ in $(seq 1 30); do port_open 6379 && [ -s "$RUN_DIR/redis.pid" ] && break; sleep 0.2; done
  [ -s "$RUN_DIR/redis.pid" ] || { echo "Redis did not start" >&2; exit 1; }
  STARTED_REDIS_PID="$(cat "$RUN_DIR/redis.pid")"
fi
export REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
export DEBUG=0 SECRET_KEY="test-only-secret-key-not-used-anywhere-else-$(date +%s)"
export SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 SECURE_HSTS_SECONDS=0
export ALLOWED_HOSTS="localhost,127.0.0.1,testserver"
export STATICFILES_STORAGE="django.contrib.staticfiles.storage.StaticFilesStorage"
export DJANGO_ALLOW_ASYNC_UNSAFE=true

log "ruff check"
"$PY" -m ruff check .
log "ruff format --check"
"$PY" -m ruff format --check .
log "makemigrations --check"
"$PY" manage.py makemigrations --check --dry-run
log "compilemessages"
"$PY" manage.py compilemessages --ignore=.venv -v 0
for po in locale/*/LC_MESSAGES/*.po; do
  stats="$(msgfmt --check --statistics -o /dev/null "$po" 2>&1)"
  echo "$po: $stats"
  case "$stats" in *untranslated*|*fuzzy*) echo "Incomplete catalogue: $po" >&2; exit 1 ;; esac
done

log "pytest"
"$PY" -m pytest -n "${PYTEST_WORKERS:-2}" "$@"
