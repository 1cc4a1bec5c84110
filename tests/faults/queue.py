"""Real parts for the job-queue fault tests: a Celery worker and beat, each in its own process group, started and
stopped by the test (and always stopped at the end, whatever happens), and an inbox for a real SMTP server
(aiosmtpd) that keeps every message it is given. Their redis-server is conftest's ``redis_server``."""

from __future__ import annotations

import email
import email.policy
import subprocess
import sys
import time
from pathlib import Path

from conftest import free_port
from tests.faults.harness import ROOT, _stop_group


class CeleryProcess:
    """One `celery -A bookstore <command>` process of the test's, logging to the work directory."""

    command: list[str]
    ready_marker: str  # what its log says once it is ready

    def __init__(self, workdir: Path, env: dict[str, str], name: str):
        self.env = env
        self.log = workdir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self, seconds: float = 60) -> None:
        offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("a") as log:
            self.process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
                [sys.executable, "-m", "celery", "-A", "bookstore", *self.command],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + seconds
        while self.ready_marker not in self.log.read_text()[offset:]:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"celery {self.command[0]} did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        _stop_group(self.process, seconds=20)
        self.process = None

    def tail(self) -> str:
        return self.log.read_text()[-3000:] if self.log.exists() else ""


class CeleryWorker(CeleryProcess):
    """`celery -A bookstore worker --pool=solo` on one queue, with the given environment."""

    ready_marker = " ready."

    def __init__(self, workdir: Path, env: dict[str, str], name: str = "worker"):
        super().__init__(workdir, env, name)
        self.command = [
            "worker", "--pool=solo", "--loglevel=INFO", "--without-heartbeat", "--without-mingle",
            "--without-gossip", "--queues", env["CELERY_QUEUE"], "--hostname", f"test-{free_port()}@%h",
        ]  # fmt: skip


class CeleryBeat(CeleryProcess):
    """`celery -A bookstore beat`: sends the schedule (the outbox relay every JOBS_RELAY_SECONDS) to the broker."""

    ready_marker = "Starting..."

    def __init__(self, workdir: Path, env: dict[str, str]):
        super().__init__(workdir, env, "beat")
        self.command = ["beat", "--loglevel=INFO", "--schedule", str(workdir / "beat-schedule"), "--pidfile="]


class Inbox:
    """An aiosmtpd handler that takes every message and keeps it, with when it arrived (monotonic clock).

    While ``refusing`` is set it answers every message "451 try again later", as a busy or restarting mail server
    does, and only counts it in ``refused``."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.arrived: list[float] = []
        self.refusing = False
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refusing:
            self.refused += 1
            return "451 4.3.0 Mail server busy, try again later"
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
