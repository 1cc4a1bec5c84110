"""Fault tests start their own servers (MariaDB, gunicorn) in a temporary directory and always stop them."""

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from conftest import free_port
from tests.faults import harness
from tests.faults.queue import Inbox


@pytest.fixture
def workdir():
    # Short and outside the pytest tree: a UNIX socket path must stay under ~100 characters.
    path = Path(tempfile.mkdtemp(prefix="bs-fault-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def private_mariadb(workdir):
    reason = harness.available()
    if reason:
        pytest.skip(reason)
    server = harness.PrivateMariaDB(workdir / "mariadb")
    server.dir.mkdir()
    try:
        server.install()
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def app_servers():
    """Register gunicorn servers, Celery workers and beats here: they are stopped at the end of the test, failed
    or not, in the order registered."""
    started = []
    yield started
    for server in started:
        server.stop()


@pytest.fixture
def inbox():
    """A real SMTP server (aiosmtpd) on a free port of 127.0.0.1; ``inbox.port``, ``inbox.messages``."""
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


# --- Recovery times: how long the site takes to answer normally once a service is back -----------------------

_recoveries: list[str] = []


@pytest.fixture
def record_recovery(record_property):
    """record_recovery(service, seconds, how): kept for the test report's summary, the JUnit XML, and the file
    named by RECOVERY_RESULTS (e.g. bench/results/recovery.md) when that is set."""

    def record(service: str, seconds: float, how: str) -> None:
        line = f"| {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} | {service} | {seconds:.2f} s | {how} |"
        _recoveries.append(line)
        record_property(f"recovery_{service.replace(' ', '_')}", round(seconds, 3))
        print(f"recovery after {service}: {seconds:.2f} s ({how})")
        target = os.environ.get("RECOVERY_RESULTS")
        if target:
            path = Path(target)
            if not path.exists():
                path.write_text(
                    "# Recovery times (tests/faults)\n\nSeconds from a service answering again to the site's first "
                    "normal answer.\n\n| when | service back | recovery | measured how |\n|---|---|---|---|\n"
                )
            with path.open("a") as results:
                results.write(line + "\n")

    return record


def pytest_terminal_summary(terminalreporter):
    if _recoveries:
        terminalreporter.section("recovery times")
        for line in _recoveries:
            terminalreporter.write_line(line)
