"""The AWS release step and the replicas' wait, on a real MariaDB: deploy/docker/release.py makes the app's
least-privileged user and migrates; deploy/docker/wait_for_migrations.py holds a replica until then.

A private database and user on the server at 127.0.0.1:3306 (BACKUP_TEST_SERVER_URL), dropped at the end.
"""

import uuid
from pathlib import Path

import pytest

from bookstore.tests.test_backup_restore import SERVER, _run, _server_kwargs, _sql, needs_mariadb

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "deploy" / "docker"

pytestmark = [needs_mariadb, pytest.mark.slow]


def test_the_release_step_makes_a_row_only_user_and_migrates_once_while_replicas_wait(tmp_path):
    import MySQLdb

    suffix = uuid.uuid4().hex[:8]
    database, app_user = f"bs_release_step_{suffix}", f"bs_app_{suffix}"
    (tmp_path / "app_password").write_text(f"pw-{uuid.uuid4().hex}\n")
    master = {"DATABASE_URL": f"{SERVER}/{database}"}
    password_file = str(tmp_path / "app_password")
    release_env = {**master, "APP_DATABASE_USER": app_user, "APP_DATABASE_PASSWORD_FILE": password_file}
    app_password = (tmp_path / "app_password").read_text().strip()
    host, port = _server_kwargs()["host"], _server_kwargs()["port"]
    as_app = {"DATABASE_URL": f"mysql://{app_user}:{app_password}@{host}:{port}/{database}"}
    _sql(f"CREATE DATABASE {database} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    try:
        # A replica of the new image started before the release step waits, then gives up (and is restarted).
        waiting = _run(master, str(DOCKER / "wait_for_migrations.py"), "--timeout", "1")
        assert waiting.returncode == 1
        assert "Waiting for the release step" in waiting.stderr and "run the release step" in waiting.stderr

        first = _run(release_env, str(DOCKER / "release.py"), "--bootstrap")
        assert first.returncode == 0, first.stderr
        assert f"App database user {app_user}: created" in first.stdout
        assert "Applying jobs.0001" in first.stdout

        ready = _run(master, str(DOCKER / "wait_for_migrations.py"), "--timeout", "5")
        assert ready.returncode == 0, ready.stderr

        # Later boots leave the schema to the release step; the release step resets the password and migrates.
        again = _run(release_env, str(DOCKER / "release.py"), "--bootstrap")
        assert again.returncode == 0 and "migrations wait for the release step" in again.stdout, again.stderr
        release = _run(release_env, str(DOCKER / "release.py"))
        assert release.returncode == 0, release.stderr
        assert "password set" in release.stdout and "No migrations to apply" in release.stdout

        # The app runs as that user: its checks pass and it reads and writes rows ...
        check = _run(as_app, "manage.py", "check", "--database", "default")
        assert check.returncode == 0, check.stdout + check.stderr
        connection = MySQLdb.connect(host=host, port=port, user=app_user, password=app_password, database=database)
        try:
            cursor = connection.cursor()
            cursor.execute(
                "INSERT INTO jobs_schedulerlease (name, holder, expires_at, acquired_at, renewed_at) "
                "VALUES ('probe', 'test', NOW(), NOW(), NOW())"
            )
            cursor.execute("DELETE FROM jobs_schedulerlease WHERE name = 'probe'")
            # ... and can change no table, nor reach another database.
            for statement in ("CREATE TABLE intruder (id INT)", "DROP TABLE jobs_job",
                              "ALTER TABLE jobs_job ADD COLUMN x INT", "SELECT * FROM mysql.user"):  # fmt: skip
                with pytest.raises(MySQLdb.OperationalError, match="denied"):
                    cursor.execute(statement)
        finally:
            connection.close()
    finally:
        _sql(f"DROP DATABASE IF EXISTS {database}")
        _sql(f"DROP USER IF EXISTS `{app_user}`@'%'")
