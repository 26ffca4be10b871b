import os

import pytest

# A Redis database of its own, emptied before and after each test that uses it.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(autouse=True, scope="session")
def jinja2_templates_report_their_context():
    """
    ``response.context`` for the public pages' Jinja2 templates.

    Django's test runner instruments only its own template engine; this sends
    the same ``template_rendered`` signal from Jinja2 templates, with the
    context they were rendered with.
    """
    from django.template.backends import jinja2
    from django.test.signals import template_rendered

    render = jinja2.Template.render

    def instrumented_render(self, context=None, request=None):
        context = {} if context is None else context
        html = render(self, context, request)
        template_rendered.send(sender=self, template=self, context=context)
        return html

    jinja2.Template.render = instrumented_render
    yield
    jinja2.Template.render = render


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
def proxy_reads(monkeypatch):
    """Call it to start counting attribute reads through Django's ``connection``
    proxy (each finds the connection again); returns the list of names read."""
    from django.utils.connection import ConnectionProxy

    reads = []
    proxied = ConnectionProxy.__getattr__

    def counting(proxy, item):
        reads.append(item)
        return proxied(proxy, item)

    def start():
        monkeypatch.setattr(ConnectionProxy, "__getattr__", counting)
        return reads

    return start


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
