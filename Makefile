# The two commands that matter: `make run` and `make test` (see README.md).
PY := .venv/bin/python

.PHONY: run test lint format migrations-check messages worker beat

run:  ## Serve the portal on 127.0.0.1:8000: SQLite, tasks inline, demo data.
	bash scripts/run.sh

test:  ## Install what the tests need, reuse or start PostgreSQL and Redis, run everything.
	bash scripts/test.sh

lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format:
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

migrations-check:
	$(PY) manage.py makemigrations --check --dry-run

messages:  ## Refresh the Kyrgyz and Russian catalogues from the code.
	$(PY) manage.py makemessages -l ky -l ru --ignore=.venv --ignore=tests --ignore=staticfiles --no-location

worker:
	.venv/bin/celery -A socialorder worker -l info

beat:
	.venv/bin/celery -A socialorder beat -l info --scheduler django_celery_beat.schedulers:DatabaseScheduler
