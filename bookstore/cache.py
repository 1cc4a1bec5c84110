"""The Redis cache backend the site uses: Django's own, keeping one client per server.

Django's ``RedisCacheClient`` builds a new ``redis.Redis`` object around its connection pool for every cache call,
and each one copies redis-py's table of about 170 response callbacks: a third of a millisecond, measured, on every
signed-in page (its session comes from the cache). A client is safe to share between threads, so one is kept per
pool. Everything else, connection pools and serialisation included, is Django's.
"""

from django.core.cache.backends import redis as django_redis


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


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
