"""Fault tests start their own servers (MariaDB, gunicorn) in a temporary directory and always stop them."""

import shutil
import tempfile
from pathlib import Path

import pytest

from tests.faults import harness


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
    """Register gunicorn servers here: they are stopped at the end of the test, failed or not."""
    started = []
    yield started
    for server in started:
        server.stop()
