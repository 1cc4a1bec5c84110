"""Real parts for the job-queue fault tests: a private redis-server, a Celery worker and beat, each in its own
process group, started and stopped by the test (and always stopped at the end, whatever happens), and an inbox
for a real SMTP server (aiosmtpd) that keeps every message it is given."""

from __future__ import annotations

import email
import email.policy
import shutil
import subprocess
import sys
import time
from pathlib import Path

from conftest import free_port, wait_for_port
from tests.faults.harness import ROOT, _stop_group

REDIS_SERVER = shutil.which("redis-server", path="/usr/bin:/usr/local/bin:/usr/sbin")


class PrivateRedis:
    """redis-server on a free port of 127.0.0.1, nothing saved to disk; stop() and start() again keep the port."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.log = workdir / "redis.log"
        self.dir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(  # noqa: S603 - fixed command, our own port and directory
                [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--dir", str(self.dir)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        wait_for_port(self.port, seconds=15, process=self.process)

    def stop(self) -> None:
        _stop_group(self.process)
        self.process = None


class CeleryWorker:
    """`celery -A bookstore worker --pool=solo` on one queue, with the given environment."""

    def __init__(self, workdir: Path, env: dict[str, str], name: str = "worker"):
        self.env = env
        self.log = workdir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self, seconds: float = 60) -> None:
        offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("a") as log:
            self.process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
                [sys.executable, "-m", "celery", "-A", "bookstore", "worker", "--pool=solo", "--loglevel=INFO",
                 "--without-heartbeat", "--without-mingle", "--without-gossip",
                 "--queues", self.env["CELERY_QUEUE"], "--hostname", f"test-{free_port()}@%h"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + seconds
        while " ready." not in self.log.read_text()[offset:]:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the Celery worker did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        _stop_group(self.process, seconds=20)
        self.process = None

    def tail(self) -> str:
        return self.log.read_text()[-3000:] if self.log.exists() else ""


class CeleryBeat:
    """`celery -A bookstore beat`: sends the schedule (the outbox relay every JOBS_RELAY_SECONDS) to the broker."""

    def __init__(self, workdir: Path, env: dict[str, str]):
        self.env = env
        self.log = workdir / "beat.log"
        self.schedule = workdir / "beat-schedule"
        self.process: subprocess.Popen | None = None

    def start(self, seconds: float = 60) -> None:
        offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("a") as log:
            self.process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
                [sys.executable, "-m", "celery", "-A", "bookstore", "beat", "--loglevel=INFO",
                 "--schedule", str(self.schedule), "--pidfile="],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + seconds
        while "Starting..." not in self.log.read_text()[offset:]:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"Celery beat did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        _stop_group(self.process, seconds=20)
        self.process = None

    def tail(self) -> str:
        return self.log.read_text()[-3000:] if self.log.exists() else ""


class Inbox:
    """An aiosmtpd handler that takes every message and keeps it, with when it arrived (monotonic clock)."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.arrived: list[float] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.arrived.append(time.monotonic())
        return "250 2.0.0 OK"

    def received(self) -> list[tuple[str, str]]:
        return sorted((str(m["to"]), str(m["subject"])) for m in self.messages)


def wait_for(condition, seconds: float, explain) -> None:
    """Poll ``condition`` until it holds; after ``seconds`` fail with what ``explain()`` returns."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out: {explain()}")
        time.sleep(0.1)
