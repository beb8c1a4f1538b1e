"""Settings, read from the environment with safe defaults.

DATABASE_URL unset means an SQLite file in the data folder (SCHOOLSAFE_DATA, default ./var/).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(env_str("SCHOOLSAFE_DATA", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
# The signed head of the audit chain, written by each `schoolsafe audit verify` that passes (audit/anchor.py):
# outside the database, so removing the newest rows is detected. Better on storage the database owner cannot write.
SCHOOLSAFE_AUDIT_ANCHOR = Path(env_str("SCHOOLSAFE_AUDIT_ANCHOR", str(DATA_DIR / "audit-anchor.json")))


def _secret_key() -> str:
    """The SECRET_KEY from the environment, or one generated once and kept in the data folder."""
    given = env_str("SECRET_KEY")
    if given:
        return given
    path = DATA_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(50)
        # O_EXCL: two processes starting together must not both write a different key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # django.contrib.admin, whose site writes every change and every record opened to the audit chain.
    "schoolsafe.audit.admin_apps.AuditedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Django's widget templates, for the project's form renderer (FORM_RENDERER below).
    "django.forms",
    "django_tasks",
    "django_tasks_db",
    # Only for its static files: the API docs page then loads Swagger UI from this server, not a CDN
    # (which the Content-Security-Policy refuses, and which an offline installation cannot reach).
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "schoolsafe.core",
    "schoolsafe.accounts",
    "schoolsafe.audit",
    "schoolsafe.api",
    "schoolsafe.events",
    "schoolsafe.plans",
    "schoolsafe.alerts",
    "schoolsafe.threats",
    "schoolsafe.public",
    "schoolsafe.tips",
    "schoolsafe.notifications",
    "schoolsafe.reach",
    "schoolsafe.sro",
    "schoolsafe.partnership",
]

MIDDLEWARE = [
    "schoolsafe.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the body or the query: refuses JSON nested too deep and out-of-range integers.
    "schoolsafe.core.inputlimits.InputLimitsMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "schoolsafe.accounts.middleware.SessionRulesMiddleware",
    "schoolsafe.accounts.middleware.MFARequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # An ActionError a page's view lets through: its status and message (core/errors.py), not a 500.
    "schoolsafe.core.errors.ActionErrorMiddleware",
    # Last, as django-axes requires: turns a refused sign-in into the "account locked" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "schoolsafe.urls"
ASGI_APPLICATION = "schoolsafe.asgi.application"

# One field template for every form (label, help, errors tied to the input, an error summary).
FORM_RENDERER = "schoolsafe.core.forms.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # The navigation and what each registered app adds (schoolsafe.registry).
                "schoolsafe.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "schoolsafe.sqlite3"
SQLITE_OPTIONS = {
    # WAL lets readers go on while one writer commits; synchronous=FULL makes a commit durable before
    # we answer 201 to an alert. IMMEDIATE takes the write lock when the transaction starts, so a
    # second writer waits (timeout) instead of failing with "database is locked" when it upgrades a
    # read lock mid-transaction.
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
}
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(SQLITE_PATH)}}
# Each request thread (asgi.py) keeps its connection between requests, checked before reuse: opening one
# per request cost about 1 ms on SQLite (and a few on PostgreSQL) of every API call.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("SCHOOLSAFE_CONN_MAX_AGE", 600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend, with this process's write transactions taking turns on a lock rather than
    # on SQLite's sleeping busy handler (core/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "schoolsafe.core.sqlite"
    # The same durability and locking rules whether SQLite was chosen by default or by DATABASE_URL.
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(DATA_DIR / "test.sqlite3")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background work --------------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Auth -----------------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    # Django's Argon2, at most SCHOOLSAFE_PASSWORD_HASHES at once (accounts/hashers.py).
    "schoolsafe.accounts.hashers.BoundedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Refuses a locked account before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Account lock (CJIS 6 AC-7): 5 failed sign-ins lock the account for 10 minutes. Locked by username
# only: many staff share a school's NAT address, and addresses are not kept (see accounts/lockout.py).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=10)
AXES_LOCKOUT_PARAMETERS = ["username"]
# An attempt during the lock neither counts nor extends it: the lock ends 10 minutes after the 5th failure.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "schoolsafe.accounts.lockout.PrivateAxesHandler"
AXES_CLIENT_IP_CALLABLE = "schoolsafe.accounts.lockout.no_ip_address"
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
AXES_LOCKOUT_CALLABLE = "schoolsafe.accounts.views.locked_out"
AXES_VERBOSE = False
# axes warns when the lock ignores the address; ignoring it is deliberate (see above).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# Sessions (CJIS 6 AC-11/AC-12): locked after 30 idle minutes, ended 12 hours after sign-in; enforced by
# schoolsafe.accounts.middleware.SessionRulesMiddleware. The cookie dies with the browser too.
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
OTP_TOTP_ISSUER = "SchoolSafe"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- I18N -----------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = DATA_DIR / "media"
def _package_static(package: str) -> str:
    """The static folder a pip package ships, found without importing the package (django-leaflet's
    app would pull in GeoDjango and its GDAL dependency; we only want its Leaflet and Leaflet.draw files)."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {package} package is not installed")
    return str(Path(next(iter(spec.submodule_search_locations))) / "static")


