"""Real parts for the fault tests: a private MariaDB server, gunicorn running the project, a web client.

Everything listens on 127.0.0.1 on free ports and lives in a temporary directory. The private server has its
own data directory, socket, port and pid file, and reads no option file (``--no-defaults``): the shared
development server on port 3306 is never touched. Every process is started in its own process group and
stopped by the test that started it, whatever happens.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from conftest import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
MARIADBD = shutil.which("mariadbd", path="/usr/sbin:/usr/bin:/sbin:/bin") or shutil.which("mysqld")
INSTALL_DB = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
GUNICORN_CONFIG = ROOT / "deploy" / "docker" / "gunicorn.conf.py"


def _stop_group(process: subprocess.Popen | None, seconds: float = 15) -> None:
    """SIGTERM the process group, SIGKILL it if it lingers."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=seconds)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


class PrivateMariaDB:
    """A throw-away MariaDB server of our own: its own data directory, socket and port."""

    def __init__(self, workdir: Path):
        self.dir = workdir
        self.datadir = workdir / "data"
        self.port = free_port()
        self.log = workdir / "mariadb.log"
        self.process: subprocess.Popen | None = None

    def install(self) -> None:
        user = ["--user=root"] if os.geteuid() == 0 else []
        result = subprocess.run(  # noqa: S603 - fixed command, our own data directory
            [
                INSTALL_DB, "--no-defaults", f"--datadir={self.datadir}", "--auth-root-authentication-method=normal",
                "--skip-test-db", *user,
            ],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr

    def start(self, seconds: float = 30) -> None:
        user = ["--user=root"] if os.geteuid() == 0 else []
        with self.log.open("a") as log:
            self.process = subprocess.Popen(  # noqa: S603 - fixed command, our own data directory
                [
                    MARIADBD, "--no-defaults", f"--datadir={self.datadir}", f"--socket={self.dir / 'mysqld.sock'}",
                    f"--port={self.port}", "--bind-address=127.0.0.1", f"--pid-file={self.dir / 'mysqld.pid'}",
                    "--skip-log-bin", "--innodb-buffer-pool-size=32M", "--max-connections=200",
                    "--innodb-flush-log-at-trx-commit=2", f"--log-error={self.log}", *user,
                ],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + seconds
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"mariadbd exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                self.connect().close()
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        """A clean shutdown, as `systemctl stop` or a fail-over would do it."""
        _stop_group(self.process, seconds=30)
        self.process = None

    def connect(self, database: str | None = None):
        import MySQLdb

        kwargs = {"db": database} if database else {}
        return MySQLdb.connect(
            host="127.0.0.1", port=self.port, user="root", connect_timeout=2, autocommit=True, **kwargs
        )

    def url(self, database: str) -> str:
        return f"mysql://root@127.0.0.1:{self.port}/{database}"

    def query(self, database: str, sql: str, args=()) -> list[tuple]:
        connection = self.connect(database)
        try:
            cursor = connection.cursor()
            cursor.execute(sql, args)
            return list(cursor.fetchall())
        finally:
            connection.close()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def app_environment(workdir: Path, database_url: str) -> dict[str, str]:
    """Production-like settings (DEBUG off) for plain HTTP on loopback."""
    keep = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG", "PYTHONPATH")}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "bookstore.settings"),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": "http://127.0.0.1",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(workdir / "media"),
        "STATIC_ROOT": str(workdir / "static"),
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "EMAIL_URL": "dummymail://",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "BEHIND_PROXY": "false",
        "LOG_LEVEL": "WARNING",
        # The load here adds to carts far faster than a person (the limit has its own tests in tests/security).
        "RATE_LIMIT_CART_ADD": "100000/m",
    }


def migrate_and_seed(env: dict[str, str], prefix: str, **counts) -> dict:
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert migrate.returncode == 0, migrate.stderr
    args = [f"--{name}={value}" for name, value in counts.items()]
    seeded = subprocess.run(  # noqa: S603 - this interpreter, our seed module
        [sys.executable, "-m", "tests.faults.seed", f"--prefix={prefix}", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert seeded.returncode == 0, seeded.stderr
    return json.loads(seeded.stdout)


class Gunicorn:
    """gunicorn serving the project with the deployment's own configuration, in its own process group."""

    def __init__(self, workdir: Path, env: dict[str, str], workers: int, threads: int):
        self.port = free_port()
        self.log = workdir / "gunicorn.log"
        self.env = {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_THREADS": str(threads),
            "GUNICORN_TIMEOUT": "30",
            "GUNICORN_GRACEFUL_TIMEOUT": "5",
            "GUNICORN_MAX_REQUESTS": "0",
            "GUNICORN_ACCESS_LOG": str(workdir / "access.log"),
        }
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        if GUNICORN_CONFIG.is_file():
            command = [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONFIG)]
        else:  # the same settings, spelt out
            command = [
                sys.executable, "-m", "gunicorn", "bookstore.wsgi:application", "--bind", self.env["GUNICORN_BIND"],
                "--worker-class", "gthread", "--workers", self.env["GUNICORN_WORKERS"],
                "--threads", self.env["GUNICORN_THREADS"], "--timeout", "30",
            ]  # fmt: skip
        with self.log.open("w") as log:
            self.process = subprocess.Popen(  # noqa: S603 - fixed command
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            wait_for_port(self.port, seconds=30, process=self.process)
        except (RuntimeError, TimeoutError) as exc:
            raise AssertionError(f"gunicorn did not start: {exc}\n{self.log.read_text()[-3000:]}") from exc

    def worker_pids(self) -> set[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in children.read_text().split()} if children.exists() else set()

    def wait_for_workers(self, count: int, seconds: float = 30) -> set[int]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            pids = self.worker_pids()
            if len(pids) >= count:
                return pids
            time.sleep(0.1)
        raise TimeoutError(f"gunicorn has {self.worker_pids()} workers, expected {count}")

    def stop(self) -> None:
        _stop_group(self.process)
        self.process = None


# --- A web client that behaves like a browser on the site's forms -----------------------------


class Visitor:
    """One person with a cookie jar: signs in, fills a cart and checks out through the real forms."""

    def __init__(self, base: str, timeout: float = 20):
        self.base = base
        self.timeout = timeout
        self.http = requests.Session()
        self.http.trust_env = False  # loopback only: no proxy from the environment

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(self.base + path, timeout=self.timeout, allow_redirects=False, **kwargs)

    def post(self, path: str, data: dict) -> requests.Response:
        token = self.http.cookies.get("csrftoken", "")
        return self.http.post(
            self.base + path, data={"csrfmiddlewaretoken": token, **data}, timeout=self.timeout, allow_redirects=False
        )

    def sign_in(self, email: str, password: str) -> None:
        page = self.get("/accounts/login/")
        assert page.status_code == 200, page.status_code
        response = self.post("/accounts/login/", {"login": email, "password": password})
        assert response.status_code == 302, (response.status_code, response.text[:500])

    def add_to_cart(self, listing_id: int, copies: int = 1) -> requests.Response:
        return self.post(f"/cart/add/{listing_id}/", {"quantity": str(copies)})

    def checkout_form(self) -> tuple[requests.Response, dict | None]:
        """The checkout page and what its "Place order" button would send (None if the page cannot place)."""
        page = self.get("/checkout/")
        if page.status_code != 200:
            return page, None
        return page, place_order_form(page.text)

    def place_order(self, form: dict) -> requests.Response:
        return self.post("/checkout/", form)

    def pay(self, order_path: str, card_number: str) -> requests.Response:
        """Open the order's payment page and submit the card with the page's own one-time key."""
        pay_path = f"{order_path.rstrip('/')}/pay/"
        page = self.get(pay_path)
        assert page.status_code == 200, (page.status_code, page.text[:300])
        years = re.findall(r'<option value="(\d{4})"', page.text)
        form = {
            "idempotency_key": _value(page.text, "idempotency_key"),
            "name": "Fault Tester",
            "number": card_number,
            "exp_month": "12",
            "exp_year": years[-1],
            "cvc": "123",
        }
        return self.post(pay_path, form)


def _value(html: str, name: str) -> str | None:
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    return match.group(1) if match else None


def place_order_form(html: str) -> dict | None:
    token, confirmed = _value(html, "checkout_token"), _value(html, "confirmed")
    if not token or 'value="place"' not in html:
        return None
    form = {"action": "place", "checkout_token": token, "confirmed": confirmed or ""}
    for tag in re.findall(r"<input[^>]+type=\"radio\"[^>]*>", html):
        if " checked" in tag:
            name, value = re.search(r'name="([^"]+)"', tag).group(1), re.search(r'value="([^"]+)"', tag).group(1)
            form[name] = value
    return form


# --- What must hold in the database whatever happened ----------------------------------------


def order_invariants(db: PrivateMariaDB, database: str, stock: dict[int, int]) -> list[str]:
    """Problems found: orders without lines or shipments, stock not matching what was sold. Empty if none."""
    problems = []
    q = db.query
    for (number,) in q(
        database,
        "SELECT o.number FROM orders_order o"
        " WHERE NOT EXISTS (SELECT 1 FROM orders_orderline l WHERE l.order_id = o.id)"
        " OR NOT EXISTS (SELECT 1 FROM shipping_shipment s WHERE s.order_id = o.id)",
    ):
        problems.append(f"order {number} is missing its lines or shipments")
    for (shipment_id,) in q(
        database,
        "SELECT s.id FROM shipping_shipment s WHERE NOT EXISTS"
        " (SELECT 1 FROM orders_orderline l WHERE l.shipment_id = s.id AND l.order_id = s.order_id)",
    ):
        problems.append(f"shipment {shipment_id} has no lines of its order")
    sold = dict(
        q(
            database,
            "SELECT l.listing_id, SUM(l.quantity) FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id"
            " WHERE o.status NOT IN ('cancelled', 'expired') GROUP BY l.listing_id",
        )
    )
    for listing_id, quantity, units_sold in q(database, "SELECT id, quantity, units_sold FROM catalog_listing"):
        if listing_id not in stock:
            continue
        if quantity + units_sold != stock[listing_id]:
            problems.append(f"listing {listing_id}: {quantity} in stock + {units_sold} sold != {stock[listing_id]}")
        if units_sold != int(sold.get(listing_id, 0)):
            problems.append(f"listing {listing_id}: {units_sold} sold but order lines say {sold.get(listing_id, 0)}")
    return problems


def available() -> str | None:
    """Why the fault tests cannot run here, or None."""
    if not (MARIADBD and INSTALL_DB):
        return "needs the MariaDB server binaries (apt-get install mariadb-server)"
    try:
        import gunicorn  # noqa: F401
        import MySQLdb  # noqa: F401
    except ImportError as exc:
        return f"needs {exc.name} (requirements.txt)"
    return None


def first_server_error(log: Path, lines: int = 200) -> str:
    """The first "Internal Server Error" in a gunicorn log and the traceback after it, to say why a test saw a 500."""
    text = log.read_text(errors="replace").splitlines()
    for number, line in enumerate(text):
        if "Internal Server Error" in line:
            return "\n".join(text[number : number + lines])
    return "(no Internal Server Error in the log)"
