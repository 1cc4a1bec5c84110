"""BookStore settings: one module, every value from the environment.

With nothing set, the project runs for a developer: SQLite, DEBUG on, console
email, a local-memory cache. Production sets DEBUG=false, SECRET_KEY (or
SECRET_KEY_FILE), ALLOWED_HOSTS, DATABASE_URL and the rest documented in
.env.example and the README.
"""

from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")


def env_secret(name: str, default=None):
    """Read NAME, or the content of the file named by NAME_FILE (Docker/Swarm secrets)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE points at an unreadable file: {exc}") from exc
    return env.str(name, default=default)


# --- Core -------------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=True)

SECRET_KEY = env_secret("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105 - DEBUG only  # nosec B105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Before the admin, so translated model fields get their per-language admin widgets.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_countries",
    "allauth",
    "allauth.account",
    "core",
    "bookstore",
    "accounts",
    "catalog",
    "orders",
    "shipping",
    "jobs",
    "claims",
    "feedback",
    "messaging",
    "wants",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session middleware: a database outage answers a clean 503, even from session loading.
    "bookstore.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "bookstore.db_router.ReadReplicaMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "bookstore.urls"
WSGI_APPLICATION = "bookstore.wsgi.application"
ASGI_APPLICATION = "bookstore.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bookstore.context_processors.site",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------

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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# allauth's EmailAddress has a conditional unique constraint that MariaDB cannot
# enforce; allauth checks primary-address uniqueness in code as well.
SILENCED_SYSTEM_CHECKS = ["models.W036"]

# --- Cache and sessions -----------------------------------------------------

# Every web worker must share this cache in production (allauth's rate limits
# and cached pages live here): set CACHE_URL=redis://host:6379/0.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://bookstore")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Django's, with one client per server, answering as a miss while Redis is down (core/cache.py).
    CACHES["default"]["BACKEND"] = "core.cache.RedisCache"
    # Short socket timeouts: a Redis that stopped answering costs a request milliseconds, not seconds.
    CACHES["default"]["OPTIONS"] = {
        "socket_connect_timeout": env.float("CACHE_CONNECT_TIMEOUT", default=0.25),
        "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=0.5),
        **CACHES["default"].get("OPTIONS", {}),
    }
    # The site's own rate limits count on the same server through an alias that reports an outage instead of
    # hiding it, so that core/ratelimits.py decides, and logs, to let the request through.
    CACHES["ratelimits"] = {**CACHES["default"], "OPTIONS": {**CACHES["default"]["OPTIONS"], "fail_soft": False}}
# Template fragments that depend only on what they show (the `{% cache %}` tag's arguments), such as the navigation
# bar: kept in each process, as they can never be stale and a process starts afresh with each deployment. Off
# while DEBUG is on, so that template edits show at once.
FRAGMENT_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "bookstore-fragments",
    "OPTIONS": {"MAX_ENTRIES": 5000},
}
CACHES["fragments"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"} if DEBUG else FRAGMENT_CACHE
# With a shared cache, sessions are read from it and written through to the database (bookstore/sessions.py):
# a signed-in page then needs no session query. A per-process cache (locmem) could hand one worker a session
# another worker has since changed, so without a shared cache sessions live in the database alone.
_SHARED_CACHE = not CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache"))
SESSION_ENGINE = env.str(
    "SESSION_ENGINE", default="bookstore.sessions" if _SHARED_CACHE else "django.contrib.sessions.backends.db"
)

# --- Authentication (django-allauth) ----------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# "mandatory": signing in waits for the emailed link. Whatever it is (short of "none"), opening a shop, listing a
# book and checking out need a confirmed address (accounts/verification.py): orders and sales are mailed there.
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
# Builds the links of allauth's emails from SITE_URL rather than from the request's Host header.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
# allauth counts in the default cache; while Redis is down these limits let everyone through (core/cache.py
# grants allauth's lock and reads its counts as empty) rather than answering 500 or locking everyone out.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("RATE_LIMIT_LOGIN_FAILED", default="5/5m/ip,5/5m/key"),
    "signup": env.str("RATE_LIMIT_SIGNUP", default="20/m/ip"),
    "reset_password": "20/m/ip,5/m/key",  # a rate limit, not a password  # nosec B105
}
# Behind NGINX and a load balancer the client address is the Nth from the
# right in X-Forwarded-For; never trust the header beyond what our proxies set.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# The shop's own abuse limits (core/ratelimits.py, django-ratelimit on the shared cache), as "count/period"
# with the period in s, m, h or d ("5/10m": five per ten minutes). Payments count declined attempts only.
RATE_LIMITS = {
    "pay_declines_per_order": env.str("RATE_LIMIT_PAY_DECLINES_ORDER", default="5/10m"),
    "pay_declines_per_user": env.str("RATE_LIMIT_PAY_DECLINES_USER", default="20/h"),
    "cart_add": env.str("RATE_LIMIT_CART_ADD", default="60/m"),  # per signed-in user, else per client address
    "report": env.str("RATE_LIMIT_REPORT", default="10/h"),  # per signed-in user
    # The JSON API (api/ratelimit.py): per token, per signed-in user of the site, per client address otherwise.
    "api_token": env.str("RATE_LIMIT_API_TOKEN", default="600/m"),
    "api_user": env.str("RATE_LIMIT_API_USER", default="300/m"),
    "api_ip": env.str("RATE_LIMIT_API_IP", default="120/m"),
}
RATELIMIT_USE_CACHE = "ratelimits" if "ratelimits" in CACHES else "default"
# The client address as allauth reads it (TRUSTED_PROXY_COUNT), for every limit keyed on it.
RATELIMIT_IP_META_KEY = "core.ratelimits.client_ip"
# An outage of the cache lets requests through; core.ratelimits logs it (see core/cache.py).
RATELIMIT_FAIL_OPEN = True

# --- Internationalisation ---------------------------------------------------

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
# Data staff type in the admin (category names) is kept per language (django-modeltranslation, catalog/translation.py).
# English is the language every row must have; a row with no Spanish yet shows its English.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "es")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# A row created in code with a plain name (Category.objects.create(name=...)) gets it as its English name too,
# whatever language is active, so no row is ever left without one.
MODELTRANSLATION_AUTO_POPULATE = "required"
# One date format per language, used by name everywhere (bookstore/formats/).
FORMAT_MODULE_PATH = ["bookstore.formats"]
# ISO 4217 code of the one currency prices are in.
CURRENCY = env.str("CURRENCY", default="USD")

# --- Static and media files -------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

_static_backend = (
    "django.contrib.staticfiles.storage.StaticFilesStorage"
    if DEBUG
    else "whitenoise.storage.CompressedManifestStaticFilesStorage"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": env.str("STATICFILES_BACKEND", default=_static_backend)},
}
if env.str("MEDIA_STORAGE", default="filesystem") == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default=None),
            "default_acl": None,
            "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=False),
            "file_overwrite": False,
        },
    }

# Uploads: photos are checked with Pillow and re-encoded (catalog/images.py).
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", default=8 * 1024 * 1024)
PHOTO_MAX_PIXELS = env.int("PHOTO_MAX_PIXELS", default=40_000_000)
PHOTO_MAX_SIDE = env.int("PHOTO_MAX_SIDE", default=8000)
PHOTOS_PER_LISTING = 5

# Claims (claims app): a "not received" claim opens this many days after the expected delivery date; a seller
# answers a claim within CLAIM_SELLER_DAYS, or staff decide.
CLAIM_NOT_RECEIVED_GRACE_DAYS = env.int("CLAIM_NOT_RECEIVED_GRACE_DAYS", default=3)
CLAIM_SELLER_DAYS = env.int("CLAIM_SELLER_DAYS", default=3)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o644
# Sellers' listings files (catalog.services.imports): the largest upload, the most rows, the rows per batch
# (one transaction each) when applying.
SELLER_IMPORT_MAX_BYTES = env.int("SELLER_IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
SELLER_IMPORT_MAX_ROWS = env.int("SELLER_IMPORT_MAX_ROWS", default=50_000)
SELLER_IMPORT_BATCH_SIZE = env.int("SELLER_IMPORT_BATCH_SIZE", default=500)
# A file checked but never applied is forgotten (row and stored file) after this many days.
SELLER_IMPORT_KEEP_DAYS = env.int("SELLER_IMPORT_KEEP_DAYS", default=7)

# --- Email ------------------------------------------------------------------

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="BookStore <noreply@bookstore.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security ---------------------------------------------------------------

# Set BEHIND_PROXY=true when NGINX or a load balancer terminates TLS and sets
# X-Forwarded-Proto; never set it when clients reach gunicorn directly.
if env.bool("BEHIND_PROXY", default=not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
# HSTS for this host only unless the operator opts in: includeSubDomains and preload commit every subdomain of a
# fresh domain to HTTPS for the max-age (preload for good, in browsers' built-in lists). Django's deployment
# checklist (W005, W021) nudges towards both; off by choice, so those two are silenced while off.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_INCLUDE_SUBDOMAINS:
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W005"]
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# --- Logging ----------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Catalog ----------------------------------------------------------------

CATALOG_PAGE_SIZE = env.int("CATALOG_PAGE_SIZE", default=24)

# --- Orders and shipping (orders) -------------------------------------------

# Dotted path of the payment gateway class (orders.gateway.PaymentGateway); the simulated one needs no account.
PAYMENT_GATEWAY = env.str("PAYMENT_GATEWAY", default="orders.gateway.SimulatedGateway")
# An order not paid within this many minutes is expired by `manage.py expire_unpaid_orders`.
PAYMENT_EXPIRY_MINUTES = env.int("PAYMENT_EXPIRY_MINUTES", default=30)
# A payment still "processing" after this many seconds is taken as interrupted: a replay of it asks the gateway
# again (with the same idempotency key, so never a second charge) and expiry no longer waits for it.
PAYMENT_STALE_SECONDS = env.int("PAYMENT_STALE_SECONDS", default=120)
# The carrier simulator (`manage.py advance_shipments`) moves a shipment one step once this much time has passed.
SHIPMENT_STEP_HOURS = env.float("SHIPMENT_STEP_HOURS", default=6.0)
# Earnings (orders.services.earnings): the marketplace's fee on each order line's items, in percent (staff may set
# another rate per category in the admin), and how many days after delivery a sale's money becomes available.
MARKETPLACE_FEE_PERCENT = Decimal(env.str("MARKETPLACE_FEE_PERCENT", default="10"))
EARNINGS_HOLD_DAYS = env.int("EARNINGS_HOLD_DAYS", default=7)
if not (0 <= MARKETPLACE_FEE_PERCENT <= 100 and EARNINGS_HOLD_DAYS >= 0):
    raise ImproperlyConfigured("MARKETPLACE_FEE_PERCENT must be 0 to 100 and EARNINGS_HOLD_DAYS not negative.")
# Days after delivery before a buyer who has not rated the seller gets one reminder email (feedback.tasks).
FEEDBACK_REMINDER_DAYS = env.int("FEEDBACK_REMINDER_DAYS", default=3)
# Links in emails point here: the scheme and host (and port) of the public site, never the Host header a request
# came with. Production must say it; `./script/run` derives it from HOST and PORT.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000" if DEBUG else "").rstrip("/")
if not SITE_URL:
    raise ImproperlyConfigured(
        "SITE_URL must be set when DEBUG is off: the public address of the site, such as "
        "https://bookstore.example.com. Links in emails point there."
    )
_site_url = urlsplit(SITE_URL)
if _site_url.scheme not in ("http", "https") or not _site_url.hostname or _site_url.path or _site_url.query:
    raise ImproperlyConfigured(
        f"SITE_URL must be a scheme and a host, such as https://bookstore.example.com, not {SITE_URL!r}."
    )

# --- Accounts ---------------------------------------------------------------

# allauth's emails otherwise name the site after the request's host.
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[BookStore] "
# allauth's emails (verification, password reset) go through the job outbox, retried until the server takes them.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"

# --- Internationalisation (i18n) --------------------------------------------

# The site speaks to the user as "tú"; django-allauth's and Django's own Spanish say "usted". These hand-kept
# overrides rank below the project catalogue (the only one makemessages writes) and above every app's.
LOCALE_PATHS = [*LOCALE_PATHS, BASE_DIR / "locale" / "overrides"]

# --- Performance (bench) ----------------------------------------------------

# Seconds a rendered catalog page stays fresh in the shared cache (catalog/cache/pages.py, give or take a quarter, so
# that pages cached together are not all rendered again together); 0 turns the page cache off. Changes made through
# the services, the catalog admin and the accounts services and admin show at once whatever this is; it only
# bounds how long a change made around all of them (a raw update) takes to show. Off while DEBUG is on, so a
# developer's edits show at once and the test suite sees every write.
CATALOG_CACHE_SECONDS = 0 if DEBUG else 300

# --- Background jobs (jobs, Celery) -----------------------------------------

# The broker the Celery workers read jobs from, e.g. redis://redis:6379/1. Empty (the default): no worker is
# needed, each job runs in the process that committed it, right after the commit, and a failed one waits for
# `manage.py run_jobs`. Every job is a row of jobs.Job first (the outbox), so a broker outage loses nothing.
# CELERY_BROKER_URL_FILE names a file holding it, when the URL carries a password (AWS).
CELERY_BROKER_URL = env_secret("CELERY_BROKER_URL", default="")
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="bookstore")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# A message is acknowledged once its job ran, and a worker takes one message at a time: a worker that dies
# mid-job leaves its message to another one (and the job's lease to the relay).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Requests publish with one short attempt (jobs.services.publish): Redis away costs a request two seconds at
# most, and then nothing for a while.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
# One beat per cluster sends these; each periodic task also claims its period in the database (jobs.ScheduledRun),
# so a second beat started by mistake, or messages piled up while the worker was away, run once per period.
CELERY_BEAT_SCHEDULE = {
    "jobs.relay_outbox": {"task": "jobs.relay_outbox", "schedule": env.int("JOBS_RELAY_SECONDS", default=20)},
    "orders.expire_unpaid_orders": {"task": "orders.expire_unpaid_orders", "schedule": 300},
    # The carrier simulator's step (orders.tasks): the name is older than the move of shipments into orders.
    "shipping.advance_shipments": {"task": "shipping.advance_shipments", "schedule": 3600},
    "jobs.prune": {"task": "jobs.prune", "schedule": 86400},
    # Claims whose seller missed the deadline go to staff (claims.tasks).
    "claims.escalate_overdue_claims": {"task": "claims.escalate_overdue_claims", "schedule": 3600},
    # Daily: the shops' 12-month rating window and 90-day standing, and the reminders to rate a seller.
    "feedback.refresh_shop_stats": {"task": "feedback.refresh_shop_stats", "schedule": 86400},
    "feedback.send_reminders": {"task": "feedback.send_reminders", "schedule": 86400},
    # Shops back from vacation reopen within the hour of their return date.
    "accounts.reopen_returned_shops": {"task": "accounts.reopen_returned_shops", "schedule": 3600},
    # Sellers' listings files checked but never applied (catalog.services.imports).
    "catalog.prune_import_runs": {"task": "catalog.prune_import_runs", "schedule": 86400},
    # Daily: one email per buyer with the new matches of their wants and saved searches (wants.tasks).
    "wants.send_digests": {"task": "wants.send_digests", "schedule": 86400},
}
# Every beat asks for this database lease before sending anything (jobs.beat.LeasedScheduler): one beat per cluster
# sends the schedule, the others (one per AWS instance, a second Swarm task during an update) wait, and take over
# within JOBS_SCHEDULER_LEASE_SECONDS when the holder dies.
CELERY_BEAT_SCHEDULER = "jobs.beat:LeasedScheduler"
JOBS_SCHEDULER_LEASE_NAME = "celery-beat"
JOBS_SCHEDULER_LEASE_SECONDS = env.int("JOBS_SCHEDULER_LEASE_SECONDS", default=60)
# A failed job is tried again after JOBS_RETRY_SECONDS, doubling each time up to JOBS_RETRY_MAX_SECONDS, until
# JOBS_GIVE_UP_SECONDS after it was created; then it is "failed" and staff see it in the admin.
JOBS_RETRY_SECONDS = env.int("JOBS_RETRY_SECONDS", default=60)
JOBS_RETRY_MAX_SECONDS = env.int("JOBS_RETRY_MAX_SECONDS", default=3600)
JOBS_GIVE_UP_SECONDS = env.int("JOBS_GIVE_UP_SECONDS", default=86400)
# A worker holds a job this long; past it the job counts as abandoned (the worker died) and runs again.
JOBS_LEASE_SECONDS = env.int("JOBS_LEASE_SECONDS", default=300)
# After the broker failed to take a message, a process stops trying for this long: the jobs wait for the relay
# anyway, and a request should not pay a connection timeout on every commit while Redis is away.
JOBS_BROKER_PAUSE_SECONDS = 10
# A pending job handed to the broker this long ago and still not run is handed over again (Redis lost it).
JOBS_REDELIVER_SECONDS = env.int("JOBS_REDELIVER_SECONDS", default=300)
# Done jobs and scheduled-run claims are deleted after this many days; failed jobs are kept.
JOBS_KEEP_DAYS = env.int("JOBS_KEEP_DAYS", default=30)
# Seconds before a silent mail server counts as failed (the job is then retried); Django's default waits for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)

# Messages between buyers and sellers (messaging): new threads a user may start per 24 hours, and the quiet
# time after an email about a thread before its recipient gets another one about it.
MESSAGING_MAX_NEW_THREADS_PER_DAY = env.int("MESSAGING_MAX_NEW_THREADS_PER_DAY", default=20)
MESSAGING_EMAIL_MINUTES = env.int("MESSAGING_EMAIL_MINUTES", default=15)
