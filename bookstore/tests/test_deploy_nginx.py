"""deploy/nginx: the real site template, rendered into a temporary directory and run by the real NGINX.

`nginx -t` checks it with a self-signed certificate made here with openssl; a live NGINX on loopback then
shows the redirect, the ACME webroot, the TLS versions, the media headers and the upload limit. The helpers
are shared with test_scale_out.py, which puts two gunicorn servers behind the same configuration.
"""

import grp
import http.server
import os
import pwd
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest
import requests

from conftest import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "nginx" / "templates" / "bookstore.conf.template"
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
OPENSSL = shutil.which("openssl")

requires_nginx = pytest.mark.skipif(
    NGINX is None or OPENSSL is None,
    reason="needs the nginx and openssl binaries (script/bootstrap installs nginx-light and openssl)",
)
pytestmark = [pytest.mark.slow, requires_nginx]


def local_session(cert: Path | None = None) -> requests.Session:
    """A client for loopback only: no proxy or CA bundle from the environment; trusts the test's certificate."""
    session = requests.Session()
    session.trust_env = False
    if cert is not None:
        session.verify = str(cert)
    return session


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A one-day self-signed certificate for localhost and 127.0.0.1."""
    cert, key = directory / "fullchain.pem", directory / "privkey.pem"
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return cert, key


def render(template: str, values: dict[str, str]) -> str:
    """envsubst for the named variables only, as the nginx image does; NGINX's own $variables stay."""
    rendered = re.sub(r"\$\{([A-Z_]+)\}", lambda m: values.get(m.group(1), m.group(0)), template)
    missing = set(re.findall(r"\$\{([A-Z_]+)\}", re.sub(r"(?m)^\s*#.*$", "", rendered)))
    assert not missing, f"template variables without a value: {missing}"
    return rendered


