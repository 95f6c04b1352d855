"""Django settings, read from the environment.

TEBIKI_DATA_DIR   where the SQLite database, the generated secret key and uploads live (default ./var)
DATABASE_URL      e.g. postgres://user:pass@host/db; SQLite in the data directory when unset
SECRET_KEY        generated once and stored in the data directory (mode 0600) when unset
TEBIKI_AUDIT_RETENTION_DAYS  age beyond which `tebiki audit purge` removes audit entries (default 730, minimum 365)
TEBIKI_BACKUP_MAX_BYTES      largest unpacked size `tebiki restore` accepts (default 8 GiB)
TEBIKI_BACKUP_KEY            the key that authenticates backups (default: a key file in the data directory)
TEBIKI_ENV        "production" turns on HTTPS-only cookies, HSTS and DEBUG off; anything else is development
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

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("TEBIKI_DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
PRODUCTION = os.environ.get("TEBIKI_ENV", "development") == "production"


def _secret_key() -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = DATA_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
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
    "tebiki.web.accounts",
    "tebiki.web.orgs",
    "tebiki.web.assessments",
    "tebiki.web.reports",
    "tebiki.web.audit",
    "tebiki.web.devices",
    "tebiki.web.incidents",
    "tebiki.web.policy",
    "tebiki.web.people",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tebiki.web.accounts.mfa.MFAMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tebiki.web.limits.RequestSizeLimitMiddleware",  # its check runs before the CSRF middleware reads the body
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
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
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
                                       "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if not PRODUCTION else 60
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
]
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
SESSION_SAVE_EVERY_REQUEST = True  # inactivity expiry: the 8 hours restart at each request
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
WHITENOISE_USE_FINDERS = True  # serve from the package without a collectstatic step
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = DATA_DIR / "uploads"
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

EMAIL_BACKEND = ("django.core.mail.backends.smtp.EmailBackend" if os.environ.get("EMAIL_HOST")
                 else "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tebiki@localhost")

CHROMIUM = os.environ.get("TEBIKI_CHROMIUM", "/usr/bin/chromium")

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