# The project's own assets (site.css) are not in an app, so list their folder; then Leaflet's.
STATICFILES_DIRS = [BASE_DIR / "static", _package_static("leaflet")]
# Serve straight from the installed packages' static folders: `make demo` needs no collectstatic.
WHITENOISE_USE_FINDERS = True

# Map tiles: no tile server is reachable offline; maps draw without tiles unless one is configured.
SCHOOLSAFE_TILE_URL = env_str("SCHOOLSAFE_TILE_URL")
SCHOOLSAFE_TILE_ATTRIBUTION = env_str("SCHOOLSAFE_TILE_ATTRIBUTION")

# --- Email ----------------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "SchoolSafe <schoolsafe@localhost>")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
# Where the file backend (django.core.mail.backends.filebased.EmailBackend, the demo's) writes each mail.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))

# --- Security -------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Behind TLS (production) cookies are Secure and HSTS is on; the local demo runs on plain HTTP.
TLS = env_bool("SCHOOLSAFE_TLS", False)
SESSION_COOKIE_SECURE = TLS
CSRF_COOKIE_SECURE = TLS
SECURE_SSL_REDIRECT = TLS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TLS else None
SECURE_HSTS_SECONDS = 31536000 if TLS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = TLS
SECURE_HSTS_PRELOAD = TLS

# Content-Security-Policy (django-csp): scripts and styles from this server only, never inline, so an
# injected <script> or style attribute does nothing. Pages pass data to scripts in json_script blocks.
# Images may be data: URIs (the authenticator QR code) and map tiles from the configured tile server.
from csp.constants import NONE, SELF  # noqa: E402


def _origin(url: str) -> list[str]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme in ("http", "https") and parts.netloc else []


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *_origin(SCHOOLSAFE_TILE_URL)],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024 + 65536

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

SCHOOLSAFE_DEMO = env_bool("SCHOOLSAFE_DEMO", False)

AUTH_USER_MODEL = "accounts.User"

# Threads that run Django's request handling in `schoolsafe serve` (asgi.py): how many requests (other
# than event streams, which cost no thread) are handled at once per process.
SCHOOLSAFE_REQUEST_THREADS = env_int("SCHOOLSAFE_REQUEST_THREADS", 8)
# The alert path's own threads (raise, acknowledge, all clear, room status, the alert pages): never behind
# other requests, however many tips or sign-ins are being worked on (asgi.py).
SCHOOLSAFE_ALERT_THREADS = env_int("SCHOOLSAFE_ALERT_THREADS", 4)
# Tip attachments (pictures) decoded at once per process; others wait their turn (tips/attachments.py).
SCHOOLSAFE_ATTACHMENT_CLEANERS = env_int("SCHOOLSAFE_ATTACHMENT_CLEANERS", 1)
# Password hashes (Argon2, a core for about 0.1 s each) computed at once per process (accounts/hashers.py).
SCHOOLSAFE_PASSWORD_HASHES = env_int("SCHOOLSAFE_PASSWORD_HASHES", 1)
# Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For / X-Forwarded-Proto
# `schoolsafe serve` believes. Empty (the default): the client is the peer of the socket, whatever headers
# it sends; otherwise anyone could pick the address the tip line's rate limits count by (docs/tips.md).
SCHOOLSAFE_TRUSTED_PROXIES = env_list("SCHOOLSAFE_TRUSTED_PROXIES")

