#!/bin/sh
# Run a command every N seconds, for ever: the scheduled jobs (expire_unpaid_orders, advance_shipments) as a
# plain service in Compose, Swarm or on an instance, with no cron daemon in the image. A failed run is logged
# and retried at the next tick; SIGTERM (docker stop, a rolling update) ends the loop at once.
# Usage: every.sh SECONDS command [args...]
set -u

if [ "$#" -lt 2 ]; then
  echo "usage: $0 SECONDS command [args...]" >&2
  exit 64
fi
interval=$1
shift

trap 'exit 0' TERM INT
while :; do
  started=$(date +%s)
  if ! "$@"; then
    echo "every.sh: '$*' failed; next try in ${interval} s" >&2
  fi
  elapsed=$(($(date +%s) - started))
  pause=$((interval > elapsed ? interval - elapsed : 0))
  # sleep in the background so the TERM trap runs without waiting for the sleep to end
  sleep "$pause" &
  wait $!
done
