#!/usr/bin/env python
"""Restore a backup made by deploy/docker/backup.py into a fresh database, and its media into a media root.

    python deploy/docker/restore.py --list                                # the backups at BACKUP_TARGET
    python deploy/docker/restore.py --database bookstore_restored --create-database [--backup 20250101T023000Z]

It connects as DATABASE_URL does (its user needs CREATE with --create-database) but loads into --database,
which must be empty: it never writes over a database with tables in it. The media archive is unpacked into
--media-root (MEDIA_ROOT by default), which must be empty too unless --no-media. Runbook: deploy/README.md,
"Backups and restore". Exit status 0 when restored.
"""

from __future__ import annotations

import argparse
import gzip
import logging
import os
import re
import shutil
import subprocess  # nosec B404 - runs the MySQL clients with fixed arguments
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import backup as backups  # deploy/docker/backup.py, beside this file

logger = logging.getLogger("bookstore.restore")
DATABASE_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")


def table_count(db: dict, name: str) -> int | None:
    """How many tables database ``name`` holds; None when it does not exist."""
    import MySQLdb

    ssl = (db.get("OPTIONS") or {}).get("ssl")
    connection = MySQLdb.connect(
        host=db.get("HOST") or "127.0.0.1", port=int(db.get("PORT") or 3306), user=db.get("USER") or "root",
        password=db.get("PASSWORD") or "", **({"ssl": ssl} if ssl else {}),
    )  # fmt: skip
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = %s", [name])
        if not cursor.fetchone()[0]:
            return None
        cursor.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s", [name])
        return cursor.fetchone()[0]
    finally:
        connection.close()


def create_database(db: dict, name: str) -> None:
    import MySQLdb

    ssl = (db.get("OPTIONS") or {}).get("ssl")
    connection = MySQLdb.connect(
        host=db.get("HOST") or "127.0.0.1", port=int(db.get("PORT") or 3306), user=db.get("USER") or "root",
        password=db.get("PASSWORD") or "", **({"ssl": ssl} if ssl else {}),
    )  # fmt: skip
    try:
        # The name was checked against DATABASE_NAME: letters, digits and underscores only.
        connection.cursor().execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    finally:
        connection.close()


def load_dump(db: dict, name: str, dump: Path) -> None:
    mysql = os.environ.get("BACKUP_MYSQL") or backups.client_binary("mysql", "mariadb")
    with backups.client_options(db) as options:
        process = subprocess.Popen(  # noqa: S603  # nosec B603 - fixed client, checked database name
            [mysql, *options, "--default-character-set=utf8mb4", name],
            stdin=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        with gzip.open(dump, "rb") as source:
            shutil.copyfileobj(source, process.stdin, 1 << 20)
        process.stdin.close()
        stderr = process.stderr.read().decode(errors="replace")
        if process.wait() != 0:
            raise RuntimeError(f"loading the dump failed ({process.returncode}): {stderr.strip()}")


def unpack_media(archive: Path, media_root: Path) -> int:
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        members = tar.getmembers()
        tar.extractall(media_root, filter="data")  # refuses absolute paths, .. and devices
    return len(members)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", help="overrides BACKUP_TARGET")
    parser.add_argument("--list", action="store_true", help="list the backups at the target and stop")
    parser.add_argument("--backup", default="latest", help="a timestamp from --list (default: the newest)")
    parser.add_argument("--database", help="the database to restore into (must be empty or missing)")
    parser.add_argument("--create-database", action="store_true", help="create --database first")
    parser.add_argument("--media-root", help="where the media go (default: MEDIA_ROOT); must be empty")
    parser.add_argument("--no-media", action="store_true", help="restore the database only")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    target = backups.open_target(args.target or os.environ.get("BACKUP_TARGET"))
    stamps = backups.backup_sets(target.names())
    if args.list:
        print("\n".join(stamps) or "no backups")
        return 0
    if not stamps:
        print(f"No backups at {target}.", file=sys.stderr)
        return 1
    stamp = stamps[-1] if args.backup == "latest" else args.backup
    if stamp not in stamps:
        print(f"No backup {stamp} at {target} (--list shows them).", file=sys.stderr)
        return 1
    if not args.database or not DATABASE_NAME.match(args.database):
        print("--database: letters, digits and underscores, e.g. bookstore_restored.", file=sys.stderr)
        return 2

    import django

    django.setup()
    from django.conf import settings

    db = backups.database_settings()
    tables = table_count(db, args.database)
    if tables is None and not args.create_database:
        print(f"Database {args.database} does not exist (add --create-database).", file=sys.stderr)
        return 1
    if tables:
        print(f"Database {args.database} has {tables} tables: restore into a fresh one.", file=sys.stderr)
        return 1
    media_root = Path(args.media_root or settings.MEDIA_ROOT)
    if not args.no_media and media_root.is_dir() and any(media_root.iterdir()):
        print(f"{media_root} is not empty: restore the media into an empty directory.", file=sys.stderr)
        return 1

    with tempfile.TemporaryDirectory(prefix="bookstore-restore-") as work:
        dump = Path(work) / f"{backups.PREFIX}{stamp}{backups.DUMP_SUFFIX}"
        target.get(dump.name, dump)
        if tables is None:
            create_database(db, args.database)
        load_dump(db, args.database, dump)
        logger.info("Database %s restored from backup %s at %s", args.database, stamp, target)
        if not args.no_media:
            media = Path(work) / f"{backups.PREFIX}{stamp}{backups.MEDIA_SUFFIX}"
            target.get(media.name, media)
            count = unpack_media(media, media_root)
            logger.info("%d media entries restored into %s", count, media_root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
