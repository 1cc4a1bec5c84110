#!/usr/bin/env python
"""Off-host backups of the database and the media: mysqldump --single-transaction plus a media archive, sent to
an S3-compatible bucket or a directory on another host, old ones pruned. Restore: deploy/docker/restore.py.

    python deploy/docker/backup.py                  # one backup now (exit 1 when it fails)
    python deploy/docker/backup.py --daily          # the `backup` service: every day at BACKUP_AT (UTC)

The database is the app's own (DATABASE_URL, DATABASE_PASSWORD_FILE, DATABASE_SSL_CA, as the settings read
them); the password reaches mysqldump in a private option file, never on its command line. Environment:
  BACKUP_TARGET          s3://bucket/prefix (AWS S3, or any S3-compatible store with BACKUP_S3_ENDPOINT_URL)
                         or /path/to/a/directory mounted from another host (NFS, ...). Required.
  BACKUP_S3_ENDPOINT_URL an S3-compatible endpoint (MinIO, Backblaze B2, Wasabi, ...); empty for AWS S3
  BACKUP_S3_REGION       the bucket's region (optional)
                         credentials: boto3's usual chain, e.g. AWS_SHARED_CREDENTIALS_FILE=/run/secrets/...
  BACKUP_KEEP_DAYS       backups older than this are deleted from the target after a good backup (14);
                         the newest one is never deleted
  BACKUP_AT              HH:MM (UTC) of the daily backup with --daily (02:30)
  MEDIA_ROOT             the media directory archived beside the dump
Each backup is two files with one timestamp: bookstore-20250101T023000Z.sql.gz and ...media.tar.gz; the dump is
written last, so a backup set counts only once its dump is there.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gzip
import logging
import os
import re
import shutil
import subprocess  # nosec B404 - runs the MySQL clients with fixed arguments
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookstore.settings")

logger = logging.getLogger("bookstore.backup")

PREFIX = "bookstore-"
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
DUMP_SUFFIX = ".sql.gz"
MEDIA_SUFFIX = ".media.tar.gz"
NAME = re.compile(rf"^{PREFIX}(\d{{8}}T\d{{6}}Z)(\.sql\.gz|\.media\.tar\.gz)$")


# --- Where the database is --------------------------------------------------------------------------------


def database_settings() -> dict:
    """The default database as the app's settings see it (URL, password file, TLS CA)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if "mysql" not in db["ENGINE"]:
        raise SystemExit(f"Backups need MySQL or MariaDB; DATABASE_URL names {db['ENGINE']}.")
    return db


@contextlib.contextmanager
def client_options(db: dict) -> Iterator[list[str]]:
    """mysql/mysqldump arguments for ``db``: a private option file with the password (first), host, port, user."""
    with tempfile.NamedTemporaryFile("w", prefix="bookstore-client-", suffix=".cnf", delete=False) as file:
        password = (db.get("PASSWORD") or "").replace("\\", "\\\\").replace('"', '\\"')
        file.write(f'[client]\npassword="{password}"\n')
    try:
        os.chmod(file.name, 0o600)
        options = [f"--defaults-extra-file={file.name}", f"--host={db.get('HOST') or '127.0.0.1'}"]
        options += [f"--port={db.get('PORT') or 3306}", f"--user={db.get('USER') or 'root'}"]
        ca = (db.get("OPTIONS") or {}).get("ssl", {}).get("ca")
        if ca:
            options.append(f"--ssl-ca={ca}")
        yield options
    finally:
        os.unlink(file.name)


def client_binary(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit(f"None of {', '.join(names)} is installed (the image installs mariadb-client).")


# --- Where backups go ------------------------------------------------------------------------------------------


class DirectoryTarget:
    """A directory, typically mounted from another host (NFS); files appear under their name only when whole."""

    def __init__(self, path: str):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)

    def __str__(self) -> str:
        return str(self.path)

    def names(self) -> list[str]:
        return sorted(entry.name for entry in self.path.iterdir() if NAME.match(entry.name))

    def put(self, local: Path, name: str) -> None:
        partial = self.path / f".{name}.partial"
        shutil.copyfile(local, partial)
        partial.replace(self.path / name)

    def get(self, name: str, local: Path) -> None:
        shutil.copyfile(self.path / name, local)

    def delete(self, name: str) -> None:
        (self.path / name).unlink(missing_ok=True)


class S3Target:
    """s3://bucket/prefix on AWS S3 or any S3-compatible store (BACKUP_S3_ENDPOINT_URL)."""

    def __init__(self, url: str):
        import boto3

        bucket, _, prefix = url.removeprefix("s3://").partition("/")
        self.bucket, self.prefix = bucket, (prefix.rstrip("/") + "/" if prefix else "")
        self.client = boto3.client(
            "s3",
            endpoint_url=os.environ.get("BACKUP_S3_ENDPOINT_URL") or None,
            region_name=os.environ.get("BACKUP_S3_REGION") or None,
        )

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def names(self) -> list[str]:
        names = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                name = item["Key"].removeprefix(self.prefix)
                if NAME.match(name):
                    names.append(name)
        return sorted(names)

    def put(self, local: Path, name: str) -> None:
        self.client.upload_file(str(local), self.bucket, self.prefix + name)

    def get(self, name: str, local: Path) -> None:
        self.client.download_file(self.bucket, self.prefix + name, str(local))

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + name)


