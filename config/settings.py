"""
newsroom settings.

This module is the only place that reads ``os.environ``. Development works
with no configuration at all (SQLite, DEBUG on, a throwaway secret key);
production (``DJANGO_DEBUG`` off) refuses to start without a real secret key.
"""

import ipaddress
import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", default=True)

# Development only: never accepted once DEBUG is off.
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
# Keys that were published somewhere (examples, documentation) and so are no secret.
PLACEHOLDER_SECRET_KEYS = frozenset(
    {
        DEVELOPMENT_SECRET_KEY,
        "change-me-to-a-long-random-string",  # deploy/newsroom.env.example
        "change-me",
        "changeme",
        "secret",
        "your-secret-key",
        "django-insecure-change-me",
    }
)
SECRET_KEY_MIN_LENGTH = 50
MAKE_SECRET_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not DEBUG:
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off. "
            f"Make one with: {MAKE_SECRET_KEY}"
        )
    if SECRET_KEY in PLACEHOLDER_SECRET_KEYS or SECRET_KEY.lower().startswith(
        ("change-me", "changeme", "django-insecure-")
    ):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is a published placeholder, not a secret. "
            f"Make a new one with: {MAKE_SECRET_KEY}"
        )
    if len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH:
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY is {len(SECRET_KEY)} characters long; at least "
            f"{SECRET_KEY_MIN_LENGTH} are needed. Make one with: {MAKE_SECRET_KEY}"
        )
elif not SECRET_KEY:
    SECRET_KEY = DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Django's admin on a site that answers bad input as bad input (newsroom/adminsite.py).
    "newsroom.adminsite.NewsroomAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_ckeditor_5",
    # django-axes, named in Chinese in the admin (newsroom/axes_config.py).
    "newsroom.axes_config.AxesConfig",
    "newsroom",
]

MIDDLEWARE = [
    # First: everything after it sees the visitor's address, not the proxy's.
    "newsroom.proxies.ClientAddressMiddleware",
    "newsroom.middleware.RefuseTraceMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The department's language on public pages, the browser's in the admin.
    "newsroom.middleware.DepartmentLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Answers an old site's addresses with a 301, only where the answer is a 404
    # (before the next one, whose 404 under DEBUG it must see too).
    "newsroom.middleware.LegacyRedirectMiddleware",
    # The site's own 404 page under DEBUG as well (NEWSROOM_DEBUG_404_PAGE=1: Django's).
    "newsroom.middleware.OwnNotFoundPageMiddleware",
    # ETags on public pages and feeds; a matching If-None-Match gets a 304.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Lets nginx's micro-cache tell real staff from a made-up cookie.
    "newsroom.proxies.StaffCacheCookieMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "newsroom.middleware.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Counts failed logins and refuses locked-out ones before checking passwords.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    # The public site: Jinja2, compiled to Python (see newsroom/templating.py).
    # It skips templates/admin/, which the Django engine below serves.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "newsroom.templating.environment",
            # The backend itself adds request, csrf_input and csrf_token.
            "context_processors": [
                "newsroom.context_processors.site",
                "newsroom.templating.translations",
            ],
        },
    },
    # The admin, its overrides in templates/admin/, and every app's templates.
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newsroom.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        # A health check is a round trip before every request's first query;
        # off by default (as in Django), on for databases that restart often.
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", False),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and the click writer work at the same time; the busy
    # timeout makes concurrent writers wait instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests use a file, not the shared in-memory database, so that concurrent
    # connections behave as in production (busy waits instead of table locks).
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get(
            "DJANGO_TEST_SQLITE_NAME",
            str(Path(tempfile.gettempdir()) / f"newsroom-test-{os.getpid()}.sqlite3"),
        )
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg prepares a statement the second time a connection runs it: the
    # public pages' queries have a fixed text (newsroom/sqlcache.py), and
    # planning them cost PostgreSQL more than answering them. Not the first
    # time, so that one-off statements (migrations, rare admin queries) cost
    # no preparation; not psycopg's default fifth, since a connection may live
    # for only a few requests (DATABASE_CONN_MAX_AGE). Preparing needs
    # server-side binding: with Django's default client-side binding every
    # statement's text carries its values. "none" turns preparing off, for a
    # pooler in transaction mode that does not keep prepared statements
    # (PgBouncer before 1.21).
    prepare_threshold = os.environ.get("DATABASE_PREPARE_THRESHOLD", "1").strip().lower()
    if prepare_threshold != "none" and not prepare_threshold.isdigit():
        raise ImproperlyConfigured(
            "DATABASE_PREPARE_THRESHOLD is a number of runs (0 or more) or 'none'."
        )
    # Added to the options DATABASE_URL may carry (?sslmode=require …).
    pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    pg_options["server_side_binding"] = True
    pg_options["prepare_threshold"] = (
        None if prepare_threshold == "none" else int(prepare_threshold)
    )
    if pg_options["prepare_threshold"] is not None:
        # One generic plan per prepared statement. Left to choose, PostgreSQL
        # kept re-planning some of the public pages' statements on every run,
        # which is what preparing them is meant to avoid, and the search's
        # first pass is written for a generic plan (the recent-articles index,
        # services/search.py). It holds for every prepared statement of the
        # connection, Django's and the admin's included, planned without
        # their values: their lookups by id, column, department or state are
        # index lookups whatever the value. Without preparing it would change
        # nothing, and a pooler might refuse the startup option.
        pg_options["options"] = (
            f"{pg_options.get('options', '')} -c plan_cache_mode=force_generic_plan".lstrip()
        )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "newsroom",
            # The default of 300 entries thrashes on a site with many pages.
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 20000)},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))

