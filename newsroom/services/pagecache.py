"""
The public page cache, and why it is never wrong.

Every cached page is stored under the current *content version*. Any change
that can show on a public page (an article saved, published, taken down,
pinned or deleted; a column, department, image or attachment changed) bumps
the version, so every page is rebuilt on its next request, in every process
at once: the version lives in Redis when ``REDIS_URL`` is set (several app
servers), otherwise in the modification time of a stamp file that all the
processes of one machine share.

Time changes content too: a scheduled article appears, a pin ends, a
公示 reaches its display end. The
version also carries the next such moment (found with one query when the
version changes); once it has passed, the version is bumped, so a scheduled
article appears on time, not when a cache entry expires.

Only anonymous GET/HEAD requests are served from the cache: a request with a
session cookie (staff) or a messages cookie never is, and responses that set
cookies or are not 200 are never stored.
"""

import hashlib
import os
import time
from contextvars import ContextVar
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Min
from django.http import HttpResponse
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language

VERSION_KEY = "content:version"
BOUNDARY_KEY = "content:boundary:{version}"
NO_BOUNDARY = float("inf")


# --- the content version --------------------------------------------------------------


def _stamp_path() -> Path:
    return Path(settings.NEWSROOM_CONTENT_STAMP)


def _stored_version() -> str:
    if settings.REDIS_URL:
        value = cache.get(VERSION_KEY)
        if value is None:
            cache.add(VERSION_KEY, 1, timeout=None)
            value = cache.get(VERSION_KEY, 1)
        return str(value)
    try:
        return str(os.stat(_stamp_path()).st_mtime_ns)
    except FileNotFoundError:
        _touch()
        return str(os.stat(_stamp_path()).st_mtime_ns)


def _touch():
    path = _stamp_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        previous = os.stat(path).st_mtime_ns
    except FileNotFoundError:
        path.touch()
        previous = 0
    stamp = max(time.time_ns(), previous + 1)
    os.utime(path, ns=(stamp, stamp))


def content_changed():
    """
    Call after any change that a public page can show: every page is rebuilt.

    Bumped now, and again when the surrounding transaction commits: a page
    rebuilt in between (from the data before the commit) is dropped too.
    """
    _bump()
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        transaction.on_commit(_bump)


def _bump():
    if settings.REDIS_URL:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:
            cache.add(VERSION_KEY, 2, timeout=None)
    else:
        _touch()


def _next_boundary(now) -> float:
    """When content next changes by itself: a scheduled article, a pin end or
    the end of a display period (公示)."""
    from newsroom.models import Article

    published = Article.objects.filter(status=Article.Status.PUBLISHED)
    moments = [
        published.filter(publish_at__gt=now).aggregate(m=Min("publish_at"))["m"],
        published.filter(is_pinned=True, pinned_until__gt=now).aggregate(m=Min("pinned_until"))[
            "m"
        ],
        published.filter(display_until__gt=now).aggregate(m=Min("display_until"))["m"],
    ]
    moments = [m.timestamp() for m in moments if m is not None]
    return min(moments) if moments else NO_BOUNDARY


# Within one public request the version is read once, however many versioned
# keys (page, columns, most read) the request uses.
_request_version = ContextVar("newsroom_request_version", default=None)


def current_version() -> str:
    """The content version now, bumped first if a scheduled change has come due."""
    pinned = _request_version.get()
    if pinned is None:
        return _read_version()
    if "version" not in pinned:
        pinned["version"] = _read_version()
    return pinned["version"]


def _read_version() -> str:
    version = _stored_version()
    key = BOUNDARY_KEY.format(version=version)
    boundary = cache.get(key)
    now = timezone.now()
    if boundary is None:
        boundary = _next_boundary(now)
        cache.set(key, boundary, timeout=settings.NEWSROOM_PAGE_CACHE_SECONDS * 10)
    if now.timestamp() >= boundary:
        _bump()
        version = _stored_version()
        cache.set(
            BOUNDARY_KEY.format(version=version),
            _next_boundary(now),
            timeout=settings.NEWSROOM_PAGE_CACHE_SECONDS * 10,
        )
    return version


def versioned_key(name: str) -> str:
    """A cache key that goes stale with the content (for fragments such as menus)."""
    return f"{name}:v{current_version()}"


# Values of ``versioned_value`` this process already has: versioned key ->
# (expiry, value). Keys of an old version are never asked for again; the dict
# is emptied when it grows past the bound.
_local_values: dict = {}
LOCAL_VALUES_MAX = 256


def versioned_value(name: str, build, timeout: int):
    """
    A value that goes stale with the content (the menu of columns, 热门文章),
    from this process's memory, else the shared cache, else ``build()``.

    The shared cache alone unpickled the whole column map on every request
    (a tenth of an article page's time); the version in the key keeps the
    process's copy exactly as fresh as the shared one. Callers must not
    change the value: it is shared by every request the process serves.
    """
    key = versioned_key(name)
    now = time.monotonic()
    local = _local_values.get(key)
    if local is not None and local[0] > now:
        return local[1]
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout)
    if len(_local_values) >= LOCAL_VALUES_MAX:
        _local_values.clear()
    _local_values[key] = (now + timeout, value)
    return value


def forget_local_values():
    """Drop this process's copies (tests, whose versions can repeat across databases)."""
    _local_values.clear()


# --- the page cache ---------------------------------------------------------------------


def cacheable_request(request) -> bool:
    return (
        settings.NEWSROOM_PAGE_CACHE
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def page_key(request, version) -> str:
    # Host and scheme too: pages carry absolute URLs (canonical links, feeds).
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    path = hashlib.sha256(address.encode()).hexdigest()[:32]
    return f"page:v{version}:{get_language()}:{path}"


def cached_page(view):
    """Serve a public page from the cache when it is safe to (see the module doc)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        token = _request_version.set({})
        try:
            return serve(request, *args, **kwargs)
        finally:
            _request_version.reset(token)

    def serve(request, *args, **kwargs):
        if not cacheable_request(request):
            return view(request, *args, **kwargs)
        key = page_key(request, current_version())
        hit = cache.get(key)
        if hit is not None:
            content, content_type, etag, extra = hit
            response = HttpResponse(content, content_type=content_type)
            response["ETag"] = etag
            for name, value in extra:
                response[name] = value
            response["X-Cache"] = "hit"
            patch_cache_control(response, max_age=0, public=True)
            return response
        response = view(request, *args, **kwargs)

        def store(response):
            response["X-Cache"] = "miss"
            if response.status_code != 200 or response.cookies or response.streaming:
                return
            if "no-store" in response.get("Cache-Control", ""):
                return
            etag = f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"'
            response["ETag"] = etag
            extra = [
                (h, response[h])
                for h in ("Last-Modified", "Content-Language")
                if response.has_header(h)
            ]
            cache.set(
                key,
                (response.content, response["Content-Type"], etag, extra),
                timeout=settings.NEWSROOM_PAGE_CACHE_SECONDS,
            )
            patch_cache_control(response, max_age=0, public=True)

        if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
            response.add_post_render_callback(store)
        else:
            store(response)
        return response

    return wrapper