class Site:
    """The rendered site, its certificate and directories, in a temporary directory NGINX workers can read."""

    def __init__(self, upstreams: list[str]):
        self.dir = Path(tempfile.mkdtemp(prefix="bookstore-nginx-"))
        self.dir.chmod(0o755)
        self.http_port, self.https_port = free_port(), free_port()
        for name in ("media", "static", "acme", "logs", "temp"):
            (self.dir / name).mkdir()
        self.cert, self.key = make_certificate(self.dir)
        self.key.chmod(0o644)  # read by an unprivileged worker in this test only
        (self.dir / "upstreams.conf").write_text(
            "".join(f"server {address} max_fails=3 fail_timeout=10s;\n" for address in upstreams)
        )
        values = {
            "BOOKSTORE_HOST": "localhost 127.0.0.1",
            "NGINX_LISTEN_HTTP": f"127.0.0.1:{self.http_port}",
            "NGINX_LISTEN_HTTPS": f"127.0.0.1:{self.https_port}",
            "NGINX_TLS_CERTIFICATE": str(self.cert),
            "NGINX_TLS_CERTIFICATE_KEY": str(self.key),
            "NGINX_ACME_ROOT": str(self.dir / "acme"),
            "NGINX_MEDIA_ROOT": str(self.media),
            "NGINX_STATIC_ROOT": str(self.static),
            "NGINX_UPSTREAMS": str(self.dir / "upstreams.conf"),
            "NGINX_HSTS": "max-age=31536000",
        }
        (self.dir / "bookstore.conf").write_text(render(TEMPLATE.read_text(), values))
        (self.dir / "nginx.conf").write_text(self._main_conf())

    @property
    def media(self) -> Path:
        return self.dir / "media"

    @property
    def static(self) -> Path:
        return self.dir / "static"

    @property
    def access_log(self) -> Path:
        return self.dir / "logs" / "access.log"

    def url(self, path: str) -> str:
        return f"https://127.0.0.1:{self.https_port}{path}"

    def _main_conf(self) -> str:
        """What /etc/nginx/nginx.conf gives the site in production, pointed at the temporary directory."""
        user = ""
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            user = f"user nobody {grp.getgrgid(nobody.pw_gid).gr_name};"
        mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").is_file() else ""
        temp = self.dir / "temp"
        return f"""
{user}
worker_processes 1;
pid {self.dir}/nginx.pid;
error_log {self.dir}/logs/error.log warn;
events {{ worker_connections 256; }}
http {{
    {mime}
    default_type application/octet-stream;
    log_format upstreams '$request_method|$request_uri|$status|$upstream_addr|$upstream_status';
    access_log {self.access_log} upstreams;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {self.dir}/bookstore.conf;
}}
"""

    def nginx(self, *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - the test's own configuration
            [NGINX, "-p", str(self.dir), "-c", str(self.dir / "nginx.conf"), *args],
            capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip

    def upstream_log(self) -> list[tuple[str, str, str, str, str]]:
        """(method, uri, status, upstream addresses, their statuses) per request, "-" when NGINX answered itself.

        A request passed on to another server names both: "127.0.0.1:1, 127.0.0.1:2" and "502, 200".
        """
        lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
        return [tuple(line.split("|")) for line in lines]

    def __enter__(self):
        self.process = subprocess.Popen(  # noqa: S603 - the test's own configuration
            [NGINX, "-p", str(self.dir), "-c", str(self.dir / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        wait_for_port(self.https_port, process=self.process)
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        process = getattr(self, "process", None)
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def site():
    site = Site(upstreams=[f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"])
    try:
        yield site
    finally:
        site.close()


def test_nginx_accepts_the_real_configuration(site):
    result = site.nginx("-t")
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr
    assert "[emerg]" not in result.stderr


def test_a_broken_configuration_is_refused(site):
    """The check above would catch a mistake: the same run fails when the certificate is missing."""
    site.cert.unlink()
    result = site.nginx("-t")
    assert result.returncode != 0
    assert "fullchain.pem" in result.stderr


def test_http_redirects_to_https_except_the_acme_challenge(site):
    token = site.dir / "acme" / ".well-known" / "acme-challenge"
    token.mkdir(parents=True)
    (token / "abc123").write_text("abc123.thumbprint")
    http = local_session()
    with site:
        plain = f"http://127.0.0.1:{site.http_port}"
        response = http.get(f"{plain}/books/?q=dune", allow_redirects=False, timeout=5)
        assert response.status_code == 301
        assert response.headers["Location"] == "https://127.0.0.1/books/?q=dune"

        challenge = http.get(f"{plain}/.well-known/acme-challenge/abc123", allow_redirects=False, timeout=5)
        assert challenge.status_code == 200
        assert challenge.text == "abc123.thumbprint"


def _handshake(port: int, version: ssl.TLSVersion) -> str:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    # Let the client offer old protocols, so a refusal comes from the server.
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    context.minimum_version = context.maximum_version = version
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        return tls.version()


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
def test_tls_follows_the_intermediate_profile(site):
    with site:
        assert _handshake(site.https_port, ssl.TLSVersion.TLSv1_3) == "TLSv1.3"
        assert _handshake(site.https_port, ssl.TLSVersion.TLSv1_2) == "TLSv1.2"
        with pytest.raises(ssl.SSLError, match=r"(?i)protocol version"):
            _handshake(site.https_port, ssl.TLSVersion.TLSv1_1)


def test_media_are_served_safely(site):
    http = local_session(site.cert)
    photos = site.media / "listings" / "ab"
    photos.mkdir(parents=True)
    (photos / "cover.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (photos / "page.html").write_text("<script>alert(1)</script>")
    (site.media / ".readyz").mkdir()
    (site.media / ".readyz" / "probe").write_text("ok")
    sellers_file = site.media / "private" / "imports" / "7" / "0123abcd"
    sellers_file.mkdir(parents=True)
    (sellers_file / "listings.csv").write_text("sku,price\nA-1,12.50\n")
    with site:
        photo = http.get(site.url("/media/listings/ab/cover.jpg"), timeout=5)
        assert photo.status_code == 200
        assert photo.headers["Content-Type"] == "image/jpeg"
        assert photo.headers["X-Content-Type-Options"] == "nosniff"
        assert "Content-Disposition" not in photo.headers
        assert "sandbox" in photo.headers["Content-Security-Policy"]

        html = http.get(site.url("/media/listings/ab/page.html"), timeout=5)
        assert html.status_code == 200
        assert html.headers["Content-Type"] == "application/octet-stream"
        assert html.headers["Content-Disposition"] == "attachment"
        assert html.headers["X-Content-Type-Options"] == "nosniff"

        assert http.get(site.url("/media/.readyz/probe"), timeout=5).status_code == 404
        # HSTS for this host only: includeSubDomains and preload wait for the operator's opt-in (NGINX_HSTS).
        assert photo.headers["Strict-Transport-Security"] == "max-age=31536000"
        # A seller's listings file is read by the app only, even by someone who knows its name.
        assert http.get(site.url("/media/private/imports/7/0123abcd/listings.csv"), timeout=5).status_code == 404


def test_static_files_are_cached_for_a_year(site):
    http = local_session(site.cert)
    (site.static / "css").mkdir()
    (site.static / "css" / "site.0123456789ab.css").write_text("body { color: black; }\n" * 100)
    with site:
        response = http.get(
            site.url("/static/css/site.0123456789ab.css"), headers={"Accept-Encoding": "gzip"}, timeout=5
        )
        assert response.status_code == 200
        assert "immutable" in response.headers["Cache-Control"]
        assert "max-age=31536000" in response.headers["Cache-Control"]
        assert response.headers["Content-Encoding"] == "gzip"


def test_uploads_above_the_limit_are_refused_before_the_app(site):
    http = local_session(site.cert)
    with site:
        response = http.post(site.url("/sell/listings/new/"), data=b"x" * (51 * 1024 * 1024), timeout=30)
        assert response.status_code == 413


def test_no_app_server_answers_502(site):
    """Both upstreams are closed ports: NGINX tries each, then answers 502 (the scale-out test has live ones)."""
    http = local_session(site.cert)
    with site:
        response = http.get(site.url("/books/"), timeout=10)
    assert response.status_code == 502
    [(method, _, status, upstreams, statuses)] = [entry for entry in site.upstream_log() if entry[1] == "/books/"]
    assert (method, status) == ("GET", "502")
    assert upstreams.count("127.0.0.1:") == 2 and statuses == "502, 502"


class _HealthyApp(http.server.BaseHTTPRequestHandler):
    """Stands in for gunicorn: /healthz answers "ok" and says which Host it was asked for."""

    def do_GET(self):
        body = f"ok {self.headers['Host']}".encode() if self.path == "/healthz" else b"nope"
        self.send_response(200 if self.path == "/healthz" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_the_containers_health_check_reaches_the_app_through_nginx_over_plain_http():
    """What the nginx service's healthcheck asks (wget http://127.0.0.1/healthz): NGINX answers and proxies."""
    app = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HealthyApp)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    site = Site(upstreams=[f"127.0.0.1:{app.server_address[1]}"])
    try:
        with site:
            plain = local_session()
            health = plain.get(f"http://127.0.0.1:{site.http_port}/healthz", allow_redirects=False, timeout=5)
            assert (health.status_code, health.text) == (200, "ok localhost")  # the site's own name as Host
            # Only that path: the rest of plain HTTP still goes to HTTPS.
            other = plain.get(f"http://127.0.0.1:{site.http_port}/healthz/x", allow_redirects=False, timeout=5)
            assert other.status_code == 301
            app.shutdown()
            app.server_close()
            down = plain.get(f"http://127.0.0.1:{site.http_port}/healthz", allow_redirects=False, timeout=10)
            assert down.status_code == 502  # no app server: the check fails
    finally:
        app.server_close()
        site.close()


def test_compose_and_swarm_nginx_health_checks_ask_that_path():
    import yaml

    for file in (ROOT / "docker-compose.yml", ROOT / "deploy" / "swarm" / "stack.yml"):
        test = yaml.safe_load(file.read_text())["services"]["nginx"]["healthcheck"]["test"]
        assert test[:2] == ["CMD", "wget"] and test[-1] == "http://127.0.0.1/healthz", file
