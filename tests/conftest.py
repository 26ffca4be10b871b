import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads in tests land in a temporary folder, never in the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def page_cache_off(settings, tmp_path):
    """Most tests look at freshly rendered pages; the page cache tests turn it on."""
    settings.NEWSROOM_PAGE_CACHE = False
    settings.NEWSROOM_CONTENT_STAMP = str(tmp_path / "content.stamp")


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Real hashing costs ~100 ms a user; the tests are not about password strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff_client(client, django_user_model):
    from tests.factories import StaffFactory

    user = StaffFactory(username="editor")
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
