"""The benchmark's MariaDB database and the size of InnoDB's buffer pool during a run."""

from __future__ import annotations

import argparse
import time
from urllib.parse import urlparse

from bench.common import log


def prepare_database(args: argparse.Namespace) -> None:
    """Create the database, or empty it when it holds another number of bulk listings."""
    import MySQLdb

    url = urlparse(args.mysql)
    server = MySQLdb.connect(
        host=url.hostname or "127.0.0.1", port=url.port or 3306, user=url.username or "root", passwd=url.password or ""
    )
    try:
        cursor = server.cursor()
        cursor.execute(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
            [args.database, "catalog_listing"],
        )
        if cursor.fetchone()[0]:
            server.select_db(args.database)
            cursor.execute(
                "SELECT COUNT(*) FROM catalog_listing l JOIN accounts_user u ON u.id = l.seller_id "
                "WHERE u.email LIKE %s",
                ["%@bulk.example.com"],
            )
            loaded = cursor.fetchone()[0]
            if loaded == args.listings:
                log(f"{args.database} already holds {loaded:,} bulk listings: no reload")
                return
            log(f"{args.database} holds {loaded:,} bulk listings, not {args.listings:,}: reloading")
            cursor.execute(f"DROP DATABASE `{args.database}`")
        cursor.execute(
            f"CREATE DATABASE IF NOT EXISTS `{args.database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )
    finally:
        server.close()


def _server_connection(args: argparse.Namespace):
    import MySQLdb

    url = urlparse(args.mysql)
    return MySQLdb.connect(
        host=url.hostname or "127.0.0.1", port=url.port or 3306, user=url.username or "root", passwd=url.password or ""
    )


def buffer_pool_bytes(args: argparse.Namespace) -> int:
    server = _server_connection(args)
    try:
        cursor = server.cursor()
        cursor.execute("SELECT @@GLOBAL.innodb_buffer_pool_size")
        return int(cursor.fetchone()[0])
    finally:
        server.close()


def set_buffer_pool(args: argparse.Namespace, size: int) -> None:
    """Resize InnoDB's buffer pool (MariaDB resizes it online) and wait until it has."""
    server = _server_connection(args)
    try:
        cursor = server.cursor()
        cursor.execute("SET GLOBAL innodb_buffer_pool_size = %s", [size])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            cursor.execute("SHOW STATUS LIKE 'Innodb_buffer_pool_resize_status'")
            row = cursor.fetchone()
            if not row or not row[1] or "ompleted" in row[1] or "finished" in row[1].lower():
                break
            time.sleep(0.5)
    finally:
        server.close()
