#!/usr/bin/env python
"""Wait until the database server in DATABASE_URL answers, or explain why it does not.

Used by script/run, script/test and the Docker entrypoint. SQLite needs no
server and passes at once. For MySQL/MariaDB it connects to the server (not to
the database, which may not exist yet: the test runner creates its own), and
with --create also creates the configured database when it is missing.

Exit status: 0 when reachable, 1 with a message on stderr otherwise.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookstore.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=10, help="seconds to keep trying (default 10)")
    parser.add_argument("--create", action="store_true", help="create the database when it does not exist")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.mysql":
        return 0

    import MySQLdb

    where = f"{db.get('USER') or 'root'}@{db.get('HOST') or 'localhost'}:{db.get('PORT') or 3306}"
    deadline = time.monotonic() + args.timeout
    while True:
        try:
            connection = MySQLdb.connect(
                host=db.get("HOST") or "localhost",
                port=int(db.get("PORT") or 3306),
                user=db.get("USER") or "root",
                password=db.get("PASSWORD") or "",
                connect_timeout=3,
                charset="utf8mb4",
                # TLS-only servers (RDS with require_secure_transport): the same options the app uses.
                **{key: value for key, value in db.get("OPTIONS", {}).items() if key in ("ssl", "ssl_mode")},
            )
            break
        except MySQLdb.OperationalError as exc:
            if time.monotonic() >= deadline:
                print(
                    f"Cannot reach the MySQL/MariaDB server at {where} (from DATABASE_URL): {exc.args[-1]}\n"
                    "Start the server (e.g. `sudo service mariadb start`), fix DATABASE_URL, "
                    "or unset DATABASE_URL to use SQLite.",
                    file=sys.stderr,
                )
                return 1
            time.sleep(1)

    if args.create:
        name = db["NAME"].replace("`", "``")
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
