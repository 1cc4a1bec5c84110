"""BookStore settings: every value from the environment.

With nothing set, the project runs for a developer: SQLite, DEBUG on, console
email, a local-memory cache. Production sets DEBUG=false, SECRET_KEY (or
SECRET_KEY_FILE), ALLOWED_HOSTS, DATABASE_URL and the rest documented in
.env.example and the README.

This module holds the site's own settings (apps, middleware, sign-in, languages, security, the shop's rules);
the self-contained sections are modules of bookstore.conf, gathered here: the database, the cache and
sessions, files, background jobs with email, and logging.
"""

from decimal import Decimal
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from bookstore.conf.caches import *  # noqa: F403
from bookstore.conf.caches import CACHES
from bookstore.conf.database import *  # noqa: F403
from bookstore.conf.environment import BASE_DIR, DEBUG, env, env_secret
from bookstore.conf.files import *  # noqa: F403
from bookstore.conf.jobs import *  # noqa: F403
from bookstore.conf.logs import *  # noqa: F403

# --- Core -------------------------------------------------------------------

# DEBUG (read in bookstore/conf/environment.py) gives every section its developer or production defaults.

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
    # Django's form widget templates, for the project's engine (FORM_RENDERER below).
    "django.forms",
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
    "accounts.middleware.RefusedFormStatusMiddleware",
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

# Form widgets are rendered by the project's template engine, so templates/django/forms/ can replace one of Django's
# widget templates (the select, whose options it writes without an include each).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database (DATABASES: bookstore/conf/database.py) -----------------------

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# allauth's EmailAddress has a conditional unique constraint that MariaDB cannot
# enforce; allauth checks primary-address uniqueness in code as well.
SILENCED_SYSTEM_CHECKS = ["models.W036"]

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
# Builds the links of allauth's emails from SITE_URL rather than from the request's Host header, and sends them
# (verification, password reset) through the job outbox, retried until the server takes them.
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
    # Per client address, over every account signed in from it (a card tester with several accounts).
    "pay_declines_per_ip": env.str("RATE_LIMIT_PAY_DECLINES_IP", default="50/h"),
    "cart_add": env.str("RATE_LIMIT_CART_ADD", default="60/m"),  # per signed-in user, else per client address
    "report": env.str("RATE_LIMIT_REPORT", default="10/h"),  # per signed-in user
    # Reports from one client address, whoever is signed in: several accounts on one network share it.
    "report_per_ip": env.str("RATE_LIMIT_REPORT_IP", default="30/h"),
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

# --- Claims and sellers' listings files -------------------------------------

# Claims (claims app): a "not received" claim opens this many days after the expected delivery date; a seller
# answers a claim within CLAIM_SELLER_DAYS, or staff decide.
CLAIM_NOT_RECEIVED_GRACE_DAYS = env.int("CLAIM_NOT_RECEIVED_GRACE_DAYS", default=3)
CLAIM_SELLER_DAYS = env.int("CLAIM_SELLER_DAYS", default=3)
# Sellers' listings files (catalog.services.imports): the largest upload, the most rows, the rows per batch
# (one transaction each) when applying.
SELLER_IMPORT_MAX_BYTES = env.int("SELLER_IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
SELLER_IMPORT_MAX_ROWS = env.int("SELLER_IMPORT_MAX_ROWS", default=50_000)
SELLER_IMPORT_BATCH_SIZE = env.int("SELLER_IMPORT_BATCH_SIZE", default=500)
# A file checked but never applied is forgotten (row and stored file) after this many days.
SELLER_IMPORT_KEEP_DAYS = env.int("SELLER_IMPORT_KEEP_DAYS", default=7)

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

# --- Messaging --------------------------------------------------------------

# Messages between buyers and sellers (messaging): new threads a user may start per 24 hours, and the quiet
# time after an email about a thread before its recipient gets another one about it.
MESSAGING_MAX_NEW_THREADS_PER_DAY = env.int("MESSAGING_MAX_NEW_THREADS_PER_DAY", default=20)
MESSAGING_EMAIL_MINUTES = env.int("MESSAGING_EMAIL_MINUTES", default=15)