def open_target(url: str | None) -> DirectoryTarget | S3Target:
    if not url:
        raise SystemExit("Set BACKUP_TARGET (s3://bucket/prefix, or a directory mounted from another host).")
    if url.startswith("s3://"):
        return S3Target(url)
    if url.startswith("file://"):
        url = url.removeprefix("file://")
    if not url.startswith("/"):
        raise SystemExit(f"BACKUP_TARGET must be s3://bucket/prefix or an absolute directory, not {url!r}.")
    return DirectoryTarget(url)


def backup_sets(names: list[str]) -> list[str]:
    """The timestamps of the complete backups (their dump is there), oldest first."""
    return sorted(NAME.match(name).group(1) for name in names if name.endswith(DUMP_SUFFIX))


# --- Backup -----------------------------------------------------------------------------------------------------


def dump_database(db: dict, destination: Path) -> None:
    """mysqldump --single-transaction: a consistent snapshot of InnoDB tables without locking the site."""
    mysqldump = os.environ.get("BACKUP_MYSQLDUMP") or client_binary("mysqldump", "mariadb-dump")
    with client_options(db) as options:
        command = [
            mysqldump, *options, "--single-transaction", "--quick", "--routines", "--triggers",
            "--no-tablespaces", "--hex-blob", "--default-character-set=utf8mb4", db["NAME"],
        ]  # fmt: skip
        with gzip.open(destination, "wb") as out:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # noqa: S603  # nosec B603
            tail = b""
            for chunk in iter(lambda: process.stdout.read(1 << 20), b""):
                out.write(chunk)
                tail = (tail + chunk)[-4096:]
            stderr = process.stderr.read().decode(errors="replace")
            if process.wait() != 0:
                raise RuntimeError(f"mysqldump failed ({process.returncode}): {stderr.strip()}")
    # mysqldump ends a whole dump with this line: a dump cut short (disk full, connection lost) has none.
    if b"-- Dump completed" not in tail:
        raise RuntimeError("the dump is incomplete (no '-- Dump completed' line)")


def archive_media(media_root: Path, destination: Path) -> None:
    with tarfile.open(destination, "w:gz") as archive:
        if media_root.is_dir():
            for entry in sorted(media_root.iterdir()):
                if entry.name == ".readyz":  # the readiness probe's scratch files
                    continue
                archive.add(entry, arcname=entry.name)


def prune(target, keep_days: int, now: dt.datetime) -> list[str]:
    """Delete backups older than ``keep_days`` from ``target``, never the newest; returns the names deleted."""
    stamps = backup_sets(target.names())
    cutoff = now - dt.timedelta(days=keep_days)
    newest = stamps[-1] if stamps else None
    deleted = []
    for name in target.names():
        stamp = NAME.match(name).group(1)
        when = dt.datetime.strptime(stamp, STAMP_FORMAT).replace(tzinfo=dt.UTC)
        if when < cutoff and stamp != newest:
            target.delete(name)
            deleted.append(name)
    return deleted


def backup(target_url: str | None = None, now: dt.datetime | None = None) -> str:
    """One backup set to the target, then the old ones pruned. Returns its timestamp."""
    import django

    django.setup()
    from django.conf import settings

    now = now or dt.datetime.now(dt.UTC)
    stamp = now.strftime(STAMP_FORMAT)
    target = open_target(target_url or os.environ.get("BACKUP_TARGET"))
    db = database_settings()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bookstore-backup-") as work:
        dump, media = Path(work) / f"{PREFIX}{stamp}{DUMP_SUFFIX}", Path(work) / f"{PREFIX}{stamp}{MEDIA_SUFFIX}"
        dump_database(db, dump)
        archive_media(Path(settings.MEDIA_ROOT), media)
        # The media first: a backup set is complete once its dump is there.
        target.put(media, media.name)
        target.put(dump, dump.name)
        sizes = f"database {dump.stat().st_size:,} bytes, media {media.stat().st_size:,} bytes"
    deleted = prune(target, int(os.environ.get("BACKUP_KEEP_DAYS", "14")), now)
    logger.info("Backup %s to %s in %.1f s (%s); %d old file(s) deleted", stamp, target, time.monotonic() - started,
                sizes, len(deleted))  # fmt: skip
    return stamp


def next_run(now: dt.datetime, at: str) -> dt.datetime:
    hour, minute = (int(part) for part in at.split(":"))
    run = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return run if run > now else run + dt.timedelta(days=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", help="overrides BACKUP_TARGET")
    parser.add_argument("--daily", action="store_true", help="keep running: one backup a day at BACKUP_AT (UTC)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if not args.daily:
        try:
            backup(args.target)
        except (RuntimeError, OSError) as exc:
            logger.error("Backup failed: %s", exc)
            return 1
        return 0
    at = os.environ.get("BACKUP_AT", "02:30")
    while True:
        run = next_run(dt.datetime.now(dt.UTC), at)
        logger.info("Next backup at %s", run.isoformat())
        time.sleep(max((run - dt.datetime.now(dt.UTC)).total_seconds(), 0))
        try:
            backup(args.target)
        except Exception:  # logged as an error for the alerting; tomorrow's run tries again
            logger.exception("Backup failed")


if __name__ == "__main__":
    sys.exit(main())
