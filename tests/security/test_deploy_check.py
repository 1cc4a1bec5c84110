"""Production settings pass Django's deployment checklist, and the checklist would notice a regression."""

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "prod-like-" + "k3y-" * 12,
    "ALLOWED_HOSTS": "bookstore.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://bookstore.example.com",
    "SITE_URL": "https://bookstore.example.com",
    "DATABASE_URL": "sqlite:////tmp/bookstore-check-deploy.sqlite3",
}


def check_deploy(**overrides) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in PRODUCTION and not key.startswith("SECURE_")}
    env.update(PRODUCTION, **overrides)
    env["DJANGO_SETTINGS_MODULE"] = "bookstore.settings"
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_production_settings_pass_check_deploy():
    result = check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("override", "warning"),
    [
        ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),
        ({"SESSION_COOKIE_SECURE": "false"}, "security.W012"),
        ({"SECURE_SSL_REDIRECT": "false"}, "security.W008"),
    ],
    ids=["no HSTS", "session cookie over HTTP", "no HTTPS redirect"],
)
def test_check_deploy_fails_when_a_protection_is_switched_off(override, warning):
    result = check_deploy(**override)
    assert result.returncode != 0
    assert warning in result.stdout + result.stderr