# Media on the local disk (or a shared one mounted at DJANGO_MEDIA_ROOT), or in
# S3-compatible object storage through django-storages for several app servers.
MEDIA_STORAGE = os.environ.get("NEWSROOM_MEDIA_STORAGE", "filesystem")
if MEDIA_STORAGE == "s3":
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["NEWSROOM_S3_BUCKET"],
            "endpoint_url": os.environ.get("NEWSROOM_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("NEWSROOM_S3_REGION") or None,
            "access_key": os.environ.get("NEWSROOM_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("NEWSROOM_S3_SECRET_ACCESS_KEY") or None,
            "custom_domain": os.environ.get("NEWSROOM_S3_CUSTOM_DOMAIN") or None,
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000"},
        },
    }
elif MEDIA_STORAGE == "filesystem":
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured("NEWSROOM_MEDIA_STORAGE is 'filesystem' or 's3'.")

# Attachments (附件) live apart from the public media, where neither nginx nor
# /media/ can serve them; only the download view reads them (newsroom/storage.py).
NEWSROOM_PRIVATE_ROOT = Path(os.environ.get("NEWSROOM_PRIVATE_ROOT", BASE_DIR / "private"))
if MEDIA_STORAGE == "s3":
    if not os.environ.get("NEWSROOM_S3_PRIVATE_BUCKET"):
        raise ImproperlyConfigured(
            "NEWSROOM_S3_PRIVATE_BUCKET must name a bucket without public access: "
            "attachments of unpublished articles are kept there."
        )
    ATTACHMENT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **DEFAULT_STORAGE["OPTIONS"],
            "bucket_name": os.environ["NEWSROOM_S3_PRIVATE_BUCKET"],
            "custom_domain": None,
            "default_acl": "private",
            # Never a public URL: the download view streams the file.
            "querystring_auth": True,
            "object_parameters": {},
        },
    }
else:
    for public_root in (MEDIA_ROOT, STATIC_ROOT):
        if NEWSROOM_PRIVATE_ROOT.resolve().is_relative_to(public_root.resolve()):
            raise ImproperlyConfigured(
                f"NEWSROOM_PRIVATE_ROOT ({NEWSROOM_PRIVATE_ROOT}) must not be inside {public_root}."
            )
    ATTACHMENT_STORAGE = {"BACKEND": "newsroom.storage.PrivateFileSystemStorage"}

