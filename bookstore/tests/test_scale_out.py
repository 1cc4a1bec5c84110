"""The scale-out shape, for real: NGINX (the deploy/nginx template, TLS on) in front of two gunicorn servers
of this project (deploy/docker/gunicorn.conf.py, DEBUG off, production security settings) sharing one
database and one media directory.

A visitor signs up, follows the emailed link (to SITE_URL, the site NGINX serves) to confirm their address,
signs out and signs in again through allauth's forms, and stays signed in while NGINX
alternates the requests between the two servers. A photo uploaded through one server is served by NGINX
from the shared media root. Then one server is killed (SIGKILL, its whole process group) in the middle of a
stream of GET requests, and none of them fails: NGINX passes each one on to the server still alive.
About 15 s; every wait has its own deadline, and the servers and NGINX are stopped whatever happens.

The servers use the test database itself (transactional test: rows are committed where they can see them);
on SQLite, where the test database lives in memory, they share a migrated database file instead.
"""

import io
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
import requests
from django.db import connection
from PIL import Image

from bookstore.tests.test_deploy_nginx import ROOT, Site, local_session, requires_nginx
from catalog.models import Book, Category, Listing
from conftest import free_port, make_image_bytes, wait_for_port

GUNICORN_CONFIG = ROOT / "deploy" / "docker" / "gunicorn.conf.py"
EMAIL = "scale-out@example.com"
PASSWORD = "a long and unusual passphrase 42"

pytestmark = [
    pytest.mark.slow,
    requires_nginx,
    pytest.mark.skipif(
        subprocess.run([sys.executable, "-c", "import gunicorn"], capture_output=True).returncode != 0,
        reason="needs gunicorn (requirements.txt)",
    ),
    pytest.mark.django_db(transaction=True),
]


def _database_url(workdir: Path) -> str:
    """A DATABASE_URL for the app servers that reaches the database this test uses."""
    db = connection.settings_dict
    if connection.vendor == "mysql":
        user = urllib.parse.quote(db["USER"] or "root", safe="")
        password = f":{urllib.parse.quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
        return f"mysql://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 3306}/{db['NAME']}"
    if connection.vendor == "sqlite":
        url = f"sqlite:///{workdir / 'shared.sqlite3'}"
        migrate = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT, env={**_base_env(), "DATABASE_URL": url}, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert migrate.returncode == 0, migrate.stderr
        return url
    pytest.skip(f"no scale-out set-up for {connection.vendor}")


def _base_env() -> dict[str, str]:
    prefixes = ("DATABASE", "REPLICA", "SECRET", "DEBUG", "CACHE", "MEDIA", "STATIC", "GUNICORN", "SECURE", "CSRF")
    leaky = {"DJANGO_ALLOW_ASYNC_UNSAFE"}  # set by the browser tests in this process; never in production
    return {key: value for key, value in os.environ.items() if not key.startswith(prefixes) and key not in leaky}


class AppServer:
    """One gunicorn of the project, in its own process group so a kill takes it whole, like a dead container."""

    def __init__(self, name: str, site: Site, env: dict[str, str]):
        self.name, self.port = name, free_port()
        self.log = site.dir / "logs" / f"{name}.log"
        self.env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        self.process = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("w") as log:
            self.process = subprocess.Popen(  # noqa: S603 - fixed command
                [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONFIG)],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def wait(self) -> None:
        try:
            wait_for_port(self.port, seconds=30, process=self.process)
        except (RuntimeError, TimeoutError) as exc:
            raise AssertionError(f"{self.name} did not start: {exc}\n{self.log.read_text()[-3000:]}") from exc

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            self.kill()


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    assert page.status_code == 200, (url, page.status_code)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def _post(session, site, path, data, files=None, *, follow=False):
    """A form post as a browser makes it: the page's CSRF token, and Origin and Referer on our HTTPS site."""
    url = site.url(path)
    token = _csrf(session, url)
    headers = {"Origin": site.url(""), "Referer": url}
    return session.post(
        url, data={"csrfmiddlewaretoken": token, **data}, files=files, headers=headers, allow_redirects=follow,
        timeout=30,
    )  # fmt: skip


