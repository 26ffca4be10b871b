import os

import pytest

# A Redis database of its own, emptied before and after each test that uses it.
# Each pytest-xdist worker (gw0, gw1, ...) empties its own: the first the database
# of TEST_REDIS_URL, the others counting down from it. Not one worker for them all
# (--dist loadgroup): that breaks the per-worker order of the suite, which runs
# the transactional tests, whose flush removes the starter word lists, last.
# The default --dist load keeps that order: it hands each worker consecutive
# runs of the collection, front first (xdist/scheduler/load.py, _send_tests).
_root, _, _first = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15").rpartition("/")
_worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
TEST_REDIS_URL = f"{_root}/{int(_first) - _worker}"


@pytest.fixture(autouse=True, scope="session")
def compiled_queries_checked():
    """Every compiled query is checked against its QuerySet built with the real values
    (newsroom/sqlcache.py): a cache key that leaves out a parameter fails the test."""
    from newsroom import sqlcache

    sqlcache.CHECK = True
    yield
    sqlcache.CHECK = False


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads in tests land in a temporary folder, never in the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    """Attachment files in tests land in a temporary private folder beside the media one."""
    settings.NEWSROOM_PRIVATE_ROOT = tmp_path / "private"
    return settings.NEWSROOM_PRIVATE_ROOT


@pytest.fixture(autouse=True)
def page_cache_off(settings, tmp_path):
    """Most tests look at freshly rendered pages; the page cache tests turn it on."""
    settings.NEWSROOM_PAGE_CACHE = False
    settings.NEWSROOM_CONTENT_STAMP = str(tmp_path / "content.stamp")


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Real hashing is slow on purpose; the tests are not about password strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def clear_cache():
    from django.core.cache import cache

    from newsroom.core.content_version import forget_local_values

    cache.clear()
    forget_local_values()
    yield
    cache.clear()
    forget_local_values()


@pytest.fixture
def staff_client(client, django_user_model):
    """Signed in as an editor of a department (who may upload images)."""
    from tests.factories import DepartmentFactory, member

    user = member(DepartmentFactory(), "editor", username="editor")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def admin_client_user(client):
    from tests.factories import SuperuserFactory

    user = SuperuserFactory(username="siteadmin")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def redis_db():
    """A client of the tests' Redis database, empty; the test is skipped without Redis."""
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis is not running (.ci/run starts it)")
    client.flushdb()
    client.url = TEST_REDIS_URL
    yield client
    client.flushdb()


@pytest.fixture
def no_dns(monkeypatch):
    """Host names under .invalid fail at once, without asking a resolver (link checks)."""
    import socket

    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if str(host).endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
