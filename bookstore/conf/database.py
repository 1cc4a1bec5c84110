"""The database: DATABASE_URL, tuned per engine, and an optional read replica (bookstore/db_router.py)."""

from bookstore.conf.environment import BASE_DIR, env, env_secret

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}


def _tune_database(db: dict) -> dict:
    password = env_secret("DATABASE_PASSWORD", default="")
    if password:
        db["PASSWORD"] = password
    if db["ENGINE"] == "django.db.backends.mysql":
        db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        db["CONN_HEALTH_CHECKS"] = True
        db.setdefault("OPTIONS", {}).update(
            {
                "charset": "utf8mb4",
                "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
                "isolation_level": "read committed",
            }
        )
        db["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
        # TLS to a server that requires it (RDS with require_secure_transport): the CA bundle that signs the
        # server's certificate; the connection then also checks the server's name.
        ssl_ca = env.str("DATABASE_SSL_CA", default="")
        if ssl_ca:
            db["OPTIONS"].update({"ssl": {"ca": ssl_ca}, "ssl_mode": "VERIFY_IDENTITY"})
    elif db["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the dev server's threads read while one writes.
        db.setdefault("OPTIONS", {}).update({"init_command": "PRAGMA journal_mode=WAL;", "timeout": 20})
    return db


_tune_database(DATABASES["default"])

# An optional read replica (e.g. an RDS read replica, same user and password): catalog pages read from it,
# writes and everything right after a user's write use the primary (bookstore/db_router.py).
if env.str("REPLICA_DATABASE_URL", default=""):
    DATABASES["replica"] = _tune_database(env.db_url("REPLICA_DATABASE_URL"))
    # Under the test runner the replica is the test database itself, not a second one.
    DATABASES["replica"]["TEST"] = {**DATABASES["replica"].get("TEST", {}), "MIRROR": "default"}
DATABASE_ROUTERS = ["bookstore.db_router.PrimaryReplicaRouter"]
# After a write, the user's reads stay on the primary this long, however far the replica lags.
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=15)
