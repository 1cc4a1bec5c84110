"""The cache and the session store: a shared Redis in production (CACHE_URL), local memory for a developer."""

from bookstore.conf.environment import DEBUG, env

# Every web worker must share this cache in production (allauth's rate limits
# and cached pages live here): set CACHE_URL=redis://host:6379/0.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://bookstore")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Django's, with one client per server, answering as a miss while Redis is down (core/cache.py).
    CACHES["default"]["BACKEND"] = "core.cache.RedisCache"
    # Short socket timeouts: a Redis that stopped answering costs a request milliseconds, not seconds.
    CACHES["default"]["OPTIONS"] = {
        "socket_connect_timeout": env.float("CACHE_CONNECT_TIMEOUT", default=0.25),
        "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=0.5),
        **CACHES["default"].get("OPTIONS", {}),
    }
    # The site's own rate limits count on the same server through an alias that reports an outage instead of
    # hiding it, so that core/ratelimits.py decides, and logs, to let the request through.
    CACHES["ratelimits"] = {**CACHES["default"], "OPTIONS": {**CACHES["default"]["OPTIONS"], "fail_soft": False}}
# Template fragments that depend only on what they show (the `{% cache %}` tag's arguments), such as the navigation
# bar: kept in each process, as they can never be stale and a process starts afresh with each deployment. Off
# while DEBUG is on, so that template edits show at once.
FRAGMENT_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "bookstore-fragments",
    "OPTIONS": {"MAX_ENTRIES": 5000},
}
CACHES["fragments"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"} if DEBUG else FRAGMENT_CACHE
# With a shared cache, sessions are read from it and written through to the database (bookstore/sessions.py):
# a signed-in page then needs no session query. A per-process cache (locmem) could hand one worker a session
# another worker has since changed, so without a shared cache sessions live in the database alone.
_SHARED_CACHE = not CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache"))
SESSION_ENGINE = env.str(
    "SESSION_ENGINE", default="bookstore.sessions" if _SHARED_CACHE else "django.contrib.sessions.backends.db"
)
