"""
The content version: what every cached page and fragment is kept under.

Any change that can show on a public page (an article saved, published,
taken down, pinned or deleted; a column, department, image or attachment
changed) calls ``content_changed()``, which bumps the version, so every page
and fragment is rebuilt on its next request, in every process at once: the
version lives in Redis when ``REDIS_URL`` is set (several app servers),
otherwise in the modification time of a stamp file that all the processes of
one machine share.

Time changes content too: a scheduled article appears, a pin ends. The
version also carries the next such moment, asked of the *boundary source*
(``ArticleQuerySet.next_change``, registered by ``NewsroomConfig.ready``: this
module imports no model); once that moment has passed, the version is bumped,
so a scheduled article appears on time, not when a cache entry expires.
"""

import os
import time
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

VERSION_KEY = "content:version"
BOUNDARY_KEY = "content:boundary:{version}"
NO_BOUNDARY = float("inf")

# When content next changes by itself: a callable (now) -> datetime or None.
_boundary_source = None


def set_boundary_source(source):
    """Register what tells when content next changes by itself (see the module doc)."""
    global _boundary_source
    _boundary_source = source


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
    moment = _boundary_source(now) if _boundary_source is not None else None
    return moment.timestamp() if moment is not None else NO_BOUNDARY


# Within one public request the version is read once, however many versioned
# keys (page, columns, most read) the request uses.
_request_version = ContextVar("newsroom_request_version", default=None)


@contextmanager
def one_version():
    """Within the block, the version is read at most once (one public request)."""
    token = _request_version.set({})
    try:
        yield
    finally:
        _request_version.reset(token)


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

    The process's copy spares unpickling the value from the shared cache on
    every request; the version in the key keeps it exactly as fresh as the
    shared one. Callers must not change the value: it is shared by every
    request the process serves.
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
