"""Reading the environment: the ``.env`` file if there is one, secrets from files, and DEBUG, which every section
of the settings reads for its defaults."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")


def env_secret(name: str, default=None):
    """Read NAME, or the content of the file named by NAME_FILE (Docker/Swarm secrets)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE points at an unreadable file: {exc}") from exc
    return env.str(name, default=default)


DEBUG = env.bool("DEBUG", default=True)