# --- Event stream -------------------------------------------------------------------------------------
# Seconds between `: hb` comments on an idle stream (SSE clients and proxies drop silent connections;
# docs/events.md promises at least one every 30 s). Seconds between the hub's safety-net polls for new
# events (0: 1 s on SQLite, where it is also how another process's events arrive; 5 s on PostgreSQL).
SCHOOLSAFE_EVENTS_HEARTBEAT = float(env_str("SCHOOLSAFE_EVENTS_HEARTBEAT", "15"))
SCHOOLSAFE_EVENTS_POLL = float(env_str("SCHOOLSAFE_EVENTS_POLL", "0"))
# Seconds after which a stream is ended so that its client reconnects (at once, from its last id) and is
# authenticated again: a revoked token, a locked session or a changed membership takes effect within it.
SCHOOLSAFE_EVENTS_MAX_AGE = float(env_str("SCHOOLSAFE_EVENTS_MAX_AGE", "600"))

# --- CAP 1.2 (schoolsafe.alerts.cap) ------------------------------------------------------------------
# The host name in CAP identifiers and the sender ("urn:schoolsafe:<host>:alert:<id>:<n>"); fixed per
# deployment so identifiers never change. Empty: the first concrete name in ALLOWED_HOSTS.
SCHOOLSAFE_CAP_HOST = env_str("SCHOOLSAFE_CAP_HOST")

# --- One incident per emergency (schoolsafe.alerts, docs/alerts.md) -----------------------------------
# A raise joins the school's active incident with a report in the last N seconds (0: never merge).
SCHOOLSAFE_ALERT_MERGE_WINDOW = env_int("SCHOOLSAFE_ALERT_MERGE_WINDOW", 600)
# Reports from one person or device in a minute beyond which they are flagged as a possible flood.
SCHOOLSAFE_ALERT_FLOOD_PER_MINUTE = env_int("SCHOOLSAFE_ALERT_FLOOD_PER_MINUTE", 5)
# Seconds a person has to be reached by the stream or a Web Push before the SMS fallback (docs/reaching-people.md).
SCHOOLSAFE_REACH_FALLBACK_SECONDS = env_int("SCHOOLSAFE_REACH_FALLBACK_SECONDS", 15)

# --- Notification channels (schoolsafe.notifications) -------------------------------------------------
# Seconds to wait after each failed delivery attempt (the last repeats); attempts before a delivery is
# marked failed; the per-request timeout; how often the worker scans for due deliveries; whether the
# process that commits a notification makes the first attempt at once (else the worker's next scan does).
SCHOOLSAFE_NOTIFY_BACKOFF = [float(s) for s in env_list("SCHOOLSAFE_NOTIFY_BACKOFF", "10,30,90,300,900,1800")]
SCHOOLSAFE_NOTIFY_MAX_ATTEMPTS = env_int("SCHOOLSAFE_NOTIFY_MAX_ATTEMPTS", 7)
SCHOOLSAFE_NOTIFY_TIMEOUT = float(env_str("SCHOOLSAFE_NOTIFY_TIMEOUT", "5"))
SCHOOLSAFE_NOTIFY_POLL = float(env_str("SCHOOLSAFE_NOTIFY_POLL", "1"))
SCHOOLSAFE_NOTIFY_KICK = env_bool("SCHOOLSAFE_NOTIFY_KICK", True)
# Webhooks and SMS gateways must be https:// unless on this machine; set to allow plain http elsewhere.
SCHOOLSAFE_NOTIFY_ALLOW_HTTP = env_bool("SCHOOLSAFE_NOTIFY_ALLOW_HTTP", False)
# Webhooks and SMS gateways may not reach loopback, link-local or private addresses (server-side request
# forgery; see docs/security.md) unless this is set: a relay on this host or network, the test suite.
SCHOOLSAFE_WEBHOOK_ALLOW_PRIVATE = env_bool("SCHOOLSAFE_WEBHOOK_ALLOW_PRIVATE", False)
# The country code given to 10-digit phone numbers typed without one ("1": North America).
SCHOOLSAFE_SMS_DEFAULT_COUNTRY = env_str("SCHOOLSAFE_SMS_DEFAULT_COUNTRY", "1")
