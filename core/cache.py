"""The Redis cache backend the site uses: Django's own, keeping one client per server, riding out a Redis outage.

One client per server: Django's ``RedisCacheClient`` builds a new ``redis.Redis`` object around its connection
pool for every cache call, and each one copies redis-py's table of about 170 response callbacks: a third of a
millisecond, measured, on every signed-in page (its session comes from the cache). A client is safe to share
between threads, so one is kept per pool.

Riding out an outage (a restart, a fail-over, a deployment of Redis): everything the site keeps in this cache can
be rebuilt or done without (rendered pages, listing cards, sessions written through to the database, rate-limit
counters), so while the server cannot be reached a read is a miss and a write is skipped, instead of an error page.
Once a call has failed, the others skip Redis for ``OUTAGE_RETRY_SECONDS`` (a Redis that drops packets would
otherwise cost each call its socket timeout) and a warning is logged at most every ``OUTAGE_LOG_SECONDS``.
A write or delete skipped during the outage may leave an older value in Redis (a persistent Redis, or a replica
promoted by a fail-over, keeps its data): such keys are deleted once Redis answers again, before anything else is
read, so a session that signed out meanwhile does not come back.

``add`` answers True while Redis is unreachable. Every caller uses it to take a claim or a lock: allauth's
rate-limit lock and the catalog's rendering claim. With no shared server there is nobody to yield to, so the
caller goes ahead; for allauth's rate limits this is what makes them fail open, deliberately, rather than making
everyone wait a second for a lock and then refusing them (tested in bookstore/tests/test_cache_outage.py).

Give ``OPTIONS={"fail_soft": False}`` for an alias whose callers want the error instead: the site's own rate
limits (core/ratelimits.py) use one, to decide and log themselves that they let a request through.
"""

from __future__ import annotations

import logging
import re
import threading
import time

import redis
from django.core.cache.backends import redis as django_redis

logger = logging.getLogger(__name__)

# What a Redis that is down or unreachable raises (TimeoutError is not a ConnectionError in redis-py).
UNAVAILABLE = (redis.ConnectionError, redis.TimeoutError)
OUTAGE_RETRY_SECONDS = 1.0
OUTAGE_LOG_SECONDS = 30.0
# Keys remembered for deletion after an outage, per server; past this the oldest are forgotten.
STALE_KEYS_LIMIT = 10_000


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))  # pools live as long as this object, so their ids stay theirs
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class _Outages:
    """What every backend object of one process knows about each server: down until when, keys left stale.

    Django makes one backend object per thread; sharing this spares each thread from finding out on its own.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.down_until: dict[str, float] = {}
        self.logged_at: dict[str, float] = {}
        self.stale: dict[str, dict[str, None]] = {}

    def is_down(self, server: str) -> bool:
        return time.monotonic() < self.down_until.get(server, 0.0)

    def failed(self, server: str, exc: Exception, operation: str) -> None:
        now = time.monotonic()
        with self.lock:
            self.down_until[server] = now + OUTAGE_RETRY_SECONDS
            if now - self.logged_at.get(server, -OUTAGE_LOG_SECONDS) < OUTAGE_LOG_SECONDS:
                return
            self.logged_at[server] = now
        logger.warning(
            "The cache server %s is unavailable (%s during %s): serving without it (reads miss, writes are "
            "skipped, rate limits are not enforced) until it answers again.",
            server,
            exc,
            operation,
        )

    def remember_stale(self, server: str, keys) -> None:
        with self.lock:
            stale = self.stale.setdefault(server, {})
            for key in keys:
                stale[key] = None
            while len(stale) > STALE_KEYS_LIMIT:
                del stale[next(iter(stale))]

    def take_stale(self, server: str) -> list[str]:
        if server not in self.stale:  # the usual case, without taking the lock
            return []
        with self.lock:
            return list(self.stale.pop(server, {}))


_outages = _Outages()

# get_many_or_claim: KEYS = claim key, then the keys to read; ARGV = the claim's value, its seconds, the position of
# the tag among the keys read (from 1), the tag's expected value. Returns the values read, then 1 if claimed.
_GET_MANY_OR_CLAIM = """
local found = redis.call('MGET', unpack(KEYS, 2))
local claimed = 0
if found[tonumber(ARGV[3])] ~= ARGV[4] and redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
  claimed = 1
