#!/bin/sh
# certbot deploy hook (installed by init-letsencrypt.sh into /etc/letsencrypt/renewal-hooks/deploy/): runs only
# after a certificate was actually renewed, and makes NGINX load it without dropping connections.
set -eu
COMPOSE_DIR=/srv/bookstore
cd "$COMPOSE_DIR"
docker compose exec -T nginx nginx -t -q
docker compose exec -T nginx nginx -s reload
echo "bookstore: NGINX reloaded with the renewed certificate for ${RENEWED_DOMAINS:-?}"
