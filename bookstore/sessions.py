"""The session store production uses: Django's cached_db, still serving pages while the cache server is down.

With a shared cache (Redis), a signed-in page reads its session from the cache instead of the database: one round
trip to MySQL less on every request. Sessions are still written through to the database, so a cache flush or
restart signs nobody out.

Django's ``cached_db`` already falls back to the database when the cache fails on reading, but then stores what it
read back into the cache and fails the request there. Browsing must keep working through a cache outage (the
catalog does too, catalog/cache/), so here a session read from the database is only offered to the cache.
"""

import logging

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

logger = logging.getLogger(__name__)


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            logger.warning("The cache is unavailable; reading the session from the database.", exc_info=True)
            return DatabaseSessionStore.load(self)
        if data is not None:
            return data
        session = self._get_session_from_db()
        if session is None:
            return {}
        data = self.decode(session.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=session.expire_date))
        except Exception:
            logger.warning("The cache is unavailable; the session was read from the database.", exc_info=True)
        return data
