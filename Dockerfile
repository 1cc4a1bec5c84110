# syntax=docker/dockerfile:1
# BookStore web image: gunicorn (gthread) serving the Django project; static files are built in and
# served by WhiteNoise. Build: `docker build -t bookstore .`; run it with docker-compose.yml (deploy/README.md).

# --- Builder: wheels (mysqlclient needs a compiler and the MariaDB headers) and compiled translations ---
FROM python:3.11-slim-bookworm AS builder

# Exact Debian versions change with every security update; the base image tag pins the release.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential pkg-config libmariadb-dev gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /build
COPY requirements.txt .
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt

# Compiled here, where gettext is, so the runtime image needs none (what `manage.py compilemessages` runs).
COPY . /src
RUN find /src -name .venv -prune -o -name '*.po' \
    -exec sh -c 'msgfmt --check-format -o "${1%.po}.mo" "$1"' sh {} \;


# --- Runtime: the MariaDB client library and mysqldump/mysql (backups), running as a non-root user ---
# The ALB's idle timeout (60 s) and NGINX's upstream keepalive_timeout (50 s) stay below GUNICORN_KEEPALIVE.
FROM python:3.11-slim-bookworm AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8000 \
    GUNICORN_WORKERS=3 \
    GUNICORN_THREADS=4 \
    GUNICORN_KEEPALIVE=75 \
    GUNICORN_TIMEOUT=30 \
    FORWARDED_ALLOW_IPS=* \
    MEDIA_ROOT=/app/media

# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmariadb3 mariadb-client \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 bookstore \
    && useradd --system --uid 10001 --gid bookstore --home-dir /app --shell /usr/sbin/nologin bookstore

WORKDIR /app

# Dependencies in their own layer, so a code change does not reinstall them.
COPY requirements.txt .
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels -r requirements.txt

COPY --from=builder /src .

# The manifest of hashed static names is built once, here. Settings refuse to load without a key when
# DEBUG is off; this one signs nothing. The media folder must belong to the app user before a volume mounts it.
RUN DEBUG=false SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost SITE_URL=http://localhost \
    python manage.py collectstatic --noinput --verbosity 0 \
    && install -d -o 10001 -g 10001 /app/media

USER 10001:10001
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "deploy/docker/healthcheck.py"]

ENTRYPOINT ["deploy/docker/entrypoint.sh"]
# Workers, threads, keep-alive and timeouts come from the GUNICORN_* variables (deploy/docker/gunicorn.conf.py).
CMD ["gunicorn", "--config", "deploy/docker/gunicorn.conf.py"]
