#!/bin/sh
# Container start: wait for the database, migrate or wait for the release step's migrations when asked to, then
# run the command (gunicorn by default).
set -eu

python deploy/docker/wait_for_database.py --timeout "${DB_WAIT_SECONDS:-60}"

# Compose's single app container migrates on start (MIGRATE_ON_START=true; deploy/docker/migrate.py takes a
# database lock). Swarm and AWS migrate once per release, in their release step, and their replicas wait until
# the schema matches the image (WAIT_FOR_MIGRATIONS=true) instead of serving an old one.
if [ "${MIGRATE_ON_START:-false}" = "true" ]; then
  python deploy/docker/migrate.py
elif [ "${WAIT_FOR_MIGRATIONS:-false}" = "true" ]; then
  python deploy/docker/wait_for_migrations.py --timeout "${MIGRATIONS_WAIT_SECONDS:-300}"
fi

exec "$@"
