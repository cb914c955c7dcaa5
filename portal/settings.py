"""Settings for Counterpoint, read from the environment in this one place.

Development defaults are safe: SQLite, tasks run in-process, e-mail to the console. With
DJANGO_DEBUG off, the secret key is required and the security settings are on. A value that
cannot be parsed stops start-up with a message naming the variable.
"""

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from portal.environment import env, env_api_rate, env_bool, env_int, env_rate_limit, env_tdb_url, env_url

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off")
    SECRET_KEY = "development-only-secret-key-not-for-production-use-0123456789"

ALLOWED_HOSTS = [h.strip() for h in env.str("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env.str("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_countries",  # its country names in French and Arabic
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "csp",
    "pgtrigger",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "portal",
    "partners",
    "referrals",
    "campaigns",
    "training",
    "dashboards",
    "benchmarks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.PrivateCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: the person's own language and time zone win over the browser's.
    "portal.locale.UserLocaleMiddleware",
    "portal.middleware.RefuseNulInAddressMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.accounts.middleware.SessionExpiryMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.accounts.middleware.MfaRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
                "dashboards.context_processors.nav",
                # The paging banner (SPEC §17): one query per page, for platform staff only.
                "referrals.law_enforcement.context_processors.paging",
                # The incident banner (SPEC §18): one query per page, for verified partners only.
                "referrals.crisis.context_processors.incident_banner",
            ],
        },
    },
    {
        # Plain-text e-mail bodies and subjects: no HTML escaping ("Amal's", not "Amal&#x27;s").
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# --- Data -----------------------------------------------------------------------------------

DATABASES = {
    "default": env_url(
        "DATABASE_URL",
        env.db_url_config,
        f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        schemes=("sqlite", "postgres", "postgresql", "pgsql"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the development server, the live-server tests and tasks read while one writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 20}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "portal.User"

CACHES = {
    "default": env_url(
        "CACHE_URL",
        env.cache_url_config,
        "locmemcache://",
        schemes=("locmemcache", "rediscache", "redis", "dummycache"),
    )
}

# --- Celery -----------------------------------------------------------------------------------

CELERY_BROKER_URL = env_url("CELERY_BROKER_URL", str, None, schemes=("redis", "rediss", "amqp", "memory"))
# Without a broker every task runs in-process, so `make run` needs nothing but Python.
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
# Without a broker, long jobs (a bulk import) may run in a thread of the web process, so a
# page can watch them advance, as it would with a worker (`make run` turns it on).
PORTAL_BACKGROUND_IN_PROCESS = CELERY_TASK_ALWAYS_EAGER and env_bool("PORTAL_BACKGROUND_IN_PROCESS", False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "referrals.tasks.route_*": {"queue": "routing"},
    "*.tasks.notify_*": {"queue": "notifications"},
    "*.tasks.send_*": {"queue": "notifications"},
}
# The database, not the broker, is the source of truth: a message lost with a dead worker is
# found again by the sweepers, and every task is idempotent, so acking late is safe.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Above the longest task's hard limit, so a slow task is not delivered twice.
    "visibility_timeout": 600,
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    "max_retries": 1,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_WORKER_SEND_TASK_EVENTS = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE: dict = {
    "portal-purge-read-notifications": {"task": "portal.tasks.purge_read_notifications", "schedule": 86400.0},
    "referrals-sweep-received": {"task": "referrals.tasks.sweep_received", "schedule": 60.0},
    "referrals-sweep-receipts": {"task": "referrals.tasks.sweep_receipts", "schedule": 300.0},
    "referrals-watch-deadlines": {"task": "referrals.tasks.watch_deadlines", "schedule": 60.0},
    "referrals-purge-expired-evidence": {"task": "referrals.tasks.purge_expired_evidence", "schedule": 86400.0},
    "referrals-purge-idempotency-records": {"task": "referrals.tasks.purge_idempotency_records", "schedule": 86400.0},
    "training-send-reminders": {"task": "training.tasks.send_reminders", "schedule": 600.0},
    "referrals-remind-expiring-preservations": {
        "task": "referrals.tasks.remind_expiring_preservations",
        "schedule": 86400.0,
    },
    "referrals-release-expired-preservations": {
        "task": "referrals.tasks.release_expired_preservations",
        "schedule": 3600.0,
    },
    # Restriction ends are dates (00:00 UTC): hourly lifts them within the hour, and catches up after an outage.
    "referrals-lift-expired-restrictions": {"task": "referrals.tasks.lift_expired_restrictions", "schedule": 3600.0},
    # Paging (SPEC §17): the leads' second alert for an emergency request or removal order nobody claimed.
    "referrals-repage-unclaimed": {"task": "referrals.tasks.repage_unclaimed", "schedule": 60.0},
    # Productions past PORTAL_PRODUCTION_DAYS: their files are deleted (downloads already answer 410).
    "referrals-purge-expired-productions": {"task": "referrals.tasks.purge_expired_productions", "schedule": 3600.0},
    # Webhook deliveries whose task was lost, or whose retry is due (SPEC §19).
    "partners-send-due-webhooks": {"task": "partners.tasks.send_due_webhooks", "schedule": 60.0},
    # Enrols new statements of reasons; sends them when the Transparency Database is configured.
    "referrals-submit-statements": {"task": "referrals.tasks.submit_statements", "schedule": 60.0},
    # The transparency report's per-day roll-ups: the days writes marked since the last run.
    "dashboards-refresh-transparency-rollups": {
        "task": "dashboards.tasks.refresh_transparency_rollups",
        "schedule": 60.0,
    },
}
CELERY_TIMEZONE = "UTC"

# --- People and sign-in -----------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "partners.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "partners.signup.InvitedSignupForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Counterpoint] "
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    # The public "Become a partner" form (partners.views.apply), counted per stored application.
    "partner_application": env_rate_limit("PORTAL_APPLY_RATE_LIMIT", "5/h/ip"),
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
# The same forms, with their rate-limit lockouts written to the audit trail.
MFA_FORMS = {
    "authenticate": "portal.accounts.forms.AuditedAuthenticateForm",
    "reauthenticate": "portal.accounts.forms.AuditedReauthenticateForm",
}
MFA_TOTP_ISSUER = "Counterpoint"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_PASSKEY_LOGIN_ENABLED = False

# Reverse proxies of ours in front of the portal, each appending the address it saw to
# X-Forwarded-For. The audit trail and allauth's per-IP rate limits read the client address
# through them alone; with none (the default) the header is ignored and REMOTE_ADDR is the client.
PORTAL_TRUSTED_PROXY_COUNT = env_int("PORTAL_TRUSTED_PROXY_COUNT", 0)
# Or a header the trusted proxy sets to the client address (e.g. X-Real-IP), read instead.
PORTAL_TRUSTED_CLIENT_IP_HEADER = env.str("PORTAL_TRUSTED_CLIENT_IP_HEADER", "").strip() or None
ALLAUTH_TRUSTED_PROXY_COUNT = PORTAL_TRUSTED_PROXY_COUNT
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = PORTAL_TRUSTED_CLIENT_IP_HEADER

PORTAL_MFA_REQUIRED_ROLES = tuple(
    r.strip()
    for r in env.str("PORTAL_MFA_REQUIRED_ROLES", "le_liaison,reviewer,queue_lead,policy_staff").split(",")
    if r.strip()
)
PORTAL_INVITATION_DAYS = env_int("PORTAL_INVITATION_DAYS", 7, minimum=1)
PORTAL_API_TOKEN_DAYS = env_int("PORTAL_API_TOKEN_DAYS", 90, minimum=1)

# Sessions: 30 minutes idle, 12 hours in all (enforced by SessionExpiryMiddleware).
PORTAL_SESSION_IDLE = timedelta(minutes=env_int("PORTAL_SESSION_IDLE_MINUTES", 30, minimum=1))
PORTAL_SESSION_ABSOLUTE = timedelta(hours=env_int("PORTAL_SESSION_ABSOLUTE_HOURS", 12, minimum=1))
SESSION_COOKIE_AGE = int(PORTAL_SESSION_ABSOLUTE.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Referrals --------------------------------------------------------------------------------

PORTAL_EVIDENCE_ROOT = Path(env.str("PORTAL_EVIDENCE_ROOT", str(BASE_DIR / "var" / "evidence")))
PORTAL_EVIDENCE_MAX_BYTES = env_int("PORTAL_EVIDENCE_MAX_BYTES", 25 * 1024 * 1024, minimum=1)
PORTAL_EVIDENCE_MAX_FILES = env_int("PORTAL_EVIDENCE_MAX_FILES", 10, minimum=1)
PORTAL_EVIDENCE_RETENTION_DAYS = env_int("PORTAL_EVIDENCE_RETENTION_DAYS", 180, minimum=1)
# Reveals of extremist media per reviewer per day past which a break is suggested (SPEC §15).
PORTAL_EXPOSURE_DAILY_LIMIT = env_int("PORTAL_EXPOSURE_DAILY_LIMIT", 100, minimum=1)
# Look-alikes (SPEC §14): the trigram similarity, in %, from which an account resembling a
# suspended one of its platform is raised as a signal (and boosted when a referral names it).
PORTAL_LOOKALIKE_MIN_SCORE = env_int("PORTAL_LOOKALIKE_MIN_SCORE", 85)
if PORTAL_LOOKALIKE_MIN_SCORE > 100:
    raise ImproperlyConfigured(f"PORTAL_LOOKALIKE_MIN_SCORE must be at most 100; got {PORTAL_LOOKALIKE_MIN_SCORE}")
# Near-duplicate media (SPEC §14): the largest Hamming distance, out of PDQ's 256 bits, at which
# an image counts as a near match of evidence on an actioned referral.
PORTAL_NEAR_DUPLICATE_MAX_DISTANCE = env_int("PORTAL_NEAR_DUPLICATE_MAX_DISTANCE", 31)
if PORTAL_NEAR_DUPLICATE_MAX_DISTANCE > 63:
    raise ImproperlyConfigured(
        f"PORTAL_NEAR_DUPLICATE_MAX_DISTANCE must be between 0 and 63; got {PORTAL_NEAR_DUPLICATE_MAX_DISTANCE}"
    )

# Productions (SPEC §17): files of disclosed or preserved data delivered to an agency, kept
# downloadable this many days, then deleted; each at most this size.
PORTAL_PRODUCTION_DAYS = env_int("PORTAL_PRODUCTION_DAYS", 30, minimum=1)
PORTAL_PRODUCTION_MAX_BYTES = env_int("PORTAL_PRODUCTION_MAX_BYTES", 100 * 1024 * 1024, minimum=1)

# Webhooks (SPEC §19): only https to public addresses, except these hosts (comma-separated;
# the demo and the tests list 127.0.0.1).
PORTAL_WEBHOOK_ALLOW_HOSTS = frozenset(
    h.strip().lower() for h in env.str("PORTAL_WEBHOOK_ALLOW_HOSTS", default="").split(",") if h.strip()
)

# DSA Transparency Database (SPEC §22): with both set, beat sends the statements of reasons.
PORTAL_DSA_TDB_URL = env_tdb_url("PORTAL_DSA_TDB_URL")
PORTAL_DSA_TDB_TOKEN = env.str("PORTAL_DSA_TDB_TOKEN", default="").strip()
if bool(PORTAL_DSA_TDB_URL) != bool(PORTAL_DSA_TDB_TOKEN):
    raise ImproperlyConfigured("Set both PORTAL_DSA_TDB_URL and PORTAL_DSA_TDB_TOKEN, or neither")
PORTAL_DSA_TDB_TIMEOUT = env_int("PORTAL_DSA_TDB_TIMEOUT", 30, minimum=1)

DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- API -------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "partners.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's parsers, with the JSON one refusing deep nesting, lone surrogates and NULs.
    "DEFAULT_PARSER_CLASSES": [
        "portal.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "portal.pagination.CursorPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "portal.api.exception_handler",
    # Per person (all their tokens and sessions together) and per address for anonymous
    # callers: rates that stop a runaway client, far above any person's or bulk job's use.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_api_rate("PORTAL_API_RATE_USER", "5000/minute"),
        "anon": env_api_rate("PORTAL_API_RATE_ANON", "300/minute"),
    },
    # Anonymous callers are keyed by the address our own proxies vouch for, as in the audit:
    # REMOTE_ADDR unless PORTAL_TRUSTED_PROXY_COUNT says how many hops of X-Forwarded-For to trust.
    "NUM_PROXIES": PORTAL_TRUSTED_PROXY_COUNT,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")
SPECTACULAR_SETTINGS = {
    "TITLE": "Counterpoint API",
    "DESCRIPTION": "Referrals, enforcement queues, campaigns and training events.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from the installed sidecar package, so the docs work offline and under the CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `status`; name each choice set after its owner.
    "ENUM_NAME_OVERRIDES": {
        "ReferralStatusEnum": "referrals.models.Status",
        "KindEnum": "referrals.models.Kind",
        "CampaignStatusEnum": "campaigns.models.CampaignStatus",
        "RegistrationStatusEnum": "training.models.RegistrationStatus",
        "EventStatusEnum": "training.models.EventStatus",
        "IncidentStatusEnum": "referrals.choices.IncidentStatus",
        "WebhookEventEnum": "partners.models.WebhookEvent",
    },
}

# --- E-mail ----------------------------------------------------------------------------------

_email = env_url(
    "EMAIL_URL",
    env.email_url_config,
    "consolemail://",
    schemes=("smtp", "smtps", "smtp+tls", "smtp+ssl", "consolemail", "filemail", "memorymail", "dummymail"),
)
vars().update(_email)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "Counterpoint <noreply@counterpoint.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Internationalisation and static files ------------------------------------------------------

# docs/i18n.md: the person's setting, else the switcher's cookie, else Accept-Language, else English.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("ar", "العربية")]
LANGUAGES_BIDI = ["ar"]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Country codes are ISO 3166-1 alpha-2 (portal.countries), plus XK (Kosovo): user-assigned in
# the standard but in general use.
COUNTRIES_OVERRIDE = {"XK": "Kosovo"}
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False

# --- Security --------------------------------------------------------------------------------

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
if CELERY_TASK_ALWAYS_EAGER:
    # In-process tasks need no per-task log lines; a worker keeps them.
    LOGGING["loggers"].update({"celery": {"level": "WARNING"}, "kombu": {"level": "ERROR"}})
