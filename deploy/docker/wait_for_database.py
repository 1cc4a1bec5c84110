#!/usr/bin/env python
"""Container start: wait until Django opens its database connection, or say why it cannot.

Unlike script/wait_for_db.py (a developer's check that the server answers, before the test database exists),
this connects the way the app will, with every OPTIONS of the settings: TLS to RDS (DATABASE_SSL_CA), the
database name, the user's rights. Exit status 0 once connected, 1 after --timeout seconds.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookstore.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=60, help="seconds to keep trying (default 60)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import OperationalError, connections

    connection = connections["default"]
    deadline = time.monotonic() + args.timeout
    while True:
        try:
            connection.ensure_connection()
            connection.close()
            return 0
        except OperationalError as exc:
            if time.monotonic() >= deadline:
                where = f"{connection.settings_dict.get('HOST') or 'localhost'}/{connection.settings_dict['NAME']}"
                print(f"No database connection to {where} after {args.timeout:g} s: {exc}", file=sys.stderr)
                return 1
            time.sleep(2)


if __name__ == "__main__":
    sys.exit(main())
