"""Settings come from the environment; production refuses to start without its secrets."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "db = settings.DATABASES['default']; "
    "print(json.dumps({'debug': settings.DEBUG, 'engine': db['ENGINE'], 'options': db.get('OPTIONS', {}), "
    "'conn_max_age': db.get('CONN_MAX_AGE'), 'health': db.get('CONN_HEALTH_CHECKS'), "
    "'secret': settings.SECRET_KEY, 'password': db.get('PASSWORD'), 'hosts': settings.ALLOWED_HOSTS, "
    "'proxy': getattr(settings, 'SECURE_PROXY_SSL_HEADER', None), 'cache': settings.CACHES['default']['BACKEND']}))"
)


def run_with_env(env_overrides, code=PROBE, args=None):
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DATABASE", "SECRET", "DEBUG", "CACHE", "SITE_URL"))
    }
    env.update({"DJANGO_SETTINGS_MODULE": "bookstore.settings", **env_overrides})
    command = [sys.executable, *(args or ["-c", code])]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)  # noqa: S603


def test_with_nothing_set_it_runs_for_a_developer_on_sqlite():
    result = run_with_env({})
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["debug"] is True
    assert values["engine"] == "django.db.backends.sqlite3"


def test_production_refuses_to_start_without_a_secret_key():
    result = run_with_env({"DEBUG": "false", "ALLOWED_HOSTS": "shop.example.com"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


SITE_PROBE = "import django; from django.conf import settings; django.setup(); print(settings.SITE_URL)"
PRODUCTION_SECRET = {"DEBUG": "false", "SECRET_KEY": "s" * 50, "ALLOWED_HOSTS": "shop.example.com"}


def test_production_refuses_to_start_without_the_public_address_for_links_in_emails():
    result = run_with_env(PRODUCTION_SECRET, code=SITE_PROBE)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SITE_URL must be set when DEBUG is off" in result.stderr
    assert "https://bookstore.example.com" in result.stderr  # an example of what to set


@pytest.mark.parametrize(
    "value", ["shop.example.com", "ftp://shop.example.com", "https://", "https://shop.example.com/store/"]
)
def test_a_site_url_that_is_not_a_scheme_and_host_is_refused_with_what_was_wrong(value):
    result = run_with_env({**PRODUCTION_SECRET, "SITE_URL": value}, code=SITE_PROBE)
    assert result.returncode != 0
    assert "SITE_URL must be a scheme and a host" in result.stderr
    assert repr(value.rstrip("/")) in result.stderr


def test_site_url_keeps_its_port_and_loses_a_trailing_slash():
    result = run_with_env({**PRODUCTION_SECRET, "SITE_URL": "https://shop.example.com:8443/"}, code=SITE_PROBE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://shop.example.com:8443"
    developer = run_with_env({}, code=SITE_PROBE)
    assert developer.returncode == 0, developer.stderr
    assert developer.stdout.strip() == "http://localhost:8000"


def test_secrets_can_come_from_files(tmp_path):
    (tmp_path / "secret").write_text("s3cret-from-a-docker-secret\n")
    (tmp_path / "dbpass").write_text("db-password-from-file\n")
    result = run_with_env(
        {
            "DEBUG": "false",
            "ALLOWED_HOSTS": "shop.example.com",
            "SITE_URL": "https://shop.example.com",
            "SECRET_KEY_FILE": str(tmp_path / "secret"),
            "DATABASE_URL": "mysql://bookstore@db.internal:3306/bookstore",
            "DATABASE_PASSWORD_FILE": str(tmp_path / "dbpass"),
        }
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["secret"] == "s3cret-from-a-docker-secret"
    assert values["password"] == "db-password-from-file"
    assert values["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_mysql_url_gets_utf8mb4_and_persistent_checked_connections():
    result = run_with_env({"DATABASE_URL": "mysql://u:p@127.0.0.1:3306/bookstore", "CONN_MAX_AGE": "120"})
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.mysql"
    assert values["options"]["charset"] == "utf8mb4"
    assert values["conn_max_age"] == 120
    assert values["health"] is True


def test_cache_url_selects_a_shared_cache():
    result = run_with_env({"CACHE_URL": "redis://127.0.0.1:6379/1"})
    assert result.returncode == 0, result.stderr
    assert "Redis" in json.loads(result.stdout)["cache"]


SESSION_PROBE = "import django; from django.conf import settings; django.setup(); print(settings.SESSION_ENGINE)"


def test_sessions_are_read_from_a_shared_cache_and_never_from_a_per_process_one():
    shared = run_with_env({"CACHE_URL": "redis://127.0.0.1:6379/1"}, code=SESSION_PROBE)
    assert shared.returncode == 0, shared.stderr
    assert shared.stdout.strip() == "bookstore.sessions"
    local = run_with_env({}, code=SESSION_PROBE)
    assert local.returncode == 0, local.stderr
    assert local.stdout.strip() == "django.contrib.sessions.backends.db"


@pytest.mark.slow
def test_production_settings_pass_check_deploy():
    result = run_with_env(
        {
            "DEBUG": "false",
            "SECRET_KEY": "x" * 20 + "a-long-random-looking-value-for-the-check-0123456789",
            "ALLOWED_HOSTS": "bookstore.example.com",
            "CSRF_TRUSTED_ORIGINS": "https://bookstore.example.com",
            "SITE_URL": "https://bookstore.example.com",
        },
        args=["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
    )
    assert result.returncode == 0, result.stdout + result.stderr


HSTS_PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps([settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
    "settings.SECURE_HSTS_PRELOAD, sorted(settings.SILENCED_SYSTEM_CHECKS)]))"
)
PRODUCTION_SITE = {**PRODUCTION_SECRET, "SITE_URL": "https://shop.example.com"}


def test_hsts_covers_this_host_only_unless_the_operator_opts_in():
    # A fresh domain must not commit its subdomains, or the browsers' preload list, by default.
    default = run_with_env(PRODUCTION_SITE, code=HSTS_PROBE)
    assert default.returncode == 0, default.stderr
    seconds, subdomains, preload, silenced = json.loads(default.stdout)
    assert (seconds, subdomains, preload) == (31_536_000, False, False)
    assert {"security.W005", "security.W021"} <= set(silenced)  # off by choice, not forgotten

    opted_in = run_with_env(
        {**PRODUCTION_SITE, "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true", "SECURE_HSTS_PRELOAD": "true"}, code=HSTS_PROBE
    )
    assert opted_in.returncode == 0, opted_in.stderr
    seconds, subdomains, preload, silenced = json.loads(opted_in.stdout)
    assert (subdomains, preload) == (True, True)
    assert not {"security.W005", "security.W021"} & set(silenced)
