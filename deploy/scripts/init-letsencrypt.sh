#!/usr/bin/env bash
# First Let's Encrypt certificate for the one-VM setup (docker-compose.yml), by certbot's webroot flow:
#   1. a throw-away self-signed certificate lets NGINX start (its HTTPS server needs one);
#   2. with NGINX answering /.well-known/acme-challenge/ from /var/www/certbot, certbot gets the real one;
#   3. NGINX reloads with it; the renewal hook does the same after every renewal from then on.
# The host name has one home: BOOKSTORE_HOST in .env (what docker-compose.yml and NGINX read), or the environment.
# Run from the checkout, as root, once DNS for BOOKSTORE_HOST points at this VM and ports 80/443 are open:
#   sudo deploy/scripts/init-letsencrypt.sh admin@example.com [--staging]
set -euo pipefail
cd "$(dirname "$0")/../.."

usage="usage: $0 EMAIL [--staging]   (the host name comes from BOOKSTORE_HOST in .env)"
email=${1:?$usage}
staging=${2:-}
case "$email" in
  *@*) ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
if [ -z "${BOOKSTORE_HOST:-}" ] && [ -f .env ]; then
  # Read, not sourced: .env is Compose's file, not a shell script.
  BOOKSTORE_HOST=$(sed -n 's/^BOOKSTORE_HOST=//p' .env | tail -n 1 | tr -d "\"' " | tr '[:upper:]' '[:lower:]')
fi
host=${BOOKSTORE_HOST:-}
if ! printf '%s' "$host" | grep -Eq '^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$'; then
  echo "Set BOOKSTORE_HOST=books.example.com in .env first (found: '${host}')." >&2
  exit 2
fi
live=/etc/letsencrypt/live/$host
webroot=/var/www/certbot

say() { printf '==> %s\n' "$*"; }

command -v certbot >/dev/null || { say "Installing certbot"; apt-get update -qq && apt-get install -y -qq certbot; }
mkdir -p "$webroot"

if [ -f "$live/fullchain.pem" ] && [ -f "/etc/letsencrypt/renewal/$host.conf" ]; then
  say "A certificate for $host exists already; renewals are automatic (systemctl list-timers certbot.timer)."
else
  say "Starting NGINX with a temporary self-signed certificate"
  mkdir -p "$live"
  openssl req -x509 -nodes -newkey rsa:2048 -days 1 -subj "/CN=$host" \
    -keyout "$live/privkey.pem" -out "$live/fullchain.pem" 2>/dev/null
  docker compose up -d --build nginx
  # certbot refuses to write into a live/ folder it did not create.
  rm -rf "$live"

  say "Asking Let's Encrypt for $host (webroot $webroot)"
  certbot certonly --webroot -w "$webroot" -d "$host" --email "$email" --agree-tos --non-interactive \
    --no-eff-email ${staging:+--staging}
fi

say "Installing the renewal hook that reloads NGINX"
hook=/etc/letsencrypt/renewal-hooks/deploy/bookstore-reload-nginx.sh
install -D -m 0755 deploy/scripts/certbot-deploy-hook.sh "$hook"
sed -i "s#^COMPOSE_DIR=.*#COMPOSE_DIR=$PWD#" "$hook"

docker compose exec -T nginx nginx -s reload
say "Done: https://$host/ (check: curl -sI https://$host/healthz)"
