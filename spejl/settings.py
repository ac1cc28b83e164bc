"""Spejl settings: one module, driven by the environment.

``SPEJL_ENV`` chooses the mode:

* ``development`` (default): DEBUG on, SQLite in ``var/``, e-mails written to ``var/mail/``.
* ``production``: DEBUG off, refuses to start without ``DJANGO_SECRET_KEY`` and
  ``DJANGO_ALLOWED_HOSTS``, secure cookies, HSTS, Content-Security-Policy, SMTP e-mail.

``DATABASE_URL`` switches the database (``postgres://user:pass@host:5432/name``); without it
Spejl runs on SQLite tuned for real use (WAL, immediate transactions, a busy timeout).
See ``docs/operations.md`` for every variable.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SPEJL_VAR_DIR", BASE_DIR / "var"))

SPEJL_ENV = os.environ.get("SPEJL_ENV", "development")
if SPEJL_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("SPEJL_ENV must be 'development' or 'production'.")
PRODUCTION = SPEJL_ENV == "production"
DEBUG = not PRODUCTION and os.environ.get("DJANGO_DEBUG", "1") == "1"

# Demo mode: seeded demo logins are allowed and a banner says so.
SPEJL_DEMO = os.environ.get("SPEJL_DEMO", "0" if PRODUCTION else "1") == "1"

_secret = os.environ.get("DJANGO_SECRET_KEY", "")
if PRODUCTION and not _secret:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")
SECRET_KEY = _secret or "development-only-key-not-secret-6f1d0c2e9a7b4c3d8e5f1a2b3c4d5e6f7a8b"

ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h]
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set in production.")
if not PRODUCTION:
    ALLOWED_HOSTS += ["127.0.0.1", "localhost", "testserver", "[::1]"]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",  # second factors: TOTP, recovery codes, passkeys (docs/login.md)
    "django_tasks_db",
    "spejl.accounts",
    "spejl.organisations",
    "spejl.audit",
    "spejl.facilitators",
    "spejl.courseplans",
    "spejl.participants",
    "spejl.groups",
    "spejl.enrolments",
    "spejl.notifications",
    "spejl.links",
    "spejl.enquiries",
    "spejl.intake",
    "spejl.consents",
    "spejl.questionnaires",
    "spejl.formation",
    "spejl.evaluation",
    "spejl.retention",
    "spejl.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves collected static files in production (development uses runserver's finder).
    *(["whitenoise.middleware.WhiteNoiseMiddleware"] if PRODUCTION else []),
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Hardening (issue 8): Permissions-Policy and no-store on personal pages; request bodies
    # over the upload limit refused before anything reads them.
    "spejl.web.middleware.SecurityHeadersMiddleware",
    "spejl.web.middleware.UploadSizeLimitMiddleware",
    "spejl.web.middleware.StripNulCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "spejl.web.middleware.DanishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff login (issue 8): log out after inactivity, then no staff page without a second factor.
    "spejl.accounts.middleware.IdleTimeoutMiddleware",
    "spejl.accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Hardening (issue 8): guessing tokens in URLs is slowed down for every token URL.
    "spejl.web.middleware.TokenGuessLimitMiddleware",
]

ROOT_URLCONF = "spejl.urls"
WSGI_APPLICATION = "spejl.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "spejl" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "spejl.web.context_processors.shell",
            ],
        },
    }
]

# --- Database -----------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get(
            "DATABASE_TEST_NAME", "test_" + str(DATABASES["default"]["NAME"])
        )
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SPEJL_SQLITE_PATH", str(VAR_DIR / "spejl.sqlite3")),
            "OPTIONS": {
                # Writers take the lock when the transaction begins, so concurrent writers wait
                # (busy timeout) instead of failing half-way with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
                ),
            },
            # Tests use a file, not memory, so that the concurrency tests run real concurrent
            # transactions against SQLite's locking too.
            "TEST": {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication (django-allauth) ----------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Spejl: "
ACCOUNT_ADAPTER = "spejl.accounts.adapter.AccountAdapter"
# How many proxies in front of Spejl may be trusted to set X-Forwarded-For: rate limits (logins,
# enquiries, link guessing by allauth's reading) then see the visitor's own address.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("SPEJL_TRUSTED_PROXY_COUNT", "0"))
# Rate limits (allauth's own cache-backed limiter): failed logins per IP and per account,
# password-reset mails per IP and per address.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",  # nosec B105  # a rate limit keyed by a view name
    "reset_password_from_key": "20/m/ip",  # nosec B105  # a rate limit keyed by a view name
    "change_password": "5/m/user",  # nosec B105  # a rate limit keyed by a view name
}
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Staff login: second factor, idle expiry, reauthentication (issue 8; docs/login.md) ----
#: A second factor (authenticator app or passkey) for every staff login. Always on in
#: production; elsewhere on unless demo mode waives it (the demo banner says so).
_require_2fa = os.environ.get("SPEJL_REQUIRE_2FA", "")
if _require_2fa not in {"", "0", "1"}:
    raise ImproperlyConfigured("SPEJL_REQUIRE_2FA must be '0' or '1'.")
if PRODUCTION and _require_2fa == "0":
    raise ImproperlyConfigured("SPEJL_REQUIRE_2FA cannot be turned off in production.")
SPEJL_REQUIRE_2FA = PRODUCTION or (_require_2fa == "1" if _require_2fa else not SPEJL_DEMO)
#: Minutes without a request after which a staff login ends.
SPEJL_IDLE_MINUTES = int(os.environ.get("SPEJL_IDLE_MINUTES", "30"))
if SPEJL_IDLE_MINUTES < 1:
    raise ImproperlyConfigured("SPEJL_IDLE_MINUTES must be at least 1.")
#: Seconds a login or re-authentication counts as recent for exports and erasure.
ACCOUNT_REAUTHENTICATION_TIMEOUT = int(os.environ.get("SPEJL_REAUTH_SECONDS", "300"))
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
# TOTP secrets and recovery-code seeds are encrypted with the field keys (docs/security.md).
MFA_ADAPTER = "spejl.accounts.mfa_adapter.MFAAdapter"
MFA_TOTP_ISSUER = "Spejl"
# Passkeys (with user verification) may replace password and code at login.
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_WEBAUTHN_USER_VERIFICATION = "preferred"
# WebAuthn needs https, except on localhost during development and tests.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
# Recovery codes are shown once, right after they are made, and never again.
MFA_RECOVERY_CODES_SHOW_ONCE = True
# Code attempts share allauth's "login_failed" limit (5 per 5 minutes per account).

CACHES = {
    "default": {
        # Rate limits must be shared by every app process: the database cache works on SQLite
        # and PostgreSQL without another service.
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "spejl_cache",
    }
}

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Copenhagen"
USE_TZ = True
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "spejl" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- E-mail --------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("SPEJL_FROM_EMAIL", "Spejl <noreply@spejl.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Django 6.1 mailers: SMTP in production, files in var/mail/ in development (one file per
# message, so a developer can read exactly what a person would receive).
if PRODUCTION:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": os.environ.get("EMAIL_USE_TLS", "1") == "1",
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": os.environ.get(
                "SPEJL_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
            ),
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }
SPEJL_SMS_BACKEND = os.environ.get(  # a BaseSmsBackend subclass: see docs/notifications.md
    "SPEJL_SMS_BACKEND",
    "spejl.notifications.sms." + ("DisabledSmsBackend" if PRODUCTION else "FileSmsBackend"),
)

# --- Background tasks ----------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Security --------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No inline script or style anywhere: every script and stylesheet is a file from 'self'.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("SPEJL_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Hardening (issue 8): uploads and request sizes -----------------------------------
#: Form fields (not files) of one request: far above any Spejl form, far below harm.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
#: Uploaded files above this go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
#: Fields of one request (the attendance sheet of a full group and the paper entry of all
#: instruments stay far below).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 1
#: The largest file a questionnaire import accepts (the form names the limit).
SPEJL_IMPORT_MAX_BYTES = int(os.environ.get("SPEJL_IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))
#: The largest request body at all: the import file plus its form; larger ones get 413 unread.
SPEJL_REQUEST_MAX_BYTES = SPEJL_IMPORT_MAX_BYTES + 256 * 1024
#: A form sent without its CSRF token gets Spejl's own kind page (nothing of the reason shown).
CSRF_FAILURE_VIEW = "spejl.web.errors.csrf_failure"

# --- Logging: never personal data ----------------------------------------------------
# Request logging names only the path (which carries random identifiers, never names) and
# the status. Form data, e-mail addresses and query strings are never logged.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_personal_data": {"()": "spejl.web.logging.RedactQueryStrings"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["no_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("SPEJL_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "INFO", "filters": ["no_personal_data"]},
    },
}

# --- Spejl -----------------------------------------------------------------------------
SPEJL_VERSION = "0.1.0"
SPEJL_POSTCODES_CSV = BASE_DIR / "spejl" / "data" / "dk_postcodes.csv"
SPEJL_BASE_URL = os.environ.get("SPEJL_BASE_URL", "http://127.0.0.1:8000")
# Shared secret of the delivery-receipt webhook (docs/notifications.md); empty: webhook off.
SPEJL_DELIVERY_WEBHOOK_SECRET = os.environ.get("SPEJL_DELIVERY_WEBHOOK_SECRET", "")
#: Days a participant has to answer an offer of a place before it lapses and the seat returns.
SPEJL_OFFER_DAYS = int(os.environ.get("SPEJL_OFFER_DAYS", "7"))

# --- Evaluation: reports and exports (docs/evaluation.md) ----------------------------------
#: Any statistic resting on fewer persons is withheld ("< 5"), with secondary suppression.
SPEJL_MIN_CELL = int(os.environ.get("SPEJL_MIN_CELL", "5"))
#: A group or organisation level enters the mixed model only with at least this many units.
SPEJL_MIXED_MIN_UNITS = int(os.environ.get("SPEJL_MIXED_MIN_UNITS", "10"))
#: Reports over more course participations than this are built in the background.
SPEJL_REPORT_INLINE_MAX = int(os.environ.get("SPEJL_REPORT_INLINE_MAX", "2000"))
#: Exports over more participants than this are built in the background.
SPEJL_EXPORT_INLINE_MAX = int(os.environ.get("SPEJL_EXPORT_INLINE_MAX", "500"))
#: Hours an export waits for its one download before it is deleted.
SPEJL_EXPORT_HOURS = int(os.environ.get("SPEJL_EXPORT_HOURS", "24"))
#: Where export files wait for their download (outside the database and the static files).
SPEJL_EXPORT_DIR = Path(os.environ.get("SPEJL_EXPORT_DIR", VAR_DIR / "exports"))
#: The master key of export pseudonyms (base64 or hex, ≥ 32 bytes), kept outside the database.
#: Required in production; in development a random key is made once in var/export-key.
SPEJL_EXPORT_KEY = os.environ.get("SPEJL_EXPORT_KEY", "")
SPEJL_EXPORT_KEY_FILE = VAR_DIR / "export-key"

# --- Contact data encrypted at rest (issue 8; docs/security.md) ---------------------------
#: Field-encryption keys, "k2:<base64 32 bytes>,k1:<base64>": the first encrypts, all decrypt.
#: Required in production; in development a random key is made once in var/field-keys.
SPEJL_FIELD_KEYS = os.environ.get("SPEJL_FIELD_KEYS", "")
SPEJL_FIELD_KEYS_FILE = VAR_DIR / "field-keys"
#: Key of the keyed hashes used for lookups (duplicate enquiries), base64 ≥ 32 bytes.
#: Required in production; in development made once in var/lookup-key.
SPEJL_LOOKUP_KEY = os.environ.get("SPEJL_LOOKUP_KEY", "")
SPEJL_LOOKUP_KEY_FILE = VAR_DIR / "lookup-key"
#: The lookup key being rotated away from, so lookups keep working until rotate_keys is done.
SPEJL_LOOKUP_KEY_PREVIOUS = os.environ.get("SPEJL_LOOKUP_KEY_PREVIOUS", "")

# --- Retention (issue 8, part 4: docs/retention.md; `manage.py apply_retention` daily) ------
#: Contact data: erased this many months after the participant's last activity (last meeting
#: of their group, last change of a place, intake, questionnaire window) once they neither
#: wait nor hold a place in a group that is still going. The consent texts promise 12.
SPEJL_RETAIN_CONTACT_MONTHS = int(os.environ.get("SPEJL_RETAIN_CONTACT_MONTHS", "12"))
#: Enquiries that never became participants (closed, or left untouched): deleted this many
#: months after their last change, with their intake appointments.
SPEJL_RETAIN_ENQUIRY_MONTHS = int(os.environ.get("SPEJL_RETAIN_ENQUIRY_MONTHS", "12"))
#: Sent, failed and skipped outbox rows: deleted this many months after they were queued.
SPEJL_RETAIN_NOTIFICATION_MONTHS = int(os.environ.get("SPEJL_RETAIN_NOTIFICATION_MONTHS", "12"))
#: Secure links: deleted this many days after they expired, were used up or revoked.
SPEJL_RETAIN_LINK_DAYS = int(os.environ.get("SPEJL_RETAIN_LINK_DAYS", "30"))
#: Finished background-task rows (django_tasks_db): deleted this many days after finishing.
SPEJL_RETAIN_TASK_DAYS = int(os.environ.get("SPEJL_RETAIN_TASK_DAYS", "30"))
#: Report runs (their aggregates): deleted this many days after they were asked for.
SPEJL_RETAIN_REPORT_RUN_DAYS = int(os.environ.get("SPEJL_RETAIN_REPORT_RUN_DAYS", "14"))
#: Finished export records (who asked for which export; the file goes after 24 hours).
SPEJL_RETAIN_EXPORT_RECORD_MONTHS = int(os.environ.get("SPEJL_RETAIN_EXPORT_RECORD_MONTHS", "12"))
#: Audit events (and their seals): pruned this many years after they happened; 0 keeps them.
SPEJL_RETAIN_AUDIT_YEARS = int(os.environ.get("SPEJL_RETAIN_AUDIT_YEARS", "5"))
#: The day the evaluation ends (YYYY-MM-DD, from the agreement with the evaluator); empty
#: while not fixed. Research data are then due for deletion or anonymisation
#: SPEJL_RETAIN_RESEARCH_YEARS later (0: at once, as evaluation consent text v1 says) —
#: reported by apply_retention, never done automatically.
SPEJL_EVALUATION_ENDS = os.environ.get("SPEJL_EVALUATION_ENDS", "")
SPEJL_RETAIN_RESEARCH_YEARS = int(os.environ.get("SPEJL_RETAIN_RESEARCH_YEARS", "0"))
#: Rows per transaction when applying retention.
SPEJL_RETENTION_BATCH = int(os.environ.get("SPEJL_RETENTION_BATCH", "500"))
