#!/usr/bin/env python
"""The release step on AWS: the app's own least-privileged database user, then the migrations, once per release.

Run with the master user's credentials (DATABASE_URL and DATABASE_PASSWORD_FILE name the RDS master user), by the
stack's release document (deploy/README.md, AWS, "Release a new version") before the instances roll, and by the
first instance of a new stack (--bootstrap). Environment besides the database's:
  APP_DATABASE_USER           the user the app connects as (bookstore_app)
  APP_DATABASE_PASSWORD_FILE  its password (from Secrets Manager); the user is created, or its password reset
The app user may read and write rows in the app's database and nothing else: no DDL, no other database, no
GRANT. Migrations (DDL) run here, as the master user, under migrate.py's lock.

    release.py              ensure the app user, then migrate
    release.py --bootstrap  ensure the app user exists; migrate only an empty database (a new stack's first boot)
"""

import argparse
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookstore.settings")

USER_NAME = re.compile(r"^[A-Za-z0-9_]{1,32}$")
APP_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"


def ensure_app_user(cursor, user: str, password: str, database: str, *, reset_password: bool) -> str:
    """Create the app user (or reset its password) with row rights on ``database`` only. Returns what it did."""
    cursor.execute("SELECT COUNT(*) FROM mysql.user WHERE user = %s AND host = '%%'", [user])
    exists = cursor.fetchone()[0] > 0
    # User and database names were checked against USER_NAME and come from the operator; passwords are parameters.
    if not exists:
        # IF NOT EXISTS: two instances of a new stack booting together both get here; neither fails.
        cursor.execute(f"CREATE USER IF NOT EXISTS `{user}`@'%%' IDENTIFIED BY %s", [password])
        done = "created"
    elif reset_password:
        cursor.execute(f"ALTER USER `{user}`@'%%' IDENTIFIED BY %s", [password])
        done = "password set"
    else:
        done = "exists"
    # No parameters here, so no %-formatting: the host is a plain '%'.
    cursor.execute(f"GRANT {APP_PRIVILEGES} ON `{database}`.* TO `{user}`@'%'")
    return done


def database_is_empty(cursor, database: str) -> bool:
    cursor.execute(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s AND table_name = 'django_migrations'",
        [database],
    )
    return cursor.fetchone()[0] == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", action="store_true", help="a new stack's first boot: migrate only when empty")
    args = parser.parse_args()

    user = os.environ.get("APP_DATABASE_USER", "bookstore_app")
    password_file = os.environ.get("APP_DATABASE_PASSWORD_FILE")
    if not USER_NAME.match(user) or not password_file:
        print("Set APP_DATABASE_USER (letters, digits, _) and APP_DATABASE_PASSWORD_FILE.", file=sys.stderr)
        return 2
    password = Path(password_file).read_text().strip()

    import django

    django.setup()
    import migrate
    from django.db import connections

    connection = connections["default"]
    database = connection.settings_dict["NAME"]
    if connection.vendor != "mysql" or not USER_NAME.match(database):
        print("The release step needs MySQL/MariaDB and a plain database name.", file=sys.stderr)
        return 2
    if user == connection.settings_dict["USER"]:
        print("APP_DATABASE_USER must differ from the master user DATABASE_URL names.", file=sys.stderr)
        return 2
    with connection.cursor() as cursor:
        done = ensure_app_user(cursor, user, password, database, reset_password=not args.bootstrap)
        empty = database_is_empty(cursor, database)
    print(f"App database user {user}: {done}; {APP_PRIVILEGES} on {database}.* only")
    if args.bootstrap and not empty:
        print("Database already migrated: migrations wait for the release step.")
        return 0
    return migrate.main()


if __name__ == "__main__":
    sys.exit(main())