STORAGES = {
    "default": DEFAULT_STORAGE,
    "attachments": ATTACHMENT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploaded files must never be sniffed into HTML by a browser.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy of the public pages (newsroom/middleware.py): scripts
# only from the site itself, no inline script.
NEWSROOM_CSP = os.environ.get(
    "NEWSROOM_CSP",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)

# Admin login attempts: 5 failures for a user name from one address lock it
# for 15 minutes (django-axes); the lockout page explains it.
AXES_FAILURE_LIMIT = env_int("NEWSROOM_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("NEWSROOM_LOGIN_LOCKOUT_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
AXES_RESET_ON_SUCCESS = True
# The address newsroom.proxies.ClientAddressMiddleware settled on (trusted proxies only).
AXES_CLIENT_IP_CALLABLE = "newsroom.proxies.request_client_address"
AXES_VERBOSE = False

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
    if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Addresses (or networks) of the reverse proxies in front of gunicorn, e.g.
# 127.0.0.1 for the shipped nginx: only from them is X-Forwarded-For believed.
NEWSROOM_TRUSTED_PROXIES = env_list("NEWSROOM_TRUSTED_PROXIES", [])
for _proxy in NEWSROOM_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"NEWSROOM_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network."
        ) from None
# Shared with nginx (deploy/nginx/newsroom.conf): signs the cookie that lets
# signed-in staff skip nginx's micro-cache. Empty: staff get the micro-cache too.
NEWSROOM_STAFF_COOKIE_SECRET = os.environ.get("NEWSROOM_STAFF_COOKIE_SECRET", "")

# Notices to authors. With EMAIL_HOST set, mail goes out by SMTP;
# `manage.py check --deploy` signs in to the server and reports a failure.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "EMAIL_USE_TLS (STARTTLS, port 587) and EMAIL_USE_SSL (port 465) exclude each other."
    )
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "newsroom@localhost")
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING"),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# --- newsroom ---------------------------------------------------------------

