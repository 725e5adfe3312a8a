"""RRP settings, read from environment variables.

One settings module for every environment (job-server style). Production safety is the default: a
setting that production needs and that is missing stops start-up with a hint, rather than falling
back to something insecure. Development and the demo relax it explicitly with DEBUG=1 or RRP_DEMO=1,
which `make run` sets.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent  # src/rrp
REPO_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("RRP_VAR_DIR", REPO_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    """Read a true/false environment variable; anything but 1/true/yes/on is false."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_required(name: str, hint: str) -> str:
    """Read an environment variable that production cannot run without, or fail loudly."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"The environment variable {name} is not set. {hint} "
            "For local development run `make run`, or set DEBUG=1 (see dotenv-sample)."
        )
    return value


DEBUG = env_bool("DEBUG")
# Demo mode: synthetic data, demo logins printed on the console, NHS numbers in the 999 test range
# accepted. Never on in production.
DEMO_MODE = env_bool("RRP_DEMO")
RELAXED = DEBUG or DEMO_MODE or env_bool("RRP_TESTING")

if RELAXED:
    SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-development-key-only-for-debug-and-demo")
    ALLOWED_HOSTS = [
        h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
    ]
else:
    SECRET_KEY = env_required(
        "SECRET_KEY", "Generate one with `python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )
    ALLOWED_HOSTS = [
        h
        for h in env_required(
            "ALLOWED_HOSTS", "A comma-separated list of host names, e.g. rrp.example.nhs.uk."
        ).split(",")
        if h
    ]

# Pseudonyms for people outside a provider are keyed hashes; the key must be stable and secret. An empty
# value (an uncommented `RRP_PSEUDONYM_KEY=` in .env) is no key at all, so it falls back too.
PSEUDONYM_KEY = os.environ.get("RRP_PSEUDONYM_KEY", "").strip() or SECRET_KEY

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "ninja",  # its Swagger UI assets through the static pipeline, so /api/docs needs no CDN (CSP)
    "django_tasks_db",
    "rrp.core",
    "rrp.figures",
    "rrp.accounts",
    "rrp.organisations",
    "rrp.people",
    "rrp.force",
    "rrp.segregation",
    "rrp.act",
    "rrp.demo",
    "rrp.api",
    "rrp.measures",
    "rrp.improvement",
    "rrp.reports",
    "rrp.web",
    "rrp.administration",
    "rrp.ops",
]

MIDDLEWARE = [
    # First, so the request id is on every log line of the request and the request's own line times it all.
    "rrp.core.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "rrp.core.http.NoStoreMiddleware",
    "rrp.core.busy.BusyTolerantSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "rrp.accounts.scope.ScopeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "rrp.accounts.middleware.RequireSignInMiddleware",
    # The measures approved on the catalogue's pages, up to date in every process (rrp.measures.governance).
    "rrp.measures.governance.CatalogueMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    # A database too busy to take a write answers 503 with Retry-After, not 500 (rrp.core.busy).
    "rrp.core.busy.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "rrp.config.urls"
WSGI_APPLICATION = "rrp.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "rrp.config.jinja2_env.environment",
            "context_processors": ["rrp.web.context.page_context"],
        },
    },
    {
        # Only for Django's own templates (form widgets); our pages are Jinja2.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'rrp.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    # Writers wait their turn (docs/reliability.md): every transaction.atomic() starts with BEGIN
    # IMMEDIATE, taking the write lock before it reads, so a writer queues on the busy timeout instead of
    # failing at once when another writer committed after its first read (SQLite cannot upgrade a read
    # snapshot to a write lock then). WAL lets pages read while a write goes on. A writer still waiting
    # after the timeout gets "database is locked": the API answers 503 with Retry-After and a form page
    # shows again with what was typed (rrp.core.db.is_database_busy). Recursive triggers make INSERT OR
    # REPLACE fire the append-only tables' delete triggers, which then refuse it (rrp.core.db).
    DATABASES["default"]["OPTIONS"].update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": float(os.environ.get("RRP_SQLITE_BUSY_SECONDS", "10")),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA recursive_triggers=ON;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("RRP_DB_POOL", True):
    # psycopg's connection pool, per server process: at most RRP_DB_POOL_MAX connections however many
    # threads serve requests, so connections cannot pile up under a threaded server; a request that
    # finds none free within RRP_DB_POOL_TIMEOUT seconds is answered 503 with Retry-After. Sizes for a
    # 2-core production host are in docs/reliability.md. Pooled connections replace persistent ones.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": int(os.environ.get("RRP_DB_POOL_MIN", "1")),
        "max_size": int(os.environ.get("RRP_DB_POOL_MAX", "4")),
        "timeout": float(os.environ.get("RRP_DB_POOL_TIMEOUT", "10")),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Single sign-on: answers only the OpenID Connect callback, and only when RRP_OIDC_CLIENT_ID is set.
    "rrp.accounts.sso.SSOBackend",
]
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
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "web:home"

# Single sign-on with the trust's OpenID Connect identity provider (rrp.accounts.sso, docs/sso.md, decision
# 0051), through mozilla-django-oidc, whose OIDC_* settings these fill. On when RRP_OIDC_CLIENT_ID is set.
# The endpoints come from the provider's discovery document (RRP_OIDC_DISCOVERY_URL, or RRP_OIDC_ISSUER
# plus /.well-known/openid-configuration), read when someone signs in; RRP_OIDC_*_ENDPOINT override it.
OIDC_RP_CLIENT_ID = os.environ.get("RRP_OIDC_CLIENT_ID", "").strip()
SSO_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = os.environ.get("RRP_OIDC_CLIENT_SECRET", "")
RRP_OIDC_ISSUER = os.environ.get("RRP_OIDC_ISSUER", "").strip().rstrip("/")
RRP_OIDC_DISCOVERY_URL = os.environ.get("RRP_OIDC_DISCOVERY_URL", "").strip() or (
    f"{RRP_OIDC_ISSUER}/.well-known/openid-configuration" if RRP_OIDC_ISSUER else ""
)
RRP_OIDC_ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": os.environ.get("RRP_OIDC_AUTHORIZATION_ENDPOINT", "").strip(),
    "OIDC_OP_TOKEN_ENDPOINT": os.environ.get("RRP_OIDC_TOKEN_ENDPOINT", "").strip(),
    "OIDC_OP_JWKS_ENDPOINT": os.environ.get("RRP_OIDC_JWKS_ENDPOINT", "").strip(),
}
if SSO_ENABLED and not RRP_OIDC_DISCOVERY_URL and not all(RRP_OIDC_ENDPOINTS.values()):
    raise ImproperlyConfigured(
        "RRP_OIDC_CLIENT_ID is set but RRP does not know where the identity provider is: set RRP_OIDC_ISSUER "
        "(or RRP_OIDC_DISCOVERY_URL), or all of RRP_OIDC_AUTHORIZATION_ENDPOINT, RRP_OIDC_TOKEN_ENDPOINT and "
        "RRP_OIDC_JWKS_ENDPOINT (see docs/sso.md)."
    )
OIDC_RP_SCOPES = os.environ.get("RRP_OIDC_SCOPES", "openid profile").strip()
OIDC_RP_SIGN_ALGO = os.environ.get("RRP_OIDC_SIGN_ALGO", "RS256").strip()
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False  # an administrator links each account; an unknown identity is refused
OIDC_TIMEOUT = int(os.environ.get("RRP_OIDC_TIMEOUT_SECONDS", "10"))
# The ID token claim matched against User.sso_subject: `sub` by default, `oid` for Microsoft Entra ID.
RRP_OIDC_SUBJECT_CLAIM = os.environ.get("RRP_OIDC_SUBJECT_CLAIM", "sub").strip() or "sub"
RRP_OIDC_BUTTON_LABEL = os.environ.get("RRP_OIDC_BUTTON_LABEL", "").strip() or "Sign in with your NHS account"
# The identity provider's own multi-factor sign-in stands for RRP's second factor when the ID token says
# it happened: an `amr` value in RRP_OIDC_MFA_AMR or an `acr` in RRP_OIDC_MFA_ACR (comma-separated).
RRP_OIDC_MFA_AMR = [v.strip() for v in os.environ.get("RRP_OIDC_MFA_AMR", "mfa").split(",") if v.strip()]
RRP_OIDC_MFA_ACR = [v.strip() for v in os.environ.get("RRP_OIDC_MFA_ACR", "").split(",") if v.strip()]
# A trust that signs everyone in through its identity provider switches passwords off.
RRP_PASSWORD_SIGN_IN = env_bool("RRP_PASSWORD_SIGN_IN", True)
if not RRP_PASSWORD_SIGN_IN and not SSO_ENABLED:
    raise ImproperlyConfigured(
        "RRP_PASSWORD_SIGN_IN=0 leaves no way to sign in: set up single sign-on first (RRP_OIDC_CLIENT_ID and "
        "RRP_OIDC_ISSUER, docs/sso.md)."
    )
# Signing out of RRP after a single sign-on also ends the identity provider's session (RP-initiated logout)
# when its discovery document has an end_session_endpoint; 0 signs out of RRP only. Decision 0081.
RRP_OIDC_PROVIDER_SIGN_OUT = env_bool("RRP_OIDC_PROVIDER_SIGN_OUT", True)
OIDC_STORE_ID_TOKEN = True  # kept in the session as the end_session request's id_token_hint
# An emailed invitation's link to choose a password works once, for this many hours (decision 0081); Django's
# token generator reads it as PASSWORD_RESET_TIMEOUT (RRP has no other use for it).
RRP_INVITATION_HOURS = max(1, int(os.environ.get("RRP_INVITATION_HOURS", "72")))
PASSWORD_RESET_TIMEOUT = RRP_INVITATION_HOURS * 60 * 60

# Login throttling (django-axes): 5 failures lock the username from that address for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("RRP_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "rrp.accounts.views.locked_out"
AXES_VERBOSE = False
# The single sign-on callback is not a password guess: the identity provider throttles its own sign-in, and
# a callback only completes with the one-time code for the state this browser started. Counting its
# refusals would lock a shared ward PC out of single sign-on after five unlinked colleagues tried it.
AXES_WHITELIST_CALLABLE = "rrp.accounts.middleware.is_sso_callback"

# Sessions end after 30 minutes without activity (shared ward PCs) and never outlive 10 hours.
SESSION_COOKIE_AGE = int(os.environ.get("RRP_SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_SECONDS = 10 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Production security, on unless explicitly relaxed.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if RELAXED:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
    SECURE_SSL_REDIRECT = False
    SECURE_HSTS_SECONDS = 0
else:
    SESSION_COOKIE_NAME = "__Secure-sessionid"
    CSRF_COOKIE_NAME = "__Secure-csrftoken"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    # Load balancers probe over plain HTTP inside the network; a redirect to HTTPS would fail the probe.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Content Security Policy (django-csp 4). Vega-Lite charts are rendered to SVG on the server or by
# vega-embed from our own static files, so no third-party origin is allowed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:", "https://assets.nhs.uk"],  # the NHS.UK Frutiger web font
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded documents (the use-of-force policies, decision 0063): Django's file storage under MEDIA_ROOT,
# never served as static files (each is served by its view, to signed-in users in scope, audited), and
# included by `rrp backup`.
MEDIA_ROOT = Path(os.environ.get("RRP_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if RELAXED
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = RELAXED
WHITENOISE_AUTOREFRESH = RELAXED

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Logs go to standard output, one line each: JSON in production (for a log shipper), readable text when
# relaxed; RRP_LOG_FORMAT=json|text chooses. Every line carries the request id (rrp.core.logs).
LOG_FORMAT = os.environ.get("RRP_LOG_FORMAT", "text" if RELAXED else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"RRP_LOG_FORMAT must be json or text, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "rrp.core.logs.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every layout step of a board pack at INFO; only its warnings are worth a log line.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}

# HSTS preloading is a decision for the owner of the whole domain (an NHS trust's apex domain), not for
# one service on a subdomain, so `rrp check --deploy` does not ask for it unless SECURE_HSTS_PRELOAD=1.
SILENCED_SYSTEM_CHECKS = [] if env_bool("SECURE_HSTS_PRELOAD", False) else ["security.W021"]

# Background work (decision 0015): Django's tasks framework, queued in the database by django-tasks-db and
# run by `rrp worker`, which also enqueues the schedule (rrp.ops.schedule) and leaves a heartbeat.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# /readyz answers 503 when no worker has been seen for this many seconds (0: do not ask about the worker).
RRP_WORKER_HEARTBEAT_MAX_AGE = int(os.environ.get("RRP_WORKER_HEARTBEAT_MAX_AGE", "300"))
# Long exports made by the worker (rrp.ops.exports): how many hours their files are kept for download.
RRP_EXPORT_KEEP_HOURS = int(os.environ.get("RRP_EXPORT_KEEP_HOURS", "24"))

# Reminders (rrp.ops.reminders): by email through Django's SMTP backend, or by GOV.UK Notify's official
# client when RRP_REMINDER_CHANNEL=notify. Links in them start with RRP_BASE_URL.
RRP_BASE_URL = os.environ.get("RRP_BASE_URL", f"https://{ALLOWED_HOSTS[0]}" if ALLOWED_HOSTS else "").rstrip(
    "/"
)
RRP_REMINDER_CHANNEL = os.environ.get("RRP_REMINDER_CHANNEL", "email")
if RRP_REMINDER_CHANNEL not in {"email", "notify"}:
    raise ImproperlyConfigured(f"RRP_REMINDER_CHANNEL must be email or notify, not {RRP_REMINDER_CHANNEL!r}.")
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "rrp@localhost")
RRP_NOTIFY_API_KEY = os.environ.get("RRP_NOTIFY_API_KEY", "")
RRP_NOTIFY_TEMPLATE_ID = os.environ.get("RRP_NOTIFY_TEMPLATE_ID", "")
RRP_NOTIFY_BASE_URL = os.environ.get("RRP_NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
if RRP_REMINDER_CHANNEL == "notify" and not (RRP_NOTIFY_API_KEY and RRP_NOTIFY_TEMPLATE_ID):
    raise ImproperlyConfigured(
        "RRP_REMINDER_CHANNEL=notify needs RRP_NOTIFY_API_KEY and RRP_NOTIFY_TEMPLATE_ID (a GOV.UK Notify email "
        "template whose subject is ((subject)) and whose body is ((body))): see docs/deploy.md."
    )

# Records are locked from deletion for at least this many years from creation (Use of Force Act s6(6)).
RECORD_RETENTION_YEARS = max(3, int(os.environ.get("RRP_RECORD_RETENTION_YEARS", "3")))

# After rapid tranquillisation, hourly physical health observations are expected for this many hours from
# the (last) injection (NICE NG10 / QS154; local policy may ask for longer).
RRP_RT_MONITORING_HOURS = max(1, int(os.environ.get("RRP_RT_MONITORING_HOURS", "4")))
# Plausibility of records (force.plausibility): a restraint longer than these needs the recorder to confirm
# its duration and is flagged for review; a record first made this long after the incident is flagged late.
RRP_PRONE_CONFIRM_MINUTES = max(1, int(os.environ.get("RRP_PRONE_CONFIRM_MINUTES", "10")))
RRP_RESTRAINT_CONFIRM_MINUTES = max(1, int(os.environ.get("RRP_RESTRAINT_CONFIRM_MINUTES", "120")))
# A prone restraint review is due this many days after the incident was flagged (act.prone; RRP's default).
RRP_PRONE_REVIEW_DAYS = max(1, int(os.environ.get("RRP_PRONE_REVIEW_DAYS", "7")))
RRP_LATE_RECORD_HOURS = max(1, int(os.environ.get("RRP_LATE_RECORD_HOURS", "24")))
# The proposed CQC "notify within 72 hours" export (`rrp export cqc-72h`): off until the duty exists.
RRP_CQC_72H_EXPORT = env_bool("RRP_CQC_72H_EXPORT", False)
