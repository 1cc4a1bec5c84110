"""One scheduler per cluster: the lease every beat asks for, and two real beats against one database."""

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.utils import timezone

from bookstore.tests.test_scale_out import _base_env, _database_url
from conftest import REDIS_TEST_URL, needs_redis
from jobs.models import SchedulerLease
from jobs.services import acquire_lease, release_lease

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_the_lease_goes_to_one_holder_until_it_lapses_or_is_released():
    now = timezone.now()
    assert acquire_lease("beat", "a", 60, now=now)
    assert not acquire_lease("beat", "b", 60, now=now + timedelta(seconds=30))
    assert acquire_lease("beat", "a", 60, now=now + timedelta(seconds=30))  # a renewal
    assert not acquire_lease("beat", "b", 60, now=now + timedelta(seconds=89))
    assert acquire_lease("beat", "b", 60, now=now + timedelta(seconds=91))  # a's lapsed: b takes over
    lease = SchedulerLease.objects.get(name="beat")
    assert lease.holder == "b" and lease.acquired_at == now + timedelta(seconds=91)
    assert not acquire_lease("beat", "a", 60, now=now + timedelta(seconds=92))

    assert release_lease("beat", "b")
    assert acquire_lease("beat", "a", 60)  # at once, no wait for the lapse
    assert not release_lease("beat", "b")


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(  # noqa: S603 - fixed command
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=20)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _sent(log: Path) -> int:
    return len(re.findall(r"Sending due task jobs\.tests\.tick", log.read_text()))


def _query(database_url: str, sql: str) -> list[tuple]:
    """Rows of ``sql`` from the database the beats share: the test database itself, or on SQLite (whose test
    database lives in this process's memory) the migrated file they were given."""
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            return db.execute(sql).fetchall()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def _wait_for(predicate, seconds: float, what: str, logs: list[Path]) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    tails = "\n".join(f"--- {log.name}\n{log.read_text()[-2500:]}" for log in logs)
    raise AssertionError(f"{what} within {seconds} s\n{tails}")


@needs_redis
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_beats_send_the_schedule_once_and_the_second_takes_over_when_the_first_dies(tmp_path):
    """Two `celery beat` processes and one worker, real ones, on one database and the tests' Redis.

    While the first beat lives, only it sends the two-second task, and the worker runs it once per period;
    killed without a goodbye (SIGKILL: no release), its lease lapses and the second beat carries on.
    """
    queue = f"bs-test-beat-{uuid.uuid4().hex}"
    database_url = _database_url(tmp_path)
    finished = "SELECT period_start FROM jobs_scheduledrun WHERE task = 'jobs.tests.tick' AND finished_at IS NOT NULL"
    env = {
        **_base_env(),
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "jobs.tests.beat_settings",
        "CELERY_BROKER_URL": REDIS_TEST_URL,
        "CELERY_QUEUE": queue,
        "JOBS_SCHEDULER_LEASE_SECONDS": "6",
    }
    celery = [sys.executable, "-m", "celery", "-A", "bookstore"]
    logs = {name: tmp_path / f"{name}.log" for name in ("first", "second", "worker")}

    def beat(name: str) -> subprocess.Popen:
        schedule = tmp_path / f"{name}-schedule"
        return _start([*celery, "beat", "--loglevel=INFO", f"--schedule={schedule}"], env, logs[name])

    worker = _start([*celery, "worker", "--loglevel=INFO", "--pool=solo", "--without-heartbeat",
                     "--without-mingle", "--without-gossip", "-n", f"{queue}@%h"], env, logs["worker"])  # fmt: skip
    first = beat("first")
    second = None
    try:
        _wait_for(lambda: _sent(logs["first"]) >= 1, 60, "the first beat sent nothing", list(logs.values()))
        second = beat("second")
        waiting = lambda: "waits" in logs["second"].read_text()  # noqa: E731
        _wait_for(waiting, 60, "the second beat did not wait", list(logs.values()))
        time.sleep(10)
        sent_by_first = _sent(logs["first"])
        assert _sent(logs["second"]) == 0
        assert sent_by_first >= 4  # every two seconds, give or take a tick
        _wait_for(
            lambda: len(_query(database_url, finished)) >= 4,
            30, "the worker ran fewer than four periods", list(logs.values()),
        )  # fmt: skip

        _stop(first, signal.SIGKILL)
        _wait_for(lambda: _sent(logs["second"]) >= 2, 40, "the second beat did not take over", list(logs.values()))
        [(holder,)] = _query(database_url, "SELECT holder FROM jobs_schedulerlease WHERE name = 'celery-beat'")
        assert holder.split(":")[1] == str(second.pid)
    finally:
        for process in (first, second, worker):
            if process is not None:
                _stop(process)
        redis.Redis.from_url(REDIS_TEST_URL).delete(queue)

    # Each period ran once, whichever beat sent it.
    runs = [row[0] for row in _query(database_url, finished)]
    assert len(runs) == len(set(runs)) >= 5
    assert len(runs) <= _sent(logs["first"]) + _sent(logs["second"])
