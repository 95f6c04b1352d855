"""Django settings, read from the environment.

TEBIKI_DATA_DIR   where the SQLite database, the generated secret key and uploads live (default ./var)
DATABASE_URL      e.g. postgres://user:pass@host/db; SQLite in the data directory when unset
SECRET_KEY        generated once and stored in the data directory (mode 0600) when unset; also seals TOTP keys
SECRET_KEY_FALLBACKS  comma-separated earlier secret keys, still accepted after a rotation
TEBIKI_AUDIT_RETENTION_DAYS  age beyond which `tebiki audit purge` removes audit entries (default 730, minimum 365)
TEBIKI_BACKUP_MAX_BYTES      largest unpacked size `tebiki restore` accepts (default 8 GiB)
TEBIKI_BACKUP_KEY            the key that authenticates backups (default: a key file in the data directory)
TEBIKI_SQLITE_SYNCHRONOUS    "full" (default: each commit is on disk before it is answered) or "normal" (SQLite only;
                             faster, may lose the last commits on a power cut; docs/deploy.md)
TEBIKI_ENV        "production" turns on HTTPS-only cookies, HSTS and DEBUG off; anything else is development
TEBIKI_SIGNUP     "1" lets anyone create an account and an organisation from the sign-in page (「新しく始める」);
                  on by default in development (`make run`), off by default in production
ALLOWED_HOSTS     comma-separated; development defaults to localhost
EMAIL_URL-ish     EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, DEFAULT_FROM_EMAIL
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


# The data directory holds password hashes, TOTP secrets, the secret key and evidence: 0700, its files 0600,
# whatever the umask. Modes are set explicitly, so an existing installation is tightened at the next start.
def _private(path: Path, mode: int) -> None:
    if path.exists() and path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o777 != mode:
        path.chmod(mode)


def _private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    _private(path, 0o700)
    return path


DATA_DIR = _private_dir(Path(os.environ.get("TEBIKI_DATA_DIR", Path.cwd() / "var")).resolve())
PRODUCTION = os.environ.get("TEBIKI_ENV", "development") == "production"


def _secret_key() -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = DATA_DIR / "secret_key"
    _private(path, 0o600)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# Old keys still accepted after a rotation (sessions, sealed TOTP keys and links); comma-separated.
SECRET_KEY_FALLBACKS = [k.strip() for k in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if k.strip()]
DEBUG = not PRODUCTION and os.environ.get("DEBUG", "1") == "1"
_DEV_HOSTS = "localhost,127.0.0.1,[::1],testserver"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "" if PRODUCTION else _DEV_HOSTS).split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_zxcvbn_password_validator",  # for its Japanese translations of zxcvbn's feedback
    "tebiki.web.accounts",
    "tebiki.web.orgs",
    "tebiki.web.assessments",
    "tebiki.web.reports",
    "tebiki.web.audit",
    "tebiki.web.devices",
    "tebiki.web.incidents",
    "tebiki.web.policy",
    "tebiki.web.people",
    "tebiki.web.mail",
    "tebiki.web.orgapi",
]

# tebiki.web.browser.*: Django's and django-otp's middlewares of the same name, skipped by a device's upload without
# a cookie (/api/v1/agent/…), for which they would do nothing (that module says why).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, which answers static files itself: these headers must reach static responses too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tebiki.web.browser.CSPMiddleware",  # django-csp's, with a fixed policy for the JSON API
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tebiki.web.browser.SessionMiddleware",
    "tebiki.web.sessions.SlidingExpiryMiddleware",
    "tebiki.web.browser.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "tebiki.web.browser.AuthenticationMiddleware",
    "tebiki.web.browser.OTPMiddleware",
    "tebiki.web.browser.MFAMiddleware",
    "tebiki.web.browser.MessageMiddleware",
    "tebiki.web.limits.RequestSizeLimitMiddleware",  # its check runs before the CSRF middleware reads the body
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tebiki.web.urls"
WSGI_APPLICATION = "tebiki.web.wsgi.application"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [BASE_DIR / "templates"],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.template.context_processors.i18n",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]

DATABASES = {"default": dj_database_url.parse(
    os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'tebiki.sqlite3'}", conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets pages read while a report is written; IMMEDIATE avoids "database is locked" between writers.
    # synchronous=FULL (the default) makes every commit durable before it is answered: the audit log, an enrolment
    # token or a device link shown once are never lost to a power cut. NORMAL is faster (no fsync per commit) and
    # never corrupts the database, but may lose the last commits on a power cut: docs/deploy.md.
    SQLITE_SYNCHRONOUS = os.environ.get("TEBIKI_SQLITE_SYNCHRONOUS", "full").lower()
    if SQLITE_SYNCHRONOUS not in ("full", "normal"):
        raise ImproperlyConfigured(f"TEBIKI_SQLITE_SYNCHRONOUS must be full or normal, not {SQLITE_SYNCHRONOUS!r}")
    DATABASES["default"]["ENGINE"] = "tebiki.web.sqlite"  # Django's backend, one cost less: tebiki/web/sqlite/base.py
    DATABASES["default"]["OPTIONS"] = {
        "init_command": f"PRAGMA journal_mode=WAL; PRAGMA synchronous={SQLITE_SYNCHRONOUS.upper()};",
        "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if not PRODUCTION else 60
    _db = str(DATABASES["default"]["NAME"])
    if not _db.startswith(":memory:") and "mode=memory" not in _db and Path(_db).parent.is_dir():
        # SQLite gives the -wal, -shm and -journal files the mode of the database file, so create it 0600 first.
        os.close(os.open(_db, os.O_WRONLY | os.O_CREAT, 0o600))
        for _suffix in ("", "-wal", "-shm", "-journal"):
            _private(Path(_db + _suffix), 0o600)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "tebiki.web.accounts.passwords.StrengthValidator"},  # zxcvbn: qwertyuiopas, iloveyou1234 fail
]
SIGNUP_OPEN = os.environ.get("TEBIKI_SIGNUP", "0" if PRODUCTION else "1") == "1"
SIGNUP_PER_HOUR = 10  # start-form submissions one address may make per hour; more are refused with 429
PASSWORD_MINIMAL_STRENGTH = 3  # zxcvbn score 0-4; 3 = "safely unguessable" against an offline attack on slow hashes
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
OTP_TOTP_ISSUER = "tebiki"

# The policy tebiki teaches: lock an account for 30 minutes after 10 failures (CSAJ, MIC D/E).
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form's field; it holds the email
AXES_USERNAME_CALLABLE = "tebiki.web.accounts.models.lockout_username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The policy locks the account (username). Adding the IP address would lock a whole office behind one NAT
# address after ten typos by different people, so the per-IP variant is deliberately not used.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

SESSION_COOKIE_AGE = 60 * 60 * 8
# Inactivity expiry: the 8 hours restart with activity, but the session row is rewritten only when its content
# changes or its expiry has moved by SESSION_TOUCH_SECONDS (tebiki.web.sessions), not on every request.
SESSION_ENGINE = "tebiki.web.sessions"
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_SECONDS = 5 * 60
# Sessions (the default database engine) and the cache live in the database, so several app processes or machines
# behind one proxy share them. `migrate` creates the cache table (orgs migration 0003; running `createcachetable`
# again is harmless).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "tebiki_cache"}}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF],
    "img-src": [SELF, "data:"],
    "font-src": [SELF],
    "connect-src": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
    "base-uri": [NONE],
    "object-src": [NONE],
}}

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = _private_dir(DATA_DIR / "static")
if os.environ.get("TEBIKI_STATIC_MANIFEST") == "1":
    # Set by `tebiki serve`, which collects the files first: names carry a content hash, so WhiteNoise sends them
    # with a year-long immutable cache header, and an upgrade changes the names.
    STORAGES = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
else:
    WHITENOISE_USE_FINDERS = True  # runserver and the tests serve from the package without a collectstatic step
MEDIA_ROOT = DATA_DIR / "uploads"
FILE_UPLOAD_PERMISSIONS = 0o600  # evidence files, whatever the umask
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# Evidence files are served only through a view that checks the organisation; never from MEDIA_URL.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
MAX_REQUEST_BYTES = EVIDENCE_MAX_BYTES + 1024 * 1024  # the largest form: one evidence file and its fields
EVIDENCE_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                  ".txt": "text/plain", ".csv": "text/csv", ".json": "application/json",
                  ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
# .xlsx and .docx are zip containers: refused when they unpack to more than this, or to more than RATIO times their
# size (beyond 1 MiB), so a small upload cannot expand into a zip bomb on a reader's PC or in any later processing.
EVIDENCE_UNZIPPED_MAX_BYTES = 100 * 1024 * 1024
EVIDENCE_ZIP_MAX_RATIO = 100
EVIDENCE_ZIP_MAX_PARTS = 10_000

# The audit log is kept until `tebiki audit purge` removes entries older than AUDIT_RETENTION_DAYS (run it from cron);
# nothing younger than a year can be purged.
AUDIT_RETENTION_MIN_DAYS = 365
AUDIT_RETENTION_DAYS = max(int(os.environ.get("TEBIKI_AUDIT_RETENTION_DAYS", 2 * 365)), AUDIT_RETENTION_MIN_DAYS)
# Each backup, purge and verify appends the audit log's head here (append-only), so a cut tail shows: docs/security.md.
AUDIT_ANCHOR_FILE = DATA_DIR / "audit-anchors.jsonl"
# `tebiki restore` refuses archives that unpack to more than this, or to more than BACKUP_MAX_RATIO times their size.
BACKUP_MAX_BYTES = int(os.environ.get("TEBIKI_BACKUP_MAX_BYTES", 8 * 1024**3))
BACKUP_MAX_RATIO = 200
BACKUP_MAX_MEMBERS = 200_000
# Archives are authenticated with this key (HMAC over the manifest); without TEBIKI_BACKUP_KEY the first backup
# writes one to BACKUP_KEY_FILE (mode 0600). Keep a copy away from the server and the archives: see docs/security.md.
BACKUP_KEY = os.environ.get("TEBIKI_BACKUP_KEY", "")
BACKUP_KEY_FILE = DATA_DIR / "backup_key"

# Outgoing mail waits in the database (tebiki.web.mail) until `tebiki mail send`, run every minute by a timer, hands it
# to MAIL_TRANSPORT, retrying failures: no request waits on SMTP and a mail server that is down loses nothing.
# TEBIKI_MAIL_QUEUE=0 sends directly instead. EMAIL_FILE_PATH writes each message to a file there (test servers).
if os.environ.get("EMAIL_HOST"):
    MAIL_TRANSPORT = "django.core.mail.backends.smtp.EmailBackend"
elif os.environ.get("EMAIL_FILE_PATH"):
    MAIL_TRANSPORT = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
else:
    MAIL_TRANSPORT = "django.core.mail.backends.console.EmailBackend"
EMAIL_BACKEND = MAIL_TRANSPORT if os.environ.get("TEBIKI_MAIL_QUEUE") == "0" else "tebiki.web.mail.backend.QueueBackend"
MAIL_MAX_ATTEMPTS = 8
EMAIL_TIMEOUT = 30
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tebiki@localhost")

CHROMIUM = os.environ.get("TEBIKI_CHROMIUM", "/usr/bin/chromium")
PDF_WAIT_SECONDS = 60  # how long a PDF request waits for the process's one Chromium before answering 503

# Every line goes through one redacting handler (tebiki.web.logs): no invitation link or token reaches a log.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "tebiki.web.logs.RedactSecrets"}},
    "formatters": {"server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}",
                              "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]},
                 "server": {"class": "logging.StreamHandler", "formatter": "server", "filters": ["redact"]}},
    "loggers": {"django": {"handlers": [], "level": "INFO"},  # Django's own console handler would not redact
                "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
