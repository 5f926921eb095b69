# syntax=docker/dockerfile:1
# The portal's image: gunicorn by default; the same image runs the Celery worker
# and beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    # The image is for deployments: never the development mode, whatever is missing.
    DEBUG=0

# WeasyPrint's libraries (Pango, and HarfBuzz subsetting, which makes PDFs about
# twice as fast), DejaVu fonts only (Noto would change the default families:
# the PDF templates name their fonts and every environment has the same ones),
# and gettext for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        gettext \
    && rm -rf /var/lib/apt/lists/*

# An unprivileged user; the code stays owned by root, so the app cannot change it.
RUN groupadd --system app \
    && useradd --system --gid app --home-dir /home/app --create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, in their own layer: rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
RUN pip install . && rm -rf build ./*.egg-info

# The project itself, installed as it stands (it has no packages to build).
COPY . .
RUN pip install --no-deps . && rm -rf build ./*.egg-info

# Translations and static files are built into the image. The dummy key exists
# for this RUN line only (settings require a key when DEBUG is off); it signs nothing.
RUN SECRET_KEY=build-time-only-dummy-key-not-used-at-run-time \
    python manage.py compilemessages --ignore=.venv \
    && SECRET_KEY=build-time-only-dummy-key-not-used-at-run-time \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/media \
    && chown app:app /app/media

USER app

EXPOSE 8000

CMD ["gunicorn", "socialorder.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
