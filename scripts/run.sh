#!/usr/bin/env bash
# make run: the embedded default. SQLite file, tasks inline, e-mail on the console.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
export DEBUG="${DEBUG:-1}"
# Empty, not unset: a .env must not switch the embedded default to other services.
export DATABASE_URL="" REDIS_URL="" EMAIL_URL="consolemail://"
ensure_venv ""
log "Migrating the SQLite database"
"$PY" manage.py migrate --no-input -v 0
log "Compiling translations"
compile_messages
log "Loading demo data"
"$PY" manage.py seed_demo
"$PY" manage.py seed_demo_competitions
"$PY" manage.py seed_demo_applications
"$PY" manage.py seed_demo_evaluation
"$PY" manage.py seed_demo_grants
"$PY" manage.py seed_demo_councils
log "Serving on http://127.0.0.1:8000/ (Ctrl+C to stop)"
exec "$PY" manage.py runserver "${RUN_ADDR:-127.0.0.1:8000}"
