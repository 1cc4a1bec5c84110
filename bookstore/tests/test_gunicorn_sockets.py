"""gunicorn as the image runs it (deploy/docker/gunicorn.conf.py): each worker listens on a socket of its own.

On one shared socket the connections a proxy opens at once go to whichever worker wakes first and stay there while
kept alive; the bench saw all eight of its connections on one worker, held by the GIL to one core (bench/README.md,
"One socket per worker"). Here three real workers on the loopback: with the deployment's settings each owns a
listening socket, and eight connections kept alive at once are all answered; with GUNICORN_REUSE_PORT=false the
three share the master's one socket, which is what the first check would then find.
"""

import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_CONFIG = ROOT / "deploy" / "docker" / "gunicorn.conf.py"
WORKERS = 3

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the sockets of processes from /proc"),
]


def _listening_sockets(port: int) -> set[int]:
    """The inodes of the TCP sockets listening on 127.0.0.1:``port`` (/proc/net/tcp: state 0A is LISTEN)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, state, inode = fields[1], fields[3], int(fields[9])
        if state == "0A" and local == f"0100007F:{port:04X}":
            found.add(inode)
    return found


def _sockets_of(pid: int) -> set[int]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def _workers(master: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                children.append(int(entry.name))
    return children


@pytest.fixture
def gunicorn_server(tmp_path):
    """Start gunicorn with the deployment's config and three workers; yields (process, port) once all are up."""
    started = []

    def start(**env: str):
        port = free_port()
        environment = {
            key: value for key, value in os.environ.items() if not key.startswith(("GUNICORN", "DATABASE", "CACHE"))
        }
        environment.update(
            DJANGO_SETTINGS_MODULE="bookstore.settings",
            DEBUG="false",
            SECRET_KEY="gunicorn-sockets-test-" + "x" * 40,
            ALLOWED_HOSTS="127.0.0.1",
            SITE_URL="https://bookstore.example.com",
            DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
            STATIC_ROOT=str(tmp_path / "static"),
            SECURE_SSL_REDIRECT="false",
            GUNICORN_BIND=f"127.0.0.1:{port}",
            GUNICORN_WORKERS=str(WORKERS),
            GUNICORN_THREADS="2",
            GUNICORN_ACCESS_LOG="/dev/null",
            **env,
        )
        log = (tmp_path / "gunicorn.log").open("w")
        process = subprocess.Popen(  # noqa: S603 - fixed command
            [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONFIG)],
            cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        started.append(process)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError((tmp_path / "gunicorn.log").read_text()[-3000:])
            workers = _workers(process.pid)
            if len(workers) == WORKERS and _answers(port):
                return process, port
            time.sleep(0.1)
        raise AssertionError("gunicorn did not start:\n" + (tmp_path / "gunicorn.log").read_text()[-3000:])

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)


def _answers(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False


def _wait_for_listeners(port: int, count: int) -> set[int]:
    deadline = time.monotonic() + 15
    while (found := _listening_sockets(port)) and len(found) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def test_each_worker_listens_on_a_socket_of_its_own(gunicorn_server):
    process, port = gunicorn_server()
    listeners = _wait_for_listeners(port, WORKERS)
    workers = _workers(process.pid)
    assert len(listeners) == WORKERS
    # Each worker holds one of them, and the master none: nothing is queued where no worker accepts.
    assert sorted(len(_sockets_of(pid) & listeners) for pid in workers) == [1] * WORKERS
    assert not _sockets_of(process.pid) & listeners
    # Eight connections opened at once and kept alive, as a proxy's pool: every request on each is answered.
    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(8)]
    for connection in connections:
        connection.connect()
    for _round in range(3):
        for connection in connections:
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            assert response.status == 200 and response.read() == b'{"status": "ok"}'
    for connection in connections:
        connection.close()


def test_without_reuse_port_the_workers_share_one_socket(gunicorn_server):
    process, port = gunicorn_server(GUNICORN_REUSE_PORT="false")
    [listener] = _listening_sockets(port)
    assert all(listener in _sockets_of(pid) for pid in _workers(process.pid))
