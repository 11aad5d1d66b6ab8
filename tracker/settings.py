"""Settings for the supervision statistics tracker.

Everything that differs between a developer's laptop and the bureau's server is read
from the environment. With no environment at all the app runs on a local SQLite file
in debug mode, so `make run` works on a fresh checkout.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


TRUE_WORDS, FALSE_WORDS = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


def envbool(name: str, default: str) -> bool:
    """A yes/no setting; anything else (SECURE_SSL_REDIRECT=flase) stops the app with a message rather
    than being read as "no"."""
    text = os.getenv(name, default).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={text!r} is neither true nor false: write 1/true/yes/on or 0/false/no/off.")


def envint(name: str, default: str) -> int:
    """A whole-number setting; anything else stops the app with a message naming the variable."""
    text = os.getenv(name, default).strip()
    try:
        return int(text)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={text!r} is not a whole number.") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


PRODUCTION = os.getenv("DJANGO_ENV", "development") == "production"

if PRODUCTION:
    # No fallback: a production server must never run with a key from the repository.
    SECRET_KEY = os.environ["SECRET_KEY"]
else:
    SECRET_KEY = os.getenv("SECRET_KEY", "development-only-not-secret-d8f0c4a2e1b94f7f")

DEBUG = envbool("DEBUG", "false" if PRODUCTION else "true")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tables2",
    "django_filters",
    "simple_history",
    "tracker.apps.AxesConfig",
    "tracker.orgs",
    "tracker.catalogue",
    "tracker.entry",
    "tracker.aggregation",
    "tracker.checks",
    "tracker.workflow",
    "tracker.reports",
    "tracker.documents",
    "tracker.web",
    "tracker.demo",
]

MIDDLEWARE = [
    "tracker.middleware.PrivateCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "tracker.middleware.RejectControlCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tracker.middleware.SessionExtendMiddleware",
    "tracker.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "tracker.middleware.ContentSecurityPolicyMiddleware",
    "tracker.routers.ReplicaMiddleware",
    # The domain's NotFound (an organisation outside the user's reach) answered as a 404.
    "tracker.web.middleware.NotFoundMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "tracker.orgs.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login lockout (django-axes): keyed by user name AND address together, so one person's
# typos behind an office's shared NAT address lock out only that user name from there.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", "30") / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "tracker.orgs.backends.client_ip"
# How many reverse proxies in front of the app append to X-Forwarded-For (README, "Production
# settings"); the client is the address the outermost of them saw. 0, the default: the socket's
# address, the header ignored. Set it only when the app cannot be reached without those proxies.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")

# A Content-Security-Policy that forbids inline script and anything from another host.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# The admin only: Django's change list writes a <style> element when a list has no bulk actions
# (admin/change_list.html), which a policy without 'unsafe-inline' styles would block.
CONTENT_SECURITY_POLICY_ADMIN = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

ROOT_URLCONF = "tracker.web.urls"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

WSGI_APPLICATION = "tracker.wsgi.application"

# SQLite by default so a checkout runs with no server; DATABASE_URL selects PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("CONN_MAX_AGE", "0"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has no row locks (select_for_update does nothing): every transaction takes the
    # database's write lock at BEGIN instead, so writers such as two first saves of one
    # organisation's year queue, waiting up to `timeout` seconds, rather than both reading
    # before either writes (or one failing with "database is locked" on its first write).
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
# An optional read replica for the report pages; writes and every other page use the primary
# (tracker/routers.py). In tests it mirrors the primary.
if os.getenv("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=envint("CONN_MAX_AGE", "0")
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["tracker.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Outside production whitenoise serves straight from the source folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Sessions end after an hour without a request; a request extends it, at most once a minute
# (tracker.middleware.SessionExtendMiddleware), rather than writing the session on every request.
# E-mail (reminders and workflow notifications): printed to the console unless a backend is set,
# e.g. EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST, EMAIL_PORT, …
EMAIL_BACKEND = os.getenv("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "tracker@localhost")
# The address people reach the app at, for the links in e-mails.
SITE_URL = os.getenv("SITE_URL", "")

# A period closes for clerks' entry this many days after its reports are due; a reviewer can reopen it
# for one organisation, for REOPENING_DAYS days.
PERIOD_CLOSES_AFTER_DAYS = envint("PERIOD_CLOSES_AFTER_DAYS", "30")
REOPENING_DAYS = envint("REOPENING_DAYS", "7")

SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", "3600")
SESSION_EXTEND_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "true")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading is for public hosts submitted to the browsers' list; an intranet host opts in if ever.
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "false")
    if not SECURE_HSTS_PRELOAD:
        # check --deploy asks for preload (security.W021); off is the deliberate default, see above.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

# Largest figure a clerk may type; anything above is surely a typo.
MAX_FIGURE = 1_000_000_000

# What an uploaded file may be (the web import's .csv/.xlsx, a document template's .docx), checked before it
# is parsed (tracker.uploads; README, "Production settings"): a few hundred KB can unpack to gigabytes or claim
# a million rows. Rows and columns are the web import's; the import_values command has no row limit.
UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_BYTES", str(5 * 1024 * 1024))
UPLOAD_MAX_UNCOMPRESSED_BYTES = envint("UPLOAD_MAX_UNCOMPRESSED_BYTES", str(50 * 1024 * 1024))
UPLOAD_MAX_PARTS = envint("UPLOAD_MAX_PARTS", "1000")
UPLOAD_MAX_RATIO = envint("UPLOAD_MAX_RATIO", "100")
UPLOAD_MAX_XML_TAGS = envint("UPLOAD_MAX_XML_TAGS", "1000000")
UPLOAD_MAX_ROWS = envint("UPLOAD_MAX_ROWS", "20000")
UPLOAD_MAX_COLUMNS = envint("UPLOAD_MAX_COLUMNS", "1000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
}
