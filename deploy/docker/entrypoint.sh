#!/bin/sh
# Container start: wait for the database, migrate when asked to, then run the command (gunicorn by default).
set -eu

python deploy/docker/wait_for_database.py --timeout "${DB_WAIT_SECONDS:-60}"

# Compose's single app container migrates on start; Swarm runs a one-off migrate task instead. Several
# containers migrating at once is safe: deploy/docker/migrate.py takes a database lock.
if [ "${MIGRATE_ON_START:-false}" = "true" ]; then
  python deploy/docker/migrate.py
fi

exec "$@"
