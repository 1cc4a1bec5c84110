"""gunicorn as the image runs it (deploy/docker/gunicorn.conf.py): each worker listens on a socket of its own.

On one shared socket the connections a proxy opens at once go to whichever worker wakes first and stay there while
kept alive; the bench saw all eight of its connections on one worker, held by the GIL to one core (bench/README.md,
"One socket per worker"). Here three real workers on the loopback: with the deployment's settings each owns a
listening socket, and eight connections kept alive at once are all answered; with GUNICORN_REUSE_PORT=false the
three share the master's one socket, which is what the first check would then find.
"""

import http.client
import os
import sys
import time
from pathlib import Path

import pytest

from tests.faults.harness import Gunicorn, app_environment

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


@pytest.fixture
def gunicorn_server(tmp_path):
    """Start gunicorn with the deployment's config and three workers (tests.faults.harness.Gunicorn); yields the
    server once every worker is up."""
    started = []

    def start(**env: str) -> Gunicorn:
        environment = app_environment(tmp_path, f"sqlite:///{tmp_path / 'unused.sqlite3'}")
        server = Gunicorn(tmp_path, {**environment, **env}, workers=WORKERS, threads=2)
        started.append(server)
        server.start()
        server.wait_for_workers(WORKERS)
        return server

    yield start
    for server in started:
        server.stop()


def _wait_for_listeners(port: int, count: int) -> set[int]:
    deadline = time.monotonic() + 15
    while (found := _listening_sockets(port)) and len(found) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def test_each_worker_listens_on_a_socket_of_its_own(gunicorn_server):
    server = gunicorn_server()
    port = server.port
    listeners = _wait_for_listeners(port, WORKERS)
    workers = server.worker_pids()
    assert len(listeners) == WORKERS
    # Each worker holds one of them, and the master none: nothing is queued where no worker accepts.
    assert sorted(len(_sockets_of(pid) & listeners) for pid in workers) == [1] * WORKERS
    assert not _sockets_of(server.process.pid) & listeners
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
    server = gunicorn_server(GUNICORN_REUSE_PORT="false")
    [listener] = _listening_sockets(server.port)
    assert all(listener in _sockets_of(pid) for pid in server.worker_pids())
