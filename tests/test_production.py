"""Production readiness: deploy checks, security headers, login lockout, health checks."""

import os
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ArticleFactory, StaffFactory
from tests.utils import BASE, run_settings


def test_check_deploy_passes_with_production_settings():
    """manage.py check --deploy reports no issue with DEBUG off and a real secret."""
    env = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-secret-key-for-the-deploy-check-0123456789",
        "DJANGO_ALLOWED_HOSTS": "news.example.edu.cn",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    """DEBUG off and no DJANGO_SECRET_KEY is a configuration error."""
    result = run_settings({"DJANGO_DEBUG": "0"}, "import config.settings")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_proxy_ssl_header_is_configurable():
    """Behind a TLS-terminating proxy, X-Forwarded-Proto is trusted only when asked."""
    code = "import config.settings as s; print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    base = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "k" * 60}
    assert run_settings(base, code).stdout.strip() == "None"
    behind = run_settings({**base, "DJANGO_BEHIND_TLS_PROXY": "1"}, code).stdout.strip()
    assert behind == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_media_storage_is_chosen_by_environment():
    """NEWSROOM_MEDIA_STORAGE=s3 switches uploads to django-storages' S3 backend."""
    code = "import config.settings as s; print(s.STORAGES['default']['BACKEND'])"
    assert "FileSystemStorage" in run_settings({}, code).stdout
    s3_env = {
        "NEWSROOM_MEDIA_STORAGE": "s3",
        "NEWSROOM_S3_BUCKET": "news",
        "NEWSROOM_S3_PRIVATE_BUCKET": "news-private",
    }
    s3 = run_settings(s3_env, code)
    assert s3.stdout.strip() == "storages.backends.s3.S3Storage"


def test_s3_attachments_need_a_private_bucket_of_their_own():
    """With S3, attachments go to a second, private bucket, never to the public one."""
    code = (
        "import config.settings as s; o = s.STORAGES['attachments']['OPTIONS']; "
        "print(o['bucket_name'], o['default_acl'], o['querystring_auth'], o['custom_domain'])"
    )
    env = {
        "NEWSROOM_MEDIA_STORAGE": "s3",
        "NEWSROOM_S3_BUCKET": "news",
        "NEWSROOM_S3_CUSTOM_DOMAIN": "cdn.example.edu.cn",
    }
    refused = run_settings(env, code)
    assert refused.returncode != 0
    assert "NEWSROOM_S3_PRIVATE_BUCKET" in refused.stderr
    chosen = run_settings({**env, "NEWSROOM_S3_PRIVATE_BUCKET": "news-private"}, code)
    assert chosen.stdout.split() == ["news-private", "private", "True", "None"]


def test_private_root_inside_the_media_root_is_refused(tmp_path):
    """The private attachment folder may not be a folder that /media/ serves."""
    env = {
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "NEWSROOM_PRIVATE_ROOT": str(tmp_path / "media" / "private"),
    }
    result = run_settings(env, "import config.settings")
    assert result.returncode != 0
    assert "must not be inside" in result.stderr


@pytest.mark.django_db
def test_public_pages_carry_a_strict_content_security_policy(client):
    """Public pages allow scripts only from the site itself, none inline."""
    article = ArticleFactory()
    response = client.get(article.get_absolute_url())
    policy = response["Content-Security-Policy"]
    script = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert script.strip() == "script-src 'self'"
    assert "unsafe-inline" not in script
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "<script>" not in response.text


@pytest.mark.django_db
def test_uploaded_media_is_served_nosniff(client, media_root):
    """Uploaded files are served with X-Content-Type-Options: nosniff."""
    from tests.factories import ImageFactory

    image = ImageFactory()
    response = client.get(image.url)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_admin_login_is_locked_after_repeated_failures():
    """Five wrong passwords lock the user name; the page explains it in Chinese."""
    StaffFactory(username="editor", password="right-password-123")
    client = Client()
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": "editor", "password": "wrong"})
    locked = client.post(url, {"username": "editor", "password": "right-password-123"})
    assert locked.status_code == 429
    assert "登录已暂时锁定" in locked.text
    assert "15 分钟" in locked.text
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_successful_login_still_works():
    """A correct password signs in (the lockout backend stays out of the way)."""
    StaffFactory(username="editor", password="right-password-123")
    client = Client()
    response = client.post(
        reverse("admin:login"), {"username": "editor", "password": "right-password-123"}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_healthz_ok(client):
    """/healthz answers 200 when the database answers."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_healthz_reports_a_broken_redis(client, settings):
    """/healthz answers 503 when the configured Redis does not answer."""
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "redis": "error"}


@pytest.mark.django_db
def test_healthz_reuses_its_redis_connection(client, settings, redis_db):
    """Probes share one pooled connection instead of opening one each."""
    settings.REDIS_URL = redis_db.url
    assert client.get("/healthz").json()["redis"] == "ok"
    before = redis_db.info("stats")["total_connections_received"]
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
    assert redis_db.info("stats")["total_connections_received"] - before <= 1


def test_healthz_reports_a_broken_database(client, monkeypatch):
    """/healthz answers 503, not 500, when the database is down."""
    from django.db import connection
    from django.db.utils import OperationalError

    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error"