NEWSROOM_SITE_NAME = os.environ.get("NEWSROOM_SITE_NAME", "")
# Editor image uploads: limits on the raw upload and on the decoded image.
NEWSROOM_UPLOAD_MAX_BYTES = env_int("NEWSROOM_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
NEWSROOM_UPLOAD_MAX_PIXELS = env_int("NEWSROOM_UPLOAD_MAX_PIXELS", 40_000_000)
NEWSROOM_ATTACHMENT_MAX_BYTES = env_int("NEWSROOM_ATTACHMENT_MAX_BYTES", 50 * 1024 * 1024)
# A visitor's repeated views of one article inside this window count once.
NEWSROOM_CLICK_WINDOW_SECONDS = env_int("NEWSROOM_CLICK_WINDOW_SECONDS", 30 * 60)
# Click increments do not wait for the disk on PostgreSQL (see services/clicks.py).
NEWSROOM_CLICK_ASYNC_COMMIT = env_bool("NEWSROOM_CLICK_ASYNC_COMMIT", True)
# "redis" buffers click increments in Redis (needs REDIS_URL; run flush_clicks).
NEWSROOM_CLICK_BUFFER = os.environ.get("NEWSROOM_CLICK_BUFFER", "database")
if NEWSROOM_CLICK_BUFFER not in {"database", "redis"} or (
    NEWSROOM_CLICK_BUFFER == "redis" and not REDIS_URL
):
    raise ImproperlyConfigured("NEWSROOM_CLICK_BUFFER is 'database' or 'redis' (with REDIS_URL).")
NEWSROOM_PAGE_SIZE = 20
# Benchmarks only: serve bench/ceiling.py's constant page at /bench/ceiling/.
NEWSROOM_BENCH_CEILING = env_bool("NEWSROOM_BENCH_CEILING", False)
# Anonymous public pages are cached (see newsroom/services/pagecache.py).
NEWSROOM_PAGE_CACHE = env_bool("NEWSROOM_PAGE_CACHE", True)
NEWSROOM_PAGE_CACHE_SECONDS = env_int("NEWSROOM_PAGE_CACHE_SECONDS", 3600)
# Without Redis, the processes of one machine share the content version through
# this file's modification time.
NEWSROOM_CONTENT_STAMP = os.environ.get(
    "NEWSROOM_CONTENT_STAMP", str(BASE_DIR / "var" / "content.stamp")
)
# Development (DEBUG) shows the site's own 404 page; 1 shows Django's debug page
# with the URL patterns instead.
NEWSROOM_DEBUG_404_PAGE = env_bool("NEWSROOM_DEBUG_404_PAGE", False)
# Let Django serve uploaded media (development, or a single server without nginx).
NEWSROOM_SERVE_MEDIA = env_bool("NEWSROOM_SERVE_MEDIA", DEBUG)

# Uploads bigger than this are streamed to a temporary file, not held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

CK_EDITOR_5_UPLOAD_FILE_VIEW_NAME = "newsroom:editor-image-upload"
CKEDITOR_5_UPLOAD_FILE_TYPES = ["jpeg", "png", "gif", "webp"]
CKEDITOR_5_CONFIGS = {
    "default": {
        "language": "zh-cn",
        "toolbar": {
            "items": [
                "heading",
                "|",
                "bold",
                "italic",
                "underline",
                "strikethrough",
                "link",
                "|",
                "bulletedList",
                "numberedList",
                "blockQuote",
                "insertTable",
                "|",
                "alignment",
                "imageUpload",
                "|",
                "undo",
                "redo",
            ],
            "shouldNotGroupWhenFull": True,
        },
        # The editor's first heading level is the body's h2 (the page's title is
        # the h1); the cleaner renumbers anything else (newsroom/services/html.py).
        "heading": {
            "options": [
                {"model": "paragraph", "title": "正文", "class": "ck-heading_paragraph"},
                {
                    "model": "heading2",
                    "view": "h2",
                    "title": "标题 1",
                    "class": "ck-heading_heading2",
                },
                {
                    "model": "heading3",
                    "view": "h3",
                    "title": "标题 2",
                    "class": "ck-heading_heading3",
                },
                {
                    "model": "heading4",
                    "view": "h4",
                    "title": "标题 3",
                    "class": "ck-heading_heading4",
                },
            ]
        },
        "image": {
            "toolbar": [
                "imageTextAlternative",
                "|",
                "imageStyle:alignLeft",
                "imageStyle:alignCenter",
                "imageStyle:alignRight",
                "|",
                "toggleImageCaption",
            ],
            "styles": ["alignLeft", "alignCenter", "alignRight", "full", "side"],
        },
        "table": {
            "contentToolbar": ["tableColumn", "tableRow", "mergeTableCells"],
        },
        "link": {"addTargetToExternalLinks": True},
    },
}

# --- site health (links, stale columns, the digest) -------------------------
# The site's public address, for absolute links in e-mails (the health digest).
NEWSROOM_SITE_URL = os.environ.get("NEWSROOM_SITE_URL", "").rstrip("/")
# Host names that are this site: links to them are checked against the site
# itself, without HTTP. Defaults to the site URL's host and the allowed hosts.
NEWSROOM_LINK_SITE_HOSTS = env_list(
    "NEWSROOM_LINK_SITE_HOSTS",
    [
        host
        for host in [urlsplit(NEWSROOM_SITE_URL).hostname or "", *ALLOWED_HOSTS]
        if host and not host.startswith((".", "*", "["))
    ],
)
# Links to other domains are 外链 for review; "*.edu.cn" is any host under edu.cn.
NEWSROOM_LINK_ALLOWED_DOMAINS = env_list("NEWSROOM_LINK_ALLOWED_DOMAINS", ["*.edu.cn", "*.gov.cn"])
# Seconds before an outside link's request is given up.
NEWSROOM_LINK_TIMEOUT = float(os.environ.get("NEWSROOM_LINK_TIMEOUT") or 5)
# A column with nothing published for this many days is flagged as stale.
NEWSROOM_STALE_DAYS = env_int("NEWSROOM_STALE_DAYS", 180)
