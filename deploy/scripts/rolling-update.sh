#!/usr/bin/env bash
# Update the one-VM setup (docker-compose.yml) without an outage: start an app container of the new image beside
# the old one, wait until Docker reports it healthy (it migrates first, so migrations must be expand/contract:
# the old code keeps working on the new schema), stop the old one (gunicorn finishes the requests it has; NGINX
# follows `app` in Docker's DNS and passes idempotent requests, and any it could not connect for, to the new one),
# then replace the worker, beat and backup containers. A new container that does not become healthy is removed
# and the old one keeps serving. Run from the checkout, as root, after `git pull`:
#   sudo deploy/scripts/rolling-update.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

say() { printf '==> %s\n' "$*"; }

say "Building the new image"
docker compose build app

old=$(docker compose ps -q app)
if [ -z "$old" ]; then
  say "No app container runs: starting everything"
  exec docker compose up -d
fi
if [ "$(printf '%s\n' "$old" | wc -l)" -ne 1 ]; then
  echo "Expected one app container, found: $old (scale to 1 first)" >&2
  exit 1
fi

say "Starting a new app container beside ${old:0:12}"
docker compose up -d --no-deps --no-recreate --scale app=2 app
new=$(docker compose ps -q app | grep -v -F "$old" | head -n 1)

state=starting
for _ in $(seq 90); do
  state=$(docker inspect -f '{{.State.Health.Status}}' "$new")
  if [ "$state" = healthy ] || [ "$state" = unhealthy ]; then break; fi
  sleep 5
done
if [ "$state" != healthy ]; then
  say "The new container is $state after waiting: removing it; the old one keeps serving"
  docker logs --tail 50 "$new" || true
  docker stop -t 30 "$new" && docker rm "$new"
  exit 1
fi

say "New container ${new:0:12} healthy: stopping the old one"
docker stop -t 30 "$old" && docker rm "$old"
docker compose up -d --no-deps --no-recreate --scale app=1 app

say "Replacing the worker, beat and backup containers (jobs wait in the database meanwhile)"
docker compose up -d --no-deps worker beat backup
say "Done: $(docker compose ps --format '{{.Service}} {{.Status}}' | tr '\n' ';')"
