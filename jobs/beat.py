"""Celery beat's scheduler with a lease: one beat per cluster sends the schedule, every other one waits.

Settings name it (``CELERY_BEAT_SCHEDULER = "jobs.beat:LeasedScheduler"``), so every ``celery -A bookstore beat``
uses it: the beat on each AWS instance, a Swarm beat task started beside the old one during an update, a
second Compose beat by mistake. Each asks the database for the ``JOBS_SCHEDULER_LEASE_NAME`` lease
(jobs.SchedulerLease) before sending anything and sends only while it holds it; the holder renews it every
third of ``JOBS_SCHEDULER_LEASE_SECONDS``. A holder that dies (or cannot reach the database) stops renewing,
and a waiting beat takes over once the lease has lapsed; a clean shutdown gives it up at once.

The periodic tasks still claim their period (jobs.ScheduledRun): a beat that takes over and finds its local
schedule overdue sends at once, and that claim keeps the run to one per period.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid

from celery.beat import PersistentScheduler
from django.conf import settings
from django.db import close_old_connections

from jobs.services import acquire_lease, release_lease

logger = logging.getLogger(__name__)


class LeasedScheduler(PersistentScheduler):
    """A PersistentScheduler that sends nothing unless it holds the scheduler lease."""

    def __init__(self, *args, **kwargs):
        self.lease_name = settings.JOBS_SCHEDULER_LEASE_NAME
        self.lease_seconds = float(settings.JOBS_SCHEDULER_LEASE_SECONDS)
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._held_until = 0.0  # monotonic clock: past it, this process no longer counts on the lease
        self._next_check = 0.0
        self._holding: bool | None = None  # None: not asked yet, so the first answer is logged
        super().__init__(*args, **kwargs)

    def _check_lease(self) -> None:
        started = time.monotonic()
        try:
            close_old_connections()
            held = acquire_lease(self.lease_name, self.holder, self.lease_seconds)
        except Exception:  # no database: keep waiting, never crash beat
            logger.warning("Scheduler lease %s: the database did not answer", self.lease_name, exc_info=True)
            held = False
            close_old_connections()
        if held:
            # Counted from before the question: the lease in the database lasts at least this long.
            self._held_until = started + self.lease_seconds
        if held != self._holding:
            if held:
                logger.info("Scheduler lease %s taken by %s: sending the schedule", self.lease_name, self.holder)
            else:
                logger.info("Scheduler lease %s held elsewhere: %s waits", self.lease_name, self.holder)
        self._holding = held
        self._next_check = started + self.lease_seconds / 3

    def tick(self, *args, **kwargs) -> float:
        now = time.monotonic()
        if now >= self._next_check:
            self._check_lease()
            now = time.monotonic()
        until_check = max(self._next_check - now, 0.0)
        if not self._holding or now >= self._held_until:
            return until_check or 1.0
        return min(super().tick(*args, **kwargs), until_check)

    def close(self) -> None:
        if self._holding and time.monotonic() < self._held_until:
            try:
                close_old_connections()
                release_lease(self.lease_name, self.holder)
                logger.info("Scheduler lease %s released by %s", self.lease_name, self.holder)
            except Exception:  # noqa: BLE001 - it lapses by itself
                logger.warning("Scheduler lease %s not released; it lapses by itself", self.lease_name)
            self._holding = False
        super().close()
