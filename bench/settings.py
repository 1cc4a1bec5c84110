"""Settings of the benchmark's gunicorn only: the production settings plus two baseline pages and a query counter.

Never used by the site itself: `bench/run.py` starts gunicorn with DJANGO_SETTINGS_MODULE=bench.settings and a
production-like environment (DEBUG off, MariaDB with persistent connections, Redis). The baselines are served by
the same processes, through the same middleware, so every scenario can be reported as a ratio to them.
"""

import os

from bookstore.settings import *  # noqa: F403
from bookstore.settings import MIDDLEWARE

ROOT_URLCONF = "bench.urls"
# Outermost, so it also counts the queries of the session and authentication middleware.
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]

# The benchmark measures some scenarios with the catalog's page cache off, to show the work behind a cache miss.
CATALOG_CACHE_SECONDS = int(os.environ.get("BENCH_CATALOG_CACHE_SECONDS", CATALOG_CACHE_SECONDS))  # noqa: F405

# The API scenario sends thousands of anonymous calls a second from one address: its per-address limit would answer
# nearly all of them 429 and the benchmark would measure the refusal.
RATE_LIMITS = {**RATE_LIMITS, "api_ip": ""}  # noqa: F405
