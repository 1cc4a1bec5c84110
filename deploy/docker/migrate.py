#!/usr/bin/env python
"""Apply migrations once, however many containers start at the same moment.

On MySQL/MariaDB the run holds a named lock (GET_LOCK), so when several replicas or instances start together
(an Auto Scaling group's first boot, MIGRATE_ON_START on more than one container) they migrate one after the
other and all but the first find nothing to do. Exit status: migrate's, or 1 when the lock is not had in time.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookstore.settings")

LOCK_NAME = "bookstore.migrate"


def main() -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    connection = connections["default"]
    if connection.vendor != "mysql":
        call_command("migrate", interactive=False)
        return 0

    wait = int(os.environ.get("MIGRATE_LOCK_SECONDS", "600"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT GET_LOCK(%s, %s)", [LOCK_NAME, wait])
        if cursor.fetchone()[0] != 1:
            print(f"Another container held the migration lock for {wait} s; giving up.", file=sys.stderr)
            return 1
    try:
        call_command("migrate", interactive=False)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT RELEASE_LOCK(%s)", [LOCK_NAME])
    return 0


if __name__ == "__main__":
    sys.exit(main())
