"""`./script/run` points the links in emails at the server it starts (SITE_URL from HOST and PORT).

The real script runs in a copy of the checkout's layout whose bootstrap and Python are stand-ins: each records
what it was asked to do, and the stand-in for `manage.py runserver` prints the SITE_URL the server would get.
"""

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FAKE_PYTHON = """#!/usr/bin/env bash
if [ "${1:-}" = manage.py ] && [ "${2:-}" = runserver ]; then
  echo "runserver $3 SITE_URL=${SITE_URL:-unset}"
fi
"""


@pytest.fixture
def checkout(tmp_path):
    (tmp_path / "script").mkdir()
    shutil.copy(ROOT / "script" / "run", tmp_path / "script" / "run")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    for path, text in [
        (tmp_path / "script" / "bootstrap", "#!/usr/bin/env bash\n"),
        (tmp_path / ".venv/bin/python", FAKE_PYTHON),
    ]:
        path.write_text(text)
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return tmp_path


def run(checkout: Path, **env: str) -> str:
    clean = {key: value for key, value in os.environ.items() if key not in ("HOST", "PORT", "SITE_URL")}
    result = subprocess.run(  # noqa: S603 - the repository's own script
        ["/bin/bash", str(checkout / "script" / "run")],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_links_lead_to_the_port_the_server_listens_on(checkout):
    assert run(checkout) == "runserver 127.0.0.1:8000 SITE_URL=http://127.0.0.1:8000"
    assert run(checkout, PORT="8010") == "runserver 127.0.0.1:8010 SITE_URL=http://127.0.0.1:8010"
    assert run(checkout, HOST="localhost", PORT="8123") == "runserver localhost:8123 SITE_URL=http://localhost:8123"


def test_a_server_listening_everywhere_links_to_this_machine(checkout):
    assert run(checkout, HOST="0.0.0.0", PORT="8010").endswith("SITE_URL=http://127.0.0.1:8010")  # noqa: S104
    assert run(checkout, HOST="::1", PORT="8010").endswith("SITE_URL=http://[::1]:8010")


def test_a_site_url_that_is_set_wins(checkout):
    assert run(checkout, PORT="8010", SITE_URL="https://books.example.test").endswith(
        "SITE_URL=https://books.example.test"
    )
    # One in .env is left for the settings to read.
    (checkout / ".env").write_text("DEBUG=true\nSITE_URL=https://from-dotenv.example.test\n")
    assert run(checkout, PORT="8010").endswith("SITE_URL=unset")
