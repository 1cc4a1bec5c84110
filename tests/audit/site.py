"""The site served as in production, on loopback, for the audits (Lighthouse, the Nu HTML checker).

gunicorn with the deployment's configuration (deploy/docker/gunicorn.conf.py), DEBUG off, the collected and
compressed static files, behind the project's own NGINX template with TLS (bookstore/tests/test_deploy_nginx.py
renders and runs it) when nginx and openssl are installed; without them gunicorn alone, WhiteNoise serving
the static files. The data is a fresh SQLite database filled by tests/audit/scene.py.

    with ProductionSite() as site:
        site.url("/books/"), site.pages, site.cookie_header("buyer", "es")
"""

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_CONFIG = ROOT / "deploy" / "docker" / "gunicorn.conf.py"
# Variables of the developer's shell that would change what the servers do.
LEAKY_PREFIXES = ("DATABASE", "REPLICA", "SECRET", "DEBUG", "CACHE", "MEDIA", "STATIC", "GUNICORN", "SECURE", "CSRF")


def _clean_env() -> dict[str, str]:
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(LEAKY_PREFIXES) and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }


class ProductionSite:
    """Start with ``with``; ``url(path)`` is where a page is, ``pages`` what tests/audit/scene.py wrote."""

    def __init__(self, *, small: bool = False, behind_nginx: bool | None = None, log=print):
        # Imported here: they need Django set up, which `python -m tests.audit.site` does only in __main__.
        from bookstore.tests.test_deploy_nginx import NGINX, OPENSSL

        self.behind_nginx = (NGINX is not None and OPENSSL is not None) if behind_nginx is None else behind_nginx
        self.log = log
        self.small = small  # fewer demo listings (tests/audit/scene.py --small): a quicker build
        self.nginx = None
        self.gunicorn: subprocess.Popen | None = None
        self.dir = Path(tempfile.mkdtemp(prefix="bookstore-audit-"))
        self.dir.chmod(0o755)

    # --- Where things are ------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self.nginx is not None:
            return self.nginx.url("")
        return f"http://127.0.0.1:{self.app_port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def certificate(self) -> Path | None:
        return self.nginx.cert if self.nginx is not None else None

    def cookie_header(self, who: str | None, language: str) -> str:
        """The Cookie header of a visit by ``who`` ("buyer", "seller" or None) in ``language``."""
        cookies = [f"{self.scene['language_cookie']}={language}"]
        if who:
            cookies.append(f"{self.scene['session_cookie']}={self.scene['sessions'][who]}")
        return "; ".join(cookies)

    @property
    def pages(self) -> list[dict]:
        return self.scene["pages"]

    # --- Start and stop -----------------------------------------------------------------------------------------

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def start(self) -> None:
        from bookstore.tests.test_deploy_nginx import Site
        from conftest import free_port, wait_for_port

        self.app_port = free_port()
        if self.behind_nginx:
            self.nginx = Site(upstreams=[f"127.0.0.1:{self.app_port}"])
            media, static = self.nginx.media, self.nginx.static
            origin, proxy = self.nginx.url(""), "true"
        else:
            media, static = self.dir / "media", self.dir / "static"
            origin, proxy = f"http://127.0.0.1:{self.app_port}", "false"
        env = {
            **_clean_env(),
            "DJANGO_SETTINGS_MODULE": "bookstore.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CSRF_TRUSTED_ORIGINS": origin,
            "SITE_URL": origin,
            "DATABASE_URL": f"sqlite:///{self.dir / 'audit.sqlite3'}",
            "EMAIL_URL": f"filemail:///{self.dir / 'mail'}",
            "MEDIA_ROOT": str(media),
            "STATIC_ROOT": str(static),
            "BEHIND_PROXY": proxy,
            "TRUSTED_PROXY_COUNT": "1",
            # Plain HTTP on loopback when NGINX does not terminate TLS.
            "SECURE_SSL_REDIRECT": proxy,
            "SESSION_COOKIE_SECURE": proxy,
            "CSRF_COOKIE_SECURE": proxy,
            "GUNICORN_BIND": f"127.0.0.1:{self.app_port}",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_THREADS": "4",
            "LOG_LEVEL": "WARNING",
        }
        self.log("Collecting static files")
        self._run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env, timeout=180)
        self.log("Building the database: migrations, demo data, the scene (about a minute)")
        scene = self.dir / "scene.json"
        command = [sys.executable, "-m", "tests.audit.scene", str(scene)] + (["--small"] if self.small else [])
        self._run(command, env, timeout=600)
        self.scene = json.loads(scene.read_text())
        self.log("Starting gunicorn" + (" behind NGINX" if self.nginx else ""))
        with (self.dir / "gunicorn.log").open("w") as log:
            self.gunicorn = subprocess.Popen(  # noqa: S603 - fixed command
                [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONFIG)],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        try:
            wait_for_port(self.app_port, seconds=60, process=self.gunicorn)
        except (RuntimeError, TimeoutError) as exc:
            raise RuntimeError(f"gunicorn did not start: {exc}\n{self.gunicorn_log()}") from exc
        if self.nginx is not None:
            self.nginx.__enter__()

    def gunicorn_log(self) -> str:
        path = self.dir / "gunicorn.log"
        return path.read_text()[-5000:] if path.exists() else ""

    def close(self) -> None:
        if self.nginx is not None:
            self.nginx.close()
        if self.gunicorn is not None and self.gunicorn.poll() is None:
            os.killpg(self.gunicorn.pid, signal.SIGTERM)
            try:
                self.gunicorn.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.gunicorn.pid, signal.SIGKILL)
                self.gunicorn.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)

    @staticmethod
    def _run(command: list[str], env: dict[str, str], timeout: float) -> None:
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)  # noqa: S603
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")


class RunningSite:
    """A site already served by ``python -m tests.audit.site``, read from the file it wrote."""

    def __init__(self, path: str):
        self.scene = json.loads(Path(path).read_text())
        self.base_url = self.scene["base_url"]
        self.certificate = Path(self.scene["certificate"]) if self.scene["certificate"] else None
        self.pages = self.scene["pages"]

    def url(self, path: str) -> str:
        return self.base_url + path

    cookie_header = ProductionSite.cookie_header

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


def serve() -> None:
    """Keep a production-like site up until interrupted (python -m tests.audit.site): its address and pages are
    printed, and written to test-output/audit-site.json for the audit scripts' --site option. Ctrl-C or SIGTERM
    stops it."""
    import time

    def stop(signum, frame):
        raise SystemExit(0)  # unwinds the `with` below: gunicorn, NGINX and the files go too

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)  # also when started in the background, where SIGINT is ignored
    with ProductionSite() as site:
        info = {"base_url": site.base_url, "certificate": str(site.certificate or ""), **site.scene}
        target = ROOT / "test-output" / "audit-site.json"
        target.parent.mkdir(exist_ok=True)
        target.write_text(json.dumps(info, indent=2))
        print(f"Serving {site.base_url} (gunicorn pid {site.gunicorn.pid}); pages in {target}. Ctrl-C stops.")
        while True:
            time.sleep(3600)


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookstore.settings")
    django.setup()
    serve()