end
found[#KEYS] = claimed
return found
"""


class RedisCache(django_redis.RedisCache):
    """Django's RedisCache with one client per server and, unless ``fail_soft`` is False, no error while Redis is
    down (see the module docstring)."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self.fail_soft = options.pop("fail_soft", True)
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = RedisCacheClient
        self._server_id = ",".join(self._servers)
        self._scripts = {}

    # --- Outage handling ----------------------------------------------------------------------------

    def _call(self, operation: str, fallback, function, *args, written=None):
        """Run one cache operation; while Redis is unreachable return ``fallback`` (fail_soft) or raise.

        ``written``: for a write, a function giving the Redis keys it would have changed (only called when it fails).
        """
        if _outages.is_down(self._server_id):
            if not self.fail_soft:
                raise redis.ConnectionError(f"The cache server {self._server_id} was unavailable a moment ago.")
            if written is not None:
                _outages.remember_stale(self._server_id, written())
            return fallback
        try:
            self._forget_stale_keys()
            return function(*args)
        except UNAVAILABLE as exc:
            _outages.failed(self._server_id, exc, operation)
            if not self.fail_soft:
                raise
            if written is not None:
                _outages.remember_stale(self._server_id, written())
            return fallback

    def _forget_stale_keys(self) -> None:
        stale = _outages.take_stale(self._server_id)
        if stale:
            try:
                self._cache.get_client(write=True).delete(*stale)
            except UNAVAILABLE:
                _outages.remember_stale(self._server_id, stale)
                raise
            logger.info(
                "The cache server %s answers again; %d keys written meanwhile deleted.", self._server_id, len(stale)
            )

    # --- Django's cache API -------------------------------------------------------------------------

    def _keys(self, keys, version):
        return lambda: [self.make_key(key, version=version) for key in keys]

    def add(self, key, value, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        return self._call("add", True, super().add, key, value, timeout, version, written=self._keys([key], version))

    def get(self, key, default=None, version=None):
        return self._call("get", default, super().get, key, default, version)

    def set(self, key, value, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, super().set, key, value, timeout, version, written=self._keys([key], version))

    def touch(self, key, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, super().delete, key, version, written=self._keys([key], version))

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        result = self._call("incr", None, super().incr, key, delta, version, written=self._keys([key], version))
        if result is None:  # as for a key that is not there: callers of incr handle that ValueError already
            raise ValueError(f"Key {key!r} not found: the cache server is unavailable.")
        return result

    def set_many(self, data, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        return self._call(
            "set_many", list(data), super().set_many, data, timeout, version, written=self._keys(data, version)
        )

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, super().delete_many, keys, version, written=self._keys(keys, version))

    # --- Fewer round trips ---------------------------------------------------------------------------

    def get_many_or_claim(self, keys, claim_key, claim_seconds, tag_key, tag_value, version=None):
        """``get_many(keys)`` and, unless ``tag_key`` (one of ``keys``) holds ``tag_value``, ``add(claim_key, True,
        claim_seconds)``, in one round trip (a server-side script). Returns (found, claimed).

        A page cache reads a page and its version tag, and takes the claim to render it only when the tag is not
        the current version, without a second round trip. While Redis is unreachable: ({}, True), as add answers.
        """
        return self._call(
            "get_many_or_claim",
            ({}, True),
            self._get_many_or_claim,
            keys,
            claim_key,
            claim_seconds,
            tag_key,
            tag_value,
            version,
            written=self._keys([claim_key], version),
        )

    def _get_many_or_claim(self, keys, claim_key, claim_seconds, tag_key, tag_value, version):
        keys = list(keys)
        made = [self.make_key(key, version=version) for key in keys]
        serializer = self._cache._serializer
        client = self._cache.get_client(write=True)
        script = self._scripts.get(id(client))
        if script is None:
            script = self._scripts[id(client)] = client.register_script(_GET_MANY_OR_CLAIM)
        values = script(
            keys=[self.make_key(claim_key, version=version), *made],
            args=[serializer.dumps(True), int(claim_seconds), keys.index(tag_key) + 1, serializer.dumps(tag_value)],
        )
        found = {key: serializer.loads(value) for key, value in zip(keys, values[:-1], strict=True) if value}
        return found, bool(values[-1])

    def write_many(self, entries, delete=(), version=None):
        """Set each (key, value, timeout) of ``entries`` and delete the keys of ``delete``, in one round trip."""
        entries, delete = list(entries), list(delete)
        keys = [key for key, _value, _timeout in entries] + delete
        return self._call(
            "write_many", None, self._write_many, entries, delete, version, written=self._keys(keys, version)
        )

    def _write_many(self, entries, delete, version):
        serializer = self._cache._serializer
        pipeline = self._cache.get_client(write=True).pipeline(transaction=True)
        for key, value, timeout in entries:
            seconds = self.get_backend_timeout(timeout)
            made, data = self.make_key(key, version=version), serializer.dumps(value)
            if seconds is None:
                pipeline.set(made, data)
            elif seconds > 0:
                pipeline.set(made, data, ex=seconds)
            else:
                pipeline.delete(made)
        if delete:
            pipeline.delete(*[self.make_key(key, version=version) for key in delete])
        pipeline.execute()

    def clear(self):
        """Delete this cache's keys. With a KEY_PREFIX only the keys under it: the Redis database may be shared
        (by the job broker, by other sites, by parallel test workers), and Django's own clear() empties all of it.
        """
        return self._call("clear", None, self._clear)

    def _clear(self):
        if not self.key_prefix:
            return self._cache.clear()
        client = self._cache.get_client(write=True)
        pattern = re.sub(r"([*?\[\]\\])", r"\\\1", self.key_prefix) + ":*"  # the prefix, glob characters escaped
        batch = []
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                client.unlink(*batch)
                batch = []
        if batch:
            client.unlink(*batch)
        return True
