#!/usr/bin/env python
"""Container start (Swarm web/worker/beat, AWS instances): wait until the database schema is the one this image's
code expects, i.e. every migration the image ships has been applied by the release step, or say why not.

Migrations themselves run once per release, elsewhere (the Swarm `migrate` job, the AWS release document), never
in the replicas; a replica of a new image that starts before them waits here instead of serving an old schema.
Exit status 0 once nothing is left to apply, 1 after --timeout seconds (the task restarts, the update rolls back).
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookstore.settings")


def pending_migrations() -> list[str]:
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    connection = connections["default"]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=300, help="seconds to keep waiting (default 300)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import DatabaseError, connections

    deadline = time.monotonic() + args.timeout
    said = None
    while True:
        try:
            pending = pending_migrations()
        except DatabaseError as exc:
            pending = [f"(database: {exc})"]
        finally:
            connections.close_all()
        if not pending:
            return 0
        if pending != said:
            print(f"Waiting for the release step to apply {len(pending)} migration(s): {', '.join(pending[:5])}",
                  file=sys.stderr)  # fmt: skip
            said = pending
        if time.monotonic() >= deadline:
            print(f"Migrations still pending after {args.timeout:g} s: run the release step "
                  "(deploy/README.md) before the new image.", file=sys.stderr)  # fmt: skip
            return 1
        time.sleep(3)


if __name__ == "__main__":
    sys.exit(main())
