"""The processes a run starts: gunicorn with the production settings on loopback, and what the machine is."""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import secrets
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import requests

from bench.common import GUNICORN_CONF, PYTHON, ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_environment(args: argparse.Namespace, port: int, work: Path) -> dict[str, str]:
    """Production settings for loopback: what differs from a real deployment is only TLS and where files go."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": f"{args.mysql.rstrip('/')}/{args.database}",
        "CACHE_URL": args.redis,
        "STATIC_ROOT": str(work / "static"),
        "MEDIA_ROOT": str(Path(tempfile.gettempdir()) / "bookstore-bench-media"),
        # No TLS on loopback: keep cookies sendable over http and do not redirect to https.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        # The access log is formatted as in production but not kept.
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "GUNICORN_LOG_LEVEL": "warning",
        # Production recycles a worker every ~2,000 requests; at benchmark rates that is a restart every few
        # seconds, which measures Django's start-up rather than the pages.
        "GUNICORN_MAX_REQUESTS": "0",
    }


def machine() -> dict:
    info = {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count()}
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError):
        mem_kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        info["memory_gb"] = round(mem_kb / 1024 / 1024, 1)
    info["load_average"] = list(os.getloadavg())
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    info["wrk"] = (wrk.stdout or wrk.stderr).splitlines()[0] if (wrk.stdout or wrk.stderr) else "?"
    return info


class Server:
    """gunicorn in its own process group, stopped (the whole group) on exit."""

    def __init__(self, env: dict[str, str], port: int, logfile: Path):
        self.env, self.port, self.logfile = env, port, logfile
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, extra_env: dict[str, str] | None = None) -> None:
        if GUNICORN_CONF.is_file():
            command = [str(Path(PYTHON).parent / "gunicorn"), "-c", str(GUNICORN_CONF)]
        else:  # the same choices, for a checkout without the deploy files
            command = [str(Path(PYTHON).parent / "gunicorn"), "bookstore.wsgi:application", "-k", "gthread"]
            command += ["-w", "3", "--threads", "4", "-b", self.env["GUNICORN_BIND"], "--keep-alive", "75"]
        with self.logfile.open("ab") as output:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**os.environ, **self.env, **(extra_env or {})},
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.logfile}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def workers(self) -> list[int]:
        if self.process is None:
            return []
        found = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False)
        return [int(pid) for pid in found.stdout.split()]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None