def _confirmation_link(mail_dir: Path) -> str:
    """The confirmation link in the one email the servers wrote (Django's file backend: one file per sender)."""
    messages = "".join(path.read_text() for path in mail_dir.glob("*.log"))
    links = re.findall(r"https://\S+/accounts/confirm-email/\S+/", messages)
    assert len(set(links)) == 1, messages[-3000:]
    return links[0]


def _upstreams(site: Site, uri: str) -> list[str]:
    return [entry[3] for entry in site.upstream_log() if entry[1] == uri]


def test_two_app_servers_behind_nginx_share_sessions_and_media_and_survive_a_kill():
    if connection.vendor == "mysql":
        # Earlier transactional tests may have flushed the data migration's shelves.
        Category.objects.get_or_create(slug="fiction", defaults={"name": "Fiction"})

    site = Site(upstreams=[])  # servers filled in below, once their ports are known
    servers: list[AppServer] = []
    try:
        env = {
            **_base_env(),
            "DJANGO_SETTINGS_MODULE": "bookstore.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CSRF_TRUSTED_ORIGINS": site.url(""),
            "SITE_URL": site.url(""),
            # Emails land as files the test reads, like a mailbox (django-environ drops one slash of the path).
            "EMAIL_URL": f"filemail:///{site.dir / 'mail'}",
            "DATABASE_URL": _database_url(site.dir),
            "MEDIA_ROOT": str(site.media),
            "STATIC_ROOT": str(site.static),
            "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
            "BEHIND_PROXY": "true",
            "TRUSTED_PROXY_COUNT": "1",
            "GUNICORN_WORKERS": "1",
            "GUNICORN_THREADS": "4",
            "LOG_LEVEL": "WARNING",
        }
        collect = subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert collect.returncode == 0, collect.stderr

        servers = [AppServer("one", site, env), AppServer("two", site, env)]
        for server in servers:
            server.start()
        (site.dir / "upstreams.conf").write_text(
            "".join(f"server {server.address} max_fails=3 fail_timeout=10s;\n" for server in servers)
        )
        for server in servers:
            server.wait()

        with site:
            browser = local_session(site.cert)

            # --- Sign up, confirm the address, sign out, sign in again, all through allauth's forms ---
            signup = _post(
                browser, site, "/accounts/signup/", {"email": EMAIL, "password1": PASSWORD, "password2": PASSWORD}
            )
            assert signup.status_code == 302, signup.text[:2000]
            link = _confirmation_link(site.dir / "mail")
            assert link.startswith(site.url("/accounts/confirm-email/")), link
            assert _post(browser, site, urllib.parse.urlsplit(link).path, {}).status_code == 302
            assert _post(browser, site, "/accounts/logout/", {}).status_code == 302
            assert EMAIL not in browser.get(site.url("/"), timeout=10).text
            login = _post(browser, site, "/accounts/login/", {"login": EMAIL, "password": PASSWORD})
            assert login.status_code == 302, login.text[:2000]
            assert browser.cookies.get("sessionid")

            # --- The session holds whichever server answers ---
            for _ in range(8):
                profile = browser.get(site.url("/accounts/profile/"), allow_redirects=False, timeout=10)
                assert profile.status_code == 200
                assert EMAIL in profile.text
                assert profile.headers["Strict-Transport-Security"].startswith("max-age=")
            served_by = _upstreams(site, "/accounts/profile/")
            assert {server.address for server in servers} == set(served_by), served_by

            # --- A photo uploaded through one server, served by NGINX from the shared media root ---
            shop = {"name": "Scale-Out Books", "about": "", "city": "Medellín", "region": "", "country": "CO"}
            assert _post(browser, site, "/sell/shop/", shop).status_code == 302
            form = browser.get(site.url("/sell/listings/new/"), timeout=10).text
            category = re.search(r'name="category"[^>]*>.*?<option value="(\d+)"', form, re.S).group(1)
            listing = {
                "isbn": "", "title": "Scaling Django", "authors": "A. Replica", "publisher": "", "year": "2020",
                "language": Book.Language.ENGLISH, "binding": Book.Binding.PAPERBACK, "category": category,
                "description": "", "condition": Listing.Condition.VERY_GOOD, "condition_notes": "",
                "price": "12.50", "quantity": "2", "action": "publish",
            }  # fmt: skip
            photo = ("cover.png", make_image_bytes("PNG", (600, 800), (10, 120, 200)), "image/png")
            created = _post(browser, site, "/sell/listings/new/", listing, files={"photos": photo})
            assert created.status_code == 302, created.text[:3000]
            [uploaded_by] = _upstreams(site, "/sell/listings/new/")[-1:]

            if connection.vendor == "mysql":
                listing_pk = Listing.objects.get(book__title="Scaling Django").pk
            else:  # the servers' own SQLite file: found as a buyer finds it, from the search to the book's copies
                results = browser.get(site.url("/books/?q=Scaling"), timeout=10).text
                book_path = re.search(r'href="(/books/work/\d+/)"', results).group(1)
                copies = browser.get(site.url(book_path), timeout=10).text
                listing_pk = re.search(r'href="/books/(\d+)/"', copies).group(1)
            page = browser.get(site.url(f"/books/{listing_pk}/"), timeout=10)
            media_url = re.search(r'(/media/listings/[^"\s]+\.jpg)', page.text).group(1)
            assert (site.media / media_url.removeprefix("/media/")).is_file()
            served = local_session(site.cert).get(site.url(media_url), timeout=10)
            assert served.status_code == 200
            assert served.headers["Content-Type"] == "image/jpeg"
            assert served.headers["X-Content-Type-Options"] == "nosniff"
            with Image.open(io.BytesIO(served.content)) as image:
                assert image.format == "JPEG"
            assert _upstreams(site, media_url) == ["-"], "media must come from NGINX, not an app server"
            assert uploaded_by in {server.address for server in servers}

            # Static files: built once, served by NGINX with a year of caching.
            stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page.text).group(1)
            static = local_session(site.cert).get(site.url(stylesheet), timeout=10)
            assert static.status_code == 200
            assert static.headers["Cache-Control"] == "public, max-age=31536000, immutable"

            # A load balancer's probe names a node's address as Host; NGINX passes it on under the site's name.
            probe = local_session(site.cert).get(site.url("/readyz"), headers={"Host": "10.0.3.7"}, timeout=10)
            assert probe.status_code == 200, probe.text
            assert probe.json()["checks"] == {"database": True, "media": True}

            # --- One server dies in the middle of a stream of GETs: none of them fails ---
            paths = ["/books/", "/accounts/profile/", "/", "/books/?q=Scaling"]
            results: list[tuple[str, int]] = []
            stop = threading.Event()

            def visit():
                n = 0
                while not stop.is_set() and n < 400:
                    path = paths[n % len(paths)]
                    try:
                        response = browser.get(site.url(path), allow_redirects=False, timeout=15)
                        results.append((path, response.status_code))
                        if path == "/accounts/profile/" and EMAIL not in response.text:
                            results.append((path, -1))  # signed out: the session was lost
                    except requests.RequestException as exc:
                        results.append((path, repr(exc)))
                    n += 1

            def wait_for(count: int, seconds: float) -> None:
                deadline = time.monotonic() + seconds
                while len(results) < count and time.monotonic() < deadline and visitor.is_alive():
                    time.sleep(0.05)

            visitor = threading.Thread(target=visit)
            visitor.start()
            try:
                wait_for(4, 20)
                servers[0].kill()
                killed_at = len(results)
                wait_for(killed_at + 12, 30)
            finally:
                stop.set()
                visitor.join(timeout=30)

            assert killed_at >= 4 and len(results) >= killed_at + 12, results
            failures = [result for result in results if result[1] != 200]
            assert failures == [], failures
            # NGINX met the dead server and passed those requests on to the live one.
            dead = servers[0].address
            passed_on = [entry for entry in site.upstream_log() if entry[3].startswith(f"{dead}, ")]
            assert passed_on and all(entry[2] == "200" for entry in passed_on), passed_on

            # After the kill only the live server answers, and a form post still goes through.
            survivor = servers[1].address
            again = _post(browser, site, "/sell/shop/", {**shop, "about": "Still here."})
            assert again.status_code == 302
            tail = site.upstream_log()[-5:]
            assert all(entry[3].endswith(survivor) for entry in tail), tail
    finally:
        for server in servers:
            server.stop()
        site.close()
