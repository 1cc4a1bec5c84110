"""deploy/docker/backup.py and restore.py, for real: a dump of a MariaDB database with data and media, restored
into a fresh database that the app then starts on and serves.

Private databases on the MariaDB server at 127.0.0.1:3306 (BACKUP_TEST_SERVER_URL), dropped at the end; the
backup target is a directory (another host's NFS export in production) and, for the bucket code, moto's S3.
"""

import datetime as dt
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from bookstore.tests.test_scale_out import _base_env

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "deploy" / "docker"
SERVER = os.environ.get("BACKUP_TEST_SERVER_URL", "mysql://root@127.0.0.1:3306")
sys.path.insert(0, str(DOCKER))
import backup as backups  # noqa: E402 - deploy/docker/backup.py


def _server_answers() -> bool:
    import MySQLdb

    try:
        MySQLdb.connect(**_server_kwargs()).close()
    except MySQLdb.Error:
        return False
    return True


def _server_kwargs() -> dict:
    from urllib.parse import urlsplit

    url = urlsplit(SERVER)
    return {"host": url.hostname, "port": url.port or 3306, "user": url.username or "root",
            "password": url.password or ""}  # fmt: skip


needs_mariadb = pytest.mark.skipif(not _server_answers(), reason=f"needs a MariaDB/MySQL server at {SERVER}")


def _sql(statement: str) -> None:
    import MySQLdb

    connection = MySQLdb.connect(**_server_kwargs())
    try:
        connection.cursor().execute(statement)
    finally:
        connection.close()


def _run(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - the project's own scripts
        [sys.executable, *args], cwd=ROOT, env={**_base_env(), **env}, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip


SEED = (
    "import django; django.setup(); from conftest import ListingFactory; "
    "listing = ListingFactory(book__title='The Restored Sentinel', book__authors='Backup Tester'); print(listing.pk)"
)
SERVE = (
    "import django; django.setup(); from django.test import Client; "
    "response = Client().get('/books/{pk}/'); print(response.status_code); print(response.content.decode())"
)


@needs_mariadb
@pytest.mark.slow
def test_a_backup_restores_into_a_fresh_database_the_app_starts_on(tmp_path):
    suffix = uuid.uuid4().hex[:8]
    source, restored = f"bs_release_backup_{suffix}", f"bs_release_restored_{suffix}"
    media, restored_media, target = tmp_path / "media", tmp_path / "restored-media", tmp_path / "target"
    (media / "listings" / "ab").mkdir(parents=True)
    (media / "listings" / "ab" / "cover.jpg").write_bytes(b"\xff\xd8\xff\xe0 a cover")
    # An old backup set past its retention, and a stray file the pruning must leave alone.
    target.mkdir()
    (target / "bookstore-20200101T000000Z.sql.gz").write_bytes(b"old")
    (target / "bookstore-20200101T000000Z.media.tar.gz").write_bytes(b"old")
    (target / "notes.txt").write_text("not a backup")
    env = {"DATABASE_URL": f"{SERVER}/{source}", "MEDIA_ROOT": str(media), "BACKUP_TARGET": str(target),
           "BACKUP_KEEP_DAYS": "14"}  # fmt: skip
    _sql(f"CREATE DATABASE {source} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    try:
        migrate = _run(env, "manage.py", "migrate", "--noinput", "-v0")
        assert migrate.returncode == 0, migrate.stderr
        seed = _run(env, "-c", SEED)
        assert seed.returncode == 0, seed.stderr
        pk = int(seed.stdout.split()[-1])

        made = _run(env, str(DOCKER / "backup.py"))
        assert made.returncode == 0, made.stderr
        names = sorted(path.name for path in target.iterdir())
        assert "notes.txt" in names and len(names) == 3, names  # the old set is gone, the new one is there
        [dump] = [name for name in names if name.endswith(".sql.gz")]
        assert "deleted" in made.stderr and "Backup " in made.stderr

        # Restoring over a database that has tables is refused.
        refused = _run(env, str(DOCKER / "restore.py"), "--database", source, "--no-media")
        assert refused.returncode == 1 and "restore into a fresh one" in refused.stderr

        restore = _run(env, str(DOCKER / "restore.py"), "--database", restored, "--create-database",
                       "--media-root", str(restored_media))  # fmt: skip
        assert restore.returncode == 0, restore.stderr
        assert dump.removeprefix("bookstore-").removesuffix(".sql.gz") in restore.stderr
        assert (restored_media / "listings" / "ab" / "cover.jpg").read_bytes() == b"\xff\xd8\xff\xe0 a cover"

        # The app starts on the restored database: checks pass, nothing to migrate, the listing page serves.
        on_restored = {**env, "DATABASE_URL": f"{SERVER}/{restored}", "MEDIA_ROOT": str(restored_media),
                       "ALLOWED_HOSTS": "testserver"}  # fmt: skip
        check = _run(on_restored, "manage.py", "check", "--database", "default")
        assert check.returncode == 0, check.stdout + check.stderr
        plan = _run(on_restored, "manage.py", "migrate", "--plan")
        assert plan.returncode == 0 and "No planned migration operations" in plan.stdout, plan.stdout
        page = _run(on_restored, "-c", SERVE.format(pk=pk))
        assert page.returncode == 0, page.stderr
        status, html = page.stdout.split("\n", 1)
        assert status == "200" and "The Restored Sentinel" in html
    finally:
        _sql(f"DROP DATABASE IF EXISTS {source}")
        _sql(f"DROP DATABASE IF EXISTS {restored}")


def test_pruning_keeps_the_newest_set_and_everything_younger_than_the_retention():
    class Target:
        def __init__(self, names):
            self.files = set(names)

        def names(self):
            return sorted(self.files)

        def delete(self, name):
            self.files.remove(name)

    now = dt.datetime(2025, 3, 20, 3, 0, tzinfo=dt.UTC)
    old, recent = "bookstore-20250301T023000Z", "bookstore-20250319T023000Z"
    target = Target([f"{old}.sql.gz", f"{old}.media.tar.gz", f"{recent}.sql.gz", f"{recent}.media.tar.gz"])
    assert sorted(backups.prune(target, 14, now)) == [f"{old}.media.tar.gz", f"{old}.sql.gz"]
    # However old, the newest complete backup stays: a broken schedule never empties the target.
    lonely = Target([f"{old}.sql.gz", f"{old}.media.tar.gz"])
    assert backups.prune(lonely, 14, now) == [] and len(lonely.names()) == 2


def test_the_bucket_target_lists_puts_gets_and_deletes_on_s3(tmp_path, monkeypatch):
    from moto import mock_aws

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("BACKUP_S3_REGION", "us-east-1")
    monkeypatch.delenv("BACKUP_S3_ENDPOINT_URL", raising=False)
    with mock_aws():
        import boto3

        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="bookstore-backups")
        target = backups.open_target("s3://bookstore-backups/site")
        local = tmp_path / "dump.sql.gz"
        local.write_bytes(b"dump")
        target.put(local, "bookstore-20250319T023000Z.sql.gz")
        target.put(local, "bookstore-20250319T023000Z.media.tar.gz")
        assert backups.backup_sets(target.names()) == ["20250319T023000Z"]
        target.get("bookstore-20250319T023000Z.sql.gz", tmp_path / "back.sql.gz")
        assert (tmp_path / "back.sql.gz").read_bytes() == b"dump"
        target.delete("bookstore-20250319T023000Z.sql.gz")
        assert backups.backup_sets(target.names()) == []
