"""Docker HEALTHCHECK: GET /healthz on the local gunicorn; exit 0 when it answers 200.

Django rejects a Host header it does not know, so the probe names the first
host of ALLOWED_HOSTS (a leading-dot wildcard loses its dot).
"""

import os
import sys
import urllib.request

host = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip().lstrip(".")
if not host or host == "*":
    host = "localhost"
request = urllib.request.Request(f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz", headers={"Host": host})
try:
    with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 - a fixed local http URL  # nosec B310
        sys.exit(0 if response.status == 200 else 1)
except OSError as exc:
    print(f"healthz failed: {exc}", file=sys.stderr)
    sys.exit(1)
