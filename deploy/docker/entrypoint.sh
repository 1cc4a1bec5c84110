#!/bin/sh
# Container start: wait for the database, migrate when asked to, then run the command (gunicorn by default).
set -eu

python script/wait_for_db.py --timeout "${DB_WAIT_SECONDS:-60}"

# One container per deployment should migrate (compose's single app does); replicas leave it off.
if [ "${MIGRATE_ON_START:-false}" = "true" ]; then
  python manage.py migrate --noinput
fi

exec "$@"
