"""Relay settings: one module, configured from the environment (every variable: docs/configuration.md).

Defaults are safe for a laptop: SQLite in the project folder, and Celery messages and the cache in files
under VAR_DIR, so that `make run`'s web server, worker and beat work as in production with no server to
install. Setting DATABASE_URL and REDIS_URL turns the same code into the production setup.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A .env file (created from .env.example by `make`) fills in what the real environment leaves unset.
environ.Env.read_env(env.str("RELAY_ENV_FILE", default=str(BASE_DIR / ".env")))

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-relay-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # PostgreSQL-only index kinds (the leads search's trigram index); harmless on SQLite.
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "template_partials",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "simple_history",
    "crm",
    "campaigns",
    "companies",
    "leads",
    "handoff",
    "deals",
    "agenda",
    "outreach",
    "goals",
    "reports",
    "search",
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every view needs a login unless it says otherwise: a forgotten check fails closed. DRF views opt
    # out and authenticate themselves (session or token), answering 401/403 instead of redirecting.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Lets the audit history (django-simple-history) record who saved a campaign, lead or deal.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a refused sign-in of a locked-out user into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm.urls"

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
                "crm.context_processors.navigation",
                "handoff.context_processors.inbox",
            ],
        },
    },
]

WSGI_APPLICATION = "crm.wsgi.application"

# --- Database -------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions let the dev server, the eager tasks and the test live server write
    # without "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Report queries are short: compiling them (JIT) cost more than running them; the medians' sorts
    # should stay in memory at a million leads; on SSDs an index lookup costs little more than a
    # sequential read, which lets the planner pick the index paths the per-campaign figures need.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = env.str(
        "PG_OPTIONS", default="-c jit=off -c work_mem=16MB -c random_page_cost=1.1"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# Without Redis: the folder of the Celery messages and the cache that `make run`'s processes share.
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

if REDIS_URL:
    CACHES = {
        "default": {
            # django-redis: one client per connection pool, and an `incr` that raises ValueError for a missing
            # key in one server-side script (crm.http's rate-limit windows rely on both).
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "relay",
        }
    }
else:
    # Files, not process memory: beat's heartbeat, written by the worker, is read by /healthz in the web
    # process, and the scoring drain's key (leads.tasks) is shared by the worker's processes.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
        }
    }

# Without Redis, kombu's filesystem transport: a message is a file in VAR_DIR/broker, polled by the worker.
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
# Tasks run in-process at the moment they are sent (after the transaction commits) only where asked: the
# test suite (conftest.py) and the SQLite benchmark; everywhere else a worker runs them.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Progress of long jobs lives in database rows; task results are never read.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task taken by a worker that died (SIGKILL, lost host) goes back to the queue after this many seconds,
# for another worker. Keep it longer than the longest task (CELERY_TASK_TIME_LIMIT), or that task runs twice.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A publish to an unreachable broker must fail fast: the request that sent it carries on.
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 1,
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # kombu looks for such tasks every interval × throttle seconds (10 × 10 by default); sooner when the
    # timeout is short.
    "unacked_restore_interval": min(10, max(1, CELERY_VISIBILITY_TIMEOUT // 10)),
    "unacked_restore_throttle": min(10, max(1, CELERY_VISIBILITY_TIMEOUT // 360)),
}
if not REDIS_URL:
    BROKER_FOLDER = VAR_DIR / "broker"
    for folder in (BROKER_FOLDER / "queue", BROKER_FOLDER / "control", VAR_DIR / "cache"):
        folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # The web process, the worker and beat all write to and read from the one folder.
        "data_folder_in": str(BROKER_FOLDER / "queue"),
        "data_folder_out": str(BROKER_FOLDER / "queue"),
        "control_folder": str(BROKER_FOLDER / "control"),
        # Seconds between two looks at the folder: the delay a message adds before its task starts.
        "polling_interval": 0.5,
    }
CELERY_TIMEZONE = env.str("TIME_ZONE", default="UTC")
# Leads queued for scoring are scored this long after the first change that queued them (one task per
# process per interval, whatever the event rate): the delay an event adds before its lead's hand-over.
SCORING_DOORBELL_SECONDS = 0.25
# How often beat's sweep scores what rings missed and hands over every qualified lead left behind (a
# worker that died mid-batch, a failed hand-over due again): the longest such a lead waits.
SCORING_SWEEP_SECONDS = env.float("SCORING_SWEEP_SECONDS", default=60.0)
# An import or a rescore whose progress has not moved for this long is sent to a worker again (its worker
# died: on the filesystem transport its message died with it). Keep it longer than the slowest batch.
STALLED_WORK_MINUTES = env.int("STALLED_WORK_MINUTES", default=10)
# Task reminders (agenda): beat looks for tasks come due this often; a worker that claimed a reminder's
# email has this long to send it before the sweep sends it again (keep it well above the SMTP timeout).
REMINDER_SWEEP_SECONDS = env.float("REMINDER_SWEEP_SECONDS", default=60.0)
REMINDER_EMAIL_LEASE_SECONDS = env.int("REMINDER_EMAIL_LEASE_SECONDS", default=300)
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "worker-heartbeat": {"task": "crm.heartbeat", "schedule": 60.0},
    "score-stale-leads": {"task": "leads.score_stale_leads", "schedule": SCORING_SWEEP_SECONDS},
    "hand-over-ready-leads": {"task": "handoff.hand_over_ready_leads", "schedule": SCORING_SWEEP_SECONDS},
    "reassign-overdue-mqls": {"task": "handoff.reassign_overdue_mqls", "schedule": 300.0},
    "send-unsent-consent-confirmations": {"task": "leads.send_unsent_consent_confirmations", "schedule": 300.0},
    "resume-stalled-work": {"task": "leads.resume_stalled_work", "schedule": 120.0},
    # Emails queued but not sent: a lost message, a retry that did not come, a worker that died mid-send.
    "send-queued-emails": {"task": "outreach.send_queued_emails", "schedule": 60.0},
    # Keeps the live part of the campaign figures small (reports.rollups); figures are exact either way.
    "refresh-rollups": {"task": "reports.refresh_rollups", "schedule": 60.0},
    # Companies whose people or deals changed (companies.Company.rollups_due): their stored roll-ups.
    "refresh-account-rollups": {"task": "reports.refresh_account_rollups", "schedule": 60.0},
    # Decay moves every score a little each day.
    "rescore-leads-nightly": {"task": "leads.rescore_leads", "schedule": crontab(hour=2, minute=30)},
    # The week's forecast snapshot (reports.services.snapshot_forecast): Monday's run takes it, a later run
    # in the week catches up a missed one, the others find it taken.
    "snapshot-forecast": {"task": "reports.snapshot_forecast", "schedule": crontab(hour=6, minute=0)},
    # Tasks come due: the assignee's notification and email, each once.
    "send-due-reminders": {"task": "agenda.send_due_reminders", "schedule": REMINDER_SWEEP_SECONDS},
    # The agreement's figures to managers and marketers, Monday morning (beat's clock is TIME_ZONE).
    "send-agreement-digest": {
        "task": "reports.send_agreement_digest",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
    },
}

# --- Auth -------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)

# Repeated failed sign-ins lock out that username from that address (django-axes, attempts kept in the
# database); a manager unlocks it early by deleting the attempt in the admin (Axes › Access attempts).
AUTHENTICATION_BACKENDS = [
    "crm.auth.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "crm.auth.lockout_response"
AXES_CLIENT_IP_CALLABLE = "crm.http.client_ip"

# --- Internationalisation ---------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
# The ISO 4217 code of every amount (deal amounts, budgets, spend): pages show "$", "€", "£", "¥" or "₹" for
# the common ones and the code for others ("CHF 1,500"). One currency per site: amounts are not converted.
CURRENCY = env.str("CURRENCY", default="USD").strip().upper()
if not (len(CURRENCY) == 3 and CURRENCY.isascii() and CURRENCY.isalpha()):
    raise ImproperlyConfigured(f"CURRENCY must be a three-letter ISO 4217 code such as USD, not {CURRENCY!r}.")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Serve from the app folders without collectstatic in development and in tests (the load test's gunicorn
# runs with DEBUG off): then there is no manifest of hashed names either.
WHITENOISE_USE_FINDERS = DEBUG or env.bool("WHITENOISE_USE_FINDERS", default=False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if WHITENOISE_USE_FINDERS
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded files (CSV imports). A Celery worker on another host must see the same folder (shared volume).
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"
# Lead CSV imports larger than this are refused at upload (bytes; files over 2.5 MB stream to a temp file).
LEAD_IMPORT_MAX_BYTES = env.int("LEAD_IMPORT_MAX_BYTES", default=512 * 1024 * 1024)
# A campaign's daily figures fit in a few kilobytes a year; a larger file is a mistake.
CAMPAIGN_STATS_MAX_BYTES = env.int("CAMPAIGN_STATS_MAX_BYTES", default=2 * 1024 * 1024)

# Request bodies other than file uploads (forms, JSON): a full batch of 1,000 events is about 0.5 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("REQUEST_MAX_BYTES", default=5 * 1024 * 1024)
# Relay's largest form (the scoring rules) posts about a hundred fields; Django's default leaves room.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# Uploads larger than this go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Email ------------------------------------------------------------------------------------------
# EMAIL_URL such as smtp+tls://user:password@host:587; sets EMAIL_BACKEND, EMAIL_HOST, ...
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Relay <relay@localhost>")
# The address people reach Relay at, for links in emails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Days a double opt-in link (the email sent for a consent ticked on the public form) stays valid.
CONSENT_CONFIRMATION_DAYS = env.int("CONSENT_CONFIRMATION_DAYS", default=7)
# Email from Relay (outreach). Replies go to this address with the email's token after a plus
# (replies+TOKEN@relay.example): a mailbox that receives them is read over IMAP_URL. Unset: no Reply-To.
EMAIL_REPLY_TO = env.str("EMAIL_REPLY_TO", default="")
# The mailbox Relay reads replies from, e.g. imaps://user:password@imap.example.com:993/INBOX; unset: off.
IMAP_URL = env.str("IMAP_URL", default="")
if IMAP_URL:
    # Every minute: the replies waiting in that mailbox (outreach.replies).
    CELERY_BEAT_SCHEDULE["read-replies"] = {"task": "outreach.read_replies", "schedule": 60.0}
# Days an email's tracking pixel and click links count (and its links redirect) after it was sent.
TRACKING_LINK_DAYS = env.int("TRACKING_LINK_DAYS", default=180)

# --- Security (production) ---------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_PROXY", default=False) else None
SECURE_REFERRER_POLICY = "same-origin"
# /healthz is probed over plain HTTP by load balancers inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts and styles only from Relay's own static files, so an
# injected <script> or onclick= never runs. Chart data travels in json_script blocks (not executed), the
# progress bars are sized from data-percent by leads.js, and htmx's indicator styles live in app.css.
# Only the public capture form may be framed, by the sites in CAPTURE_FRAME_ANCESTORS (leads.views.public).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
CAPTURE_FRAME_ANCESTORS = env.list("CAPTURE_FRAME_ANCESTORS", default=["*"])

# --- Forms, API --------------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # DRF's TokenAuthentication, reading the user's roles in the same query.
        "crm.auth.TokenWithRolesAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # DRF's JSON parser, refusing (400) JSON nested deeper than crm.bounds.MAX_JSON_DEPTH.
    "DEFAULT_PARSER_CLASSES": [
        "crm.bounds.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "crm.api_errors.exception_handler",
    # Fixed-window counters in the cache (crm.throttling); 429 with Retry-After when a budget is spent.
    "DEFAULT_THROTTLE_CLASSES": ["crm.throttling.UserThrottle", "crm.throttling.AnonThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("THROTTLE_USER", default="2000/min"),
        "anon": env.str("THROTTLE_ANON", default="60/min"),
        # Event ingest from integrations comes in bursts of hundreds of requests a second.
        "events": env.str("THROTTLE_EVENTS", default="100000/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Relay CRM API",
    "DESCRIPTION": "Campaigns, leads, engagement events, deals and funnel reports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Campaign.channel and Lead.source_channel share one set of choices: one name in the schema.
    # Likewise Company.size_band and Lead.company_size share CompanySize.
    "ENUM_NAME_OVERRIDES": {
        "ChannelEnum": "campaigns.models.Channel",
        "CompanySizeEnum": "companies.models.CompanySize",
        "EmailKindEnum": "outreach.models.EmailKind",
    },
    # Swagger UI from the installed sidecar package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
